package hours

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// oracleDir holds opening_hours.js, pinned by its package-lock.json and
// installed by "npm ci" there.
const oracleDir = "../../scripts/hours-oracle"

// requireOracle returns the node executable and the oracle script, or
// skips the test; under CI=true a missing oracle fails it.
func requireOracle(t *testing.T) (node, script string) {
	t.Helper()
	missing := func(why string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s (required when CI=true)", why)
		}
		t.Skip(why)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed: the opening_hours.js differential test needs it")
	}
	dir, err := filepath.Abs(oracleDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "opening_hours", "package.json")); err != nil {
		missing("opening_hours.js is not installed: run npm ci in scripts/hours-oracle")
	}
	return node, filepath.Join(dir, "oracle.js")
}

// oracleCase is one (value, instant) pair for opening_hours.js. Calendar
// names a holiday calendar, a Region's String.
type oracleCase struct {
	Value    string `json:"value"`
	At       int64  `json:"at"`
	TZ       string `json:"tz"`
	Calendar string `json:"calendar"`
}

type oracleResult struct {
	State   string  `json:"state"`
	Next    *int64  `json:"next"`
	Comment *string `json:"comment"`
	Error   string  `json:"error"`
}

// oracleYears are the years whose holidays opening_hours.js is given: the
// cases' years, the five-year horizon of next changes, and a margin
// (it looks at the holidays of the year after the one it evaluates).
const oracleFirstYear, oracleLastYear = 2024, 2040

