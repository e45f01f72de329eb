package hours

import (
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"guichet/geo/geotest"
)

// The features of the opening_hours grammar the generator draws from; the
// differential test reports agreement for each.
const (
	featSemicolon   = "rule separator ;"
	featComma       = "rule separator ,"
	featFallback    = "rule separator ||"
	featTimeList    = "time list without spaces"
	featTimeListSp  = "time list with spaces"
	featOff         = "off/closed"
	featOpen        = "open"
	featUnknown     = "unknown"
	featComment     = "comment"
	featCommentOnly = "comment without a state"
	featPH          = "PH"
	featWdRange     = "weekday range"
	featWdWrap      = "weekday range across Sunday"
	featNth         = "nth weekday [n]"
	featMonths      = "month range"
	featDates       = "date or date range"
	featYears       = "year"
	featWeeks       = "week numbers"
	feat247         = "24/7"
	featMidnight    = "time past midnight"
	feat2400        = "24:00"
	featPartialOff  = "partial override (range with off)"
)

// genValue builds an opening_hours value from the grammar guichet
// evaluates, and the features it uses.
type genValue struct {
	r     *rand.Rand
	b     strings.Builder
	feats map[string]bool
}

func (g *genValue) pick(options ...string) string { return options[g.r.Intn(len(options))] }

func (g *genValue) chance(p float64) bool { return g.r.Float64() < p }

var genDays = []string{"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"}

func (g *genValue) weekdays(afterMonth bool) string {
	var parts []string
	for n := 1 + g.r.Intn(2); len(parts) < n; {
		switch k := g.r.Intn(10); {
		case k < 3:
			parts = append(parts, genDays[g.r.Intn(7)])
		case k < 6:
			a := g.r.Intn(7)
			b := a + 1 + g.r.Intn(6-a+1)
			if b > 6 {
				b = 6
			}
			if a == b {
				parts = append(parts, genDays[a])
				continue
			}
			parts = append(parts, genDays[a]+"-"+genDays[b])
			g.feats[featWdRange] = true
		case k < 7:
			a := 3 + g.r.Intn(4)
			parts = append(parts, genDays[a]+"-"+genDays[g.r.Intn(3)])
			g.feats[featWdWrap] = true
		case k < 9:
			parts = append(parts, "PH")
			g.feats[featPH] = true
		default:
			d := genDays[g.r.Intn(7)]
			if afterMonth && len(parts) == 0 {
				// opening_hours.js reads "Mar Su[2]" as a date, which
				// takes one occurrence only.
				parts = append(parts, d+g.pick("[1]", "[2]", "[-1]", "[-2]", "[5]"))
			} else {
				parts = append(parts, d+g.pick("[1]", "[2]", "[-1]", "[1,3]", "[2-3]", "[-2]", "[5]"))
			}
			g.feats[featNth] = true
		}
	}
	return strings.Join(parts, ",")
}

func (g *genValue) clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func (g *genValue) timeRange() string {
	quarter := func() int { return 15 * g.r.Intn(96) }
	switch k := g.r.Intn(20); {
	case k < 3: // past midnight
		g.feats[featMidnight] = true
		from := 60 * (17 + g.r.Intn(7))
		to := 60 * g.r.Intn(9)
		if g.chance(0.2) {
			return g.clock(from) + "-" + g.clock(to+1440) // "22:00-26:00"
		}
		return g.clock(from) + "-" + g.clock(to)
	case k < 5:
		g.feats[feat2400] = true
		return g.clock(quarter()) + "-24:00"
	default:
		a, b := quarter(), quarter()
		for a == b {
			b = quarter()
		}
		if a > b {
			a, b = b, a
		}
		if g.r.Intn(4) == 0 {
			a += g.r.Intn(15) // minutes not on a quarter
		}
		return g.clock(a) + "-" + g.clock(b)
	}
}

func (g *genValue) times() string {
	n := 1 + g.r.Intn(3)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = g.timeRange()
	}
	sep := ","
	if n > 1 {
		if g.chance(0.5) {
			sep = ", "
			g.feats[featTimeListSp] = true
		} else {
			g.feats[featTimeList] = true
		}
	}
	return strings.Join(parts, sep)
}

// rule writes one rule and reports whether it ends with a state or a
// comment (after which ',' starts a rule) or with times.
func (g *genValue) rule(startWithDays, later bool) (endsWithState, endsWithTimes bool) {
	var parts []string
	if startWithDays {
		parts = append(parts, g.weekdays(false))
		if g.chance(0.8) {
			parts = append(parts, g.times())
			endsWithTimes = true
		}
	} else if !later && g.chance(0.08) {
		parts = append(parts, "24/7")
		g.feats[feat247] = true
	} else {
		if g.chance(0.05) {
			parts = append(parts, g.pick("2026", "2027", "2026-2027", "2027-2028", "2026,2028"))
			g.feats[featYears] = true
		}
		switch k := g.r.Intn(20); {
		case k < 2:
			parts = append(parts, g.pick("Jan-Mar", "Dec", "Nov-Feb", "Jul,Aug", "Apr-Oct", "Mar"))
			g.feats[featMonths] = true
		case k < 4:
			if len(parts) > 0 { // a year and a date range do not mix the same way in both engines
				break
			}
			parts = append(parts, g.pick("Dec 24-26", "Dec 24-Jan 02", "Jul 14", "May 01", "Apr 06", "Aug 15-31",
				"Mar 28-Apr 05", "Oct 24-26", "Nov 01", "2026 Dec 24-2027 Jan 02", "2027 Mar 28"))
			g.feats[featDates] = true
		}
		if g.chance(0.07) {
			parts = append(parts, "week "+g.pick("01-10", "14", "10-20/2", "40-53", "13-14", "01-53/3", "52-53"))
			g.feats[featWeeks] = true
		}
		// opening_hours.js reads "2026 Mar 09:15" as the date 9 March.
		yearMonth := len(parts) == 2 && g.feats[featYears] && g.feats[featMonths]
		if yearMonth || g.chance(0.75) {
			afterMonth := len(parts) > 0 && !strings.HasPrefix(parts[len(parts)-1], "week") && !strings.HasPrefix(parts[len(parts)-1], "20")
			parts = append(parts, g.weekdays(afterMonth))
		}
		if g.chance(0.8) {
			parts = append(parts, g.times())
			endsWithTimes = true
		}
	}
	if later && len(parts) == 0 {
		// A later rule for every day of every week would make most values
		// constant, which opening_hours.js walks for five years to say so.
		parts = append(parts, g.weekdays(false))
	}
	state := ""
	if g.chance(0.3) {
		state = g.pick("off", "closed", "open", "unknown")
		parts = append(parts, state)
		endsWithState, endsWithTimes = true, false
		switch state {
		case "off", "closed":
			g.feats[featOff] = true
			if len(parts) > 2 || len(parts) == 2 && endsWithTimes {
				g.feats[featPartialOff] = true
			}
		case "open":
			g.feats[featOpen] = true
		default:
			g.feats[featUnknown] = true
		}
	}
	if g.chance(0.15) || len(parts) == 0 {
		parts = append(parts, `"`+g.pick("sur rendez-vous", "fermé les jours fériés", "accueil permanent", "x")+`"`)
		g.feats[featComment] = true
		if state == "" {
			g.feats[featCommentOnly] = true
		}
		endsWithState, endsWithTimes = true, false
	}
	g.b.WriteString(strings.Join(parts, " "))
	return endsWithState, endsWithTimes
}