// runOracle evaluates every case with opening_hours.js in one node process.
func runOracle(t *testing.T, cases []oracleCase) (generator string, results []oracleResult) {
	t.Helper()
	node, script := requireOracle(t)
	holidays := map[string][][4]any{}
	for _, c := range cases {
		if _, ok := holidays[c.Calendar]; ok {
			continue
		}
		r, ok := regionNamed(c.Calendar)
		if !ok {
			t.Fatalf("no calendar %q", c.Calendar)
		}
		var days [][4]any
		for y := oracleFirstYear; y <= oracleLastYear; y++ {
			for _, h := range Holidays(y, r) {
				days = append(days, [4]any{h.Date.Year, int(h.Date.Month), h.Date.Day, h.Name})
			}
		}
		holidays[c.Calendar] = days
	}
	in, err := json.Marshal(map[string]any{"holidays": holidays, "cases": cases})
	if err != nil {
		t.Fatal(err)
	}
	if path := os.Getenv("ORACLE_INPUT_DUMP"); path != "" {
		if err := os.WriteFile(path, in, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	defer func() {
		t.Logf("opening_hours.js evaluated %d cases in %v", len(cases), time.Since(start).Round(time.Millisecond))
	}()
	cmd := exec.Command(node, script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", node, script, err, lastBytes(stderr.Bytes(), 2000))
	}
	var res struct {
		Generator string
		Results   []oracleResult
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("oracle output: %v", err)
	}
	if len(res.Results) != len(cases) {
		t.Fatalf("oracle gave %d results for %d cases", len(res.Results), len(cases))
	}
	return res.Generator, res.Results
}

func lastBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

func regionNamed(name string) (Region, bool) {
	for r := range numRegions {
		if r.String() == name {
			return r, true
		}
	}
	return 0, false
}

// goResult evaluates a case as guichet does, in the shape of an oracle
// result.
func goResult(c oracleCase) (oracleResult, State) {
	sc, err := ParseOSM(c.Value)
	if err != nil {
		return oracleResult{Error: err.Error()}, State{}
	}
	l, err := time.LoadLocation(c.TZ)
	if err != nil {
		return oracleResult{Error: err.Error()}, State{}
	}
	r, _ := regionNamed(c.Calendar)
	st := sc.At(time.Unix(c.At, 0), Locale{Location: l, Region: r})
	res := oracleResult{State: st.Status.String()}
	if !st.Next.IsZero() {
		n := st.Next.Unix()
		res.Next = &n
	}
	if st.Comment != "" {
		res.Comment = &st.Comment
	}
	return res, st
}

// sameOutcome reports whether both engines reject the value, or agree on
// the state and the next change.
func sameOutcome(js, g oracleResult) bool {
	if js.Error != "" || g.Error != "" {
		return js.Error != "" && g.Error != ""
	}
	return js.State == g.State && (js.Next == nil) == (g.Next == nil) && (js.Next == nil || *js.Next == *g.Next)
}

// sameComment compares comments; opening_hours.js gives the name of the
// holiday as the comment of a PH rule without one, where guichet says it
// in Reason.
func sameComment(js, g oracleResult, st State) bool {
	jc, gc := "", ""
	if js.Comment != nil {
		jc = *js.Comment
	}
	if g.Comment != nil {
		gc = *g.Comment
	}
	if jc != gc && gc == "" && st.Reason != "" && st.Reason == "Jour férié : "+jc {
		return true
	}
	return jc == gc
}

func (r oracleResult) String() string {
	if r.Error != "" {
		return "error: " + r.Error
	}
	s := r.State
	if r.Next != nil {
		s += " next " + time.Unix(*r.Next, 0).UTC().Format(time.RFC3339)
	} else {
		s += " next none"
	}
	if r.Comment != nil {
		s += " comment " + *r.Comment
	}
	return s
}

// issueRows are the six rows of the report that opening_hours.js and
// guichet read differently, in Europe/Paris with the national calendar.
// Saturday 4 April 2026 is the Saturday before Easter Monday.
var issueRows = []struct {
	value     string
	at        time.Time
	state     Status
	next      time.Time // zero: no change
	comment   string
	whatBroke string
}{
	{"Mo-Fr 08:00-12:00, 14:00-18:00", parisTime(2026, 4, 4, 10, 0), Closed, parisTime(2026, 4, 6, 8, 0), "",
		"the afternoon range was read as a new rule for every day"},
	{"Mo-Fr 08:00-18:00; Mo-Fr 12:00-14:00 off", parisTime(2026, 3, 30, 8, 0), Open, parisTime(2026, 3, 30, 12, 0), "",
		"off with a time range closed the whole day"},
	{`24/7 "accueil permanent"`, parisTime(2026, 4, 4, 10, 0), Unknown, time.Time{}, "accueil permanent",
		"a comment after 24/7 was a syntax error"},
	{`Sa 09:00-12:00 "sur rendez-vous"`, parisTime(2026, 4, 4, 10, 0), Unknown, parisTime(2026, 4, 4, 12, 0), "sur rendez-vous",
		"a comment without a state was read as open"},
	{`Mo-Fr 08:00-12:00,14:00-18:00; PH closed "fermé les jours fériés"`, parisTime(2026, 4, 4, 10, 0), Closed, parisTime(2026, 4, 7, 8, 0), "",
		"a new comment with the same state was a change"},
	{"Mo-Fr 18:00-08:00; Sa,Su,PH 00:00-24:00", parisTime(2026, 4, 4, 10, 0), Open, parisTime(2026, 4, 7, 8, 0), "",
		"a change of rule with the same state was a change"},
}

func parisTime(y int, m time.Month, d, h, min int) time.Time {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return time.Date(y, m, d, h, min, 0, 0, l)
}

// TestIssueRows pins what opening_hours.js gives for the six values of
// the report, without node.
func TestIssueRows(t *testing.T) {
	loc := LocaleFor("75")
	for _, row := range issueRows {
		t.Run(row.value, func(t *testing.T) {
			sc, err := ParseOSM(row.value)
			if err != nil {
				t.Fatalf("ParseOSM: %v (before: %s)", err, row.whatBroke)
			}
			st := sc.At(row.at, loc)
			if st.Status != row.state || !st.Next.Equal(row.next) || st.Comment != row.comment {
				t.Errorf("At(%v) = %v next %v comment %q, want %v next %v comment %q (before: %s)",
					row.at, st.Status, st.Next, st.Comment, row.state, row.next, row.comment, row.whatBroke)
			}
		})
	}
}

// knownJSBug is a disagreement judged a defect of opening_hours.js.
type knownJSBug struct {
	Case   oracleCase
	JS     string // the oracle's answer, as oracleResult.String
	Go     string // guichet's answer, the right one
	Reason string
}

func loadKnownJSBugs(t *testing.T) []knownJSBug {
	t.Helper()
	b, err := os.ReadFile("testdata/opening-hours-js-bugs.json")
	if err != nil {
		t.Fatal(err)
	}
	var bugs []knownJSBug
	if err := json.Unmarshal(b, &bugs); err != nil {
		t.Fatal(err)
	}
	if len(bugs) == 0 {
		t.Fatal("no known opening_hours.js bugs")
	}
	return bugs
}

// TestKnownJSBugs checks guichet's answer on the committed disagreements
// judged opening_hours.js defects, without node.
func TestKnownJSBugs(t *testing.T) {
	for _, b := range loadKnownJSBugs(t) {
		if b.Reason == "" {
			t.Errorf("%+v: no reason given", b.Case)
		}
		if g, _ := goResult(b.Case); g.String() != b.Go {
			t.Errorf("%q at %v in %s: guichet gives %s, want %s", b.Case.Value, time.Unix(b.Case.At, 0).UTC(), b.Case.TZ, g, b.Go)
		}
	}
}