// generateValue returns a value of one to three rules.
func generateValue(r *rand.Rand) (string, map[string]bool) {
	g := &genValue{r: r, feats: map[string]bool{}}
	n := 1 + r.Intn(3)
	startWithDays := false
	for i := range n {
		state, times := g.rule(startWithDays, i > 0)
		startWithDays = false
		if i == n-1 {
			break
		}
		switch k := r.Intn(10); {
		case k < 2 && (state || times):
			// After times, ',' starts a rule only before something
			// else than a time: the next rule starts with a weekday.
			g.b.WriteString(", ")
			startWithDays = times && !state
			g.feats[featComma] = true
		case k < 4:
			g.b.WriteString(" || ")
			g.feats[featFallback] = true
		default:
			g.b.WriteString("; ")
			g.feats[featSemicolon] = true
		}
	}
	return g.b.String(), g.feats
}

// genZones are the départements whose zone and calendar the instants are
// drawn in, metropolitan France (DST) most often.
var genZones = []string{"38", "38", "38", "75", "57", "67", "971", "972", "973", "974", "975", "976", "977", "978", "986", "987", "988"}

// generateInstant returns an instant around a midnight, a DST change or a
// public holiday of the zone, or at random, in 2026-2028.
func generateInstant(r *rand.Rand, loc Locale) time.Time {
	year := 2026 + r.Intn(3)
	var y, d int
	var m time.Month
	switch k := r.Intn(10); {
	case k < 3: // DST weekends (last Sundays of March and October) and the days after
		m = time.Month(3 + 7*r.Intn(2))
		last := time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC)
		sun := last.Day() - int(last.Weekday())
		y, d = year, sun-1+r.Intn(3)
	case k < 6: // a holiday, the day before or after
		hs := Holidays(year, loc.Region)
		h := hs[r.Intn(len(hs))].Date
		y, m, d = h.Year, h.Month, h.Day-1+r.Intn(3)
	default:
		y, m, d = year, time.Month(1+r.Intn(12)), 1+r.Intn(28)
	}
	var h, min int
	switch k := r.Intn(10); {
	case k < 4: // around midnight
		h, min = 23+r.Intn(3), r.Intn(60)
	case k < 6: // the small hours, when clocks change
		h, min = 1+r.Intn(3), r.Intn(60)
	case k < 8: // a quarter-hour boundary, or just before
		h, min = r.Intn(24), 15*r.Intn(4)-r.Intn(2)
	default:
		h, min = r.Intn(24), r.Intn(60)
	}
	return time.Date(y, m, d, h, min, r.Intn(60)*r.Intn(2), 0, loc.Location)
}

// genPairs is the size of the generated corpus; GENPAIRS overrides it.
func genPairs(t *testing.T) int {
	n := 5200
	if s := os.Getenv("GENPAIRS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("bad GENPAIRS %q", s)
		}
		n = v
	}
	return n
}

// minAgreement is the share of generated pairs on which both engines must
// agree (state and next change).
const minAgreement = 0.995

// TestDifferentialOpeningHoursJS compares guichet's evaluation of OSM
// values with opening_hours.js on the six values of the report, the known
// opening_hours.js bugs, and generated (value, instant) pairs.
func TestDifferentialOpeningHoursJS(t *testing.T) {
	r := geotest.Rand(t)
	type tagged struct {
		c     oracleCase
		feats map[string]bool
		kind  string // "issue", "bug", "national" or "generated"
		bug   *knownJSBug
	}
	var cases []tagged
	for _, row := range issueRows {
		cases = append(cases, tagged{c: oracleCase{row.value, row.at.Unix(), "Europe/Paris", Metropole.String()}, kind: "issue"})
	}
	bugs := loadKnownJSBugs(t)
	for i := range bugs {
		cases = append(cases, tagged{c: bugs[i].Case, kind: "bug", bug: &bugs[i]})
	}
	// Real station schedules, in their OSM form, at an instant each.
	national := nationalOSMValues(t)
	for _, v := range national {
		loc := LocaleFor(genZones[r.Intn(len(genZones))])
		cases = append(cases, tagged{c: oracleCase{v, generateInstant(r, loc).Unix(), loc.Location.String(), loc.Region.String()}, kind: "national"})
	}
	n := genPairs(t)
	for len(cases) < n+len(issueRows)+len(bugs)+len(national) {
		value, feats := generateValue(r)
		// Two instants per value, in one zone.
		loc := LocaleFor(genZones[r.Intn(len(genZones))])
		for range 2 {
			at := generateInstant(r, loc)
			cases = append(cases, tagged{c: oracleCase{value, at.Unix(), loc.Location.String(), loc.Region.String()}, feats: feats, kind: "generated"})
		}
	}
	ocs := make([]oracleCase, len(cases))
	for i, c := range cases {
		ocs[i] = c.c
	}
	generator, js := runOracle(t, ocs)

	type tally struct{ n, agree, comments int }
	perFeature := map[string]*tally{}
	var all tally
	var bothReject, jsOnlyReject, goOnlyReject, realPairs, realAgree int
	shown := 0
	for i, c := range cases {
		g, st := goResult(c.c)
		agree := sameOutcome(js[i], g)
		where := fmt.Sprintf("%q at %s (%s, %s)", c.c.Value, time.Unix(c.c.At, 0).In(mustZone(t, c.c.TZ)).Format(time.RFC3339), c.c.TZ, c.c.Calendar)
		switch c.kind {
		case "issue":
			if !agree {
				t.Errorf("report row %s: %s gives %s, guichet %s", where, generator, js[i], g)
			}
			continue
		case "bug":
			if js[i].String() != c.bug.JS {
				t.Errorf("known bug %s: %s now gives %s, not %s: is it fixed? (%s)", where, generator, js[i], c.bug.JS, c.bug.Reason)
			}
			continue
		case "national":
			realPairs++
			if agree {
				realAgree++
			} else {
				t.Errorf("national value %s: %s gives %s, guichet %s", where, generator, js[i], g)
			}
			continue
		}
		all.n++
		comment := sameComment(js[i], g, st)
		if agree {
			all.agree++
		}
		if comment {
			all.comments++
		}
		switch {
		case js[i].Error != "" && g.Error != "":
			bothReject++
		case js[i].Error != "":
			jsOnlyReject++
		case g.Error != "":
			goOnlyReject++
		}
		for f := range c.feats {
			ft := perFeature[f]
			if ft == nil {
				ft = &tally{}
				perFeature[f] = ft
			}
			ft.n++
			if agree {
				ft.agree++
			}
			if comment {
				ft.comments++
			}
		}
		if !agree && shown < 40 {
			shown++
			t.Logf("disagreement: %s: %s gives %s, guichet %s", where, generator, js[i], g)
		}
	}
	pct := func(a, n int) string { return fmt.Sprintf("%.2f %%", 100*float64(a)/float64(max(n, 1))) }
	t.Logf("%s, %d generated pairs: state and next change agree on %d (%s); comments agree on %d (%s); rejected by both %d, by opening_hours.js only %d, by guichet only %d",
		generator, all.n, all.agree, pct(all.agree, all.n), all.comments, pct(all.comments, all.n), bothReject, jsOnlyReject, goOnlyReject)
	t.Logf("national values (OSM form of the %d distinct schedules of pwb_ref_unite_gn.csv): agree on %d of %d", len(national), realAgree, realPairs)
	var names []string
	for f := range perFeature {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		ft := perFeature[f]
		t.Logf("  %-36s %5d pairs, agree %s, comments %s", f, ft.n, pct(ft.agree, ft.n), pct(ft.comments, ft.n))
	}
	if float64(all.agree) < minAgreement*float64(all.n) {
		t.Errorf("agreement %s on %d pairs, below %.1f %%", pct(all.agree, all.n), all.n, 100*minAgreement)
	}
	if float64(all.comments) < minAgreement*float64(all.n) {
		t.Errorf("comments agree on %s of %d pairs, below %.1f %%", pct(all.comments, all.n), all.n, 100*minAgreement)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
