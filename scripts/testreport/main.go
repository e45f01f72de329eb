// Command testreport reads the output of 'go test -json' and prints what
// plain 'go test' would (a line per package, the output of failing tests),
// so that scripts/test.sh can keep the JSON for its closing summary.
//
//	go test -json ./... | tee run.json | go run ./scripts/testreport
//	go run ./scripts/testreport -summary race.json allocs.json
//
// The summary lists every test skipped in all the runs, with the reason it
// gave, and closes with a line 'N passed, N failed, N skipped'.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// event is one line of 'go test -json' (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

func main() {
	summary := flag.Bool("summary", false, "print the skipped tests and the totals of the JSON files named as arguments")
	flag.Parse()
	if *summary {
		os.Exit(printSummary(os.Stdout, flag.Args()))
	}
	stream(os.Stdin, os.Stdout)
}

// stream echoes a test run as plain go test does. Lines that are not JSON
// (build errors, vet output) pass through.
func stream(r io.Reader, w io.Writer) {
	output := map[[2]string][]string{} // per package and test, until it ends
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Action == "" {
			fmt.Fprintln(w, sc.Text())
			continue
		}
		key := [2]string{e.Package, e.Test}
		switch e.Action {
		case "output", "build-output":
			output[key] = append(output[key], e.Output)
		case "fail":
			if e.Test != "" {
				// A failing test's output, as go test prints it; its parent
				// prints only its own lines.
				fmt.Fprint(w, strings.Join(output[key], ""))
			} else {
				fmt.Fprint(w, strings.Join(packageLines(output[key]), ""))
				fmt.Fprintf(w, "FAIL\t%s\t%.3fs\n", e.Package, e.Elapsed)
			}
			delete(output, key)
		case "build-fail":
			fmt.Fprint(w, strings.Join(output[key], ""))
			delete(output, key)
		case "pass", "skip":
			if e.Test == "" {
				if strings.Contains(strings.Join(output[key], ""), "[no test files]") {
					fmt.Fprintf(w, "?   \t%s\t[no test files]\n", e.Package)
				} else {
					fmt.Fprintf(w, "ok  \t%s\t%.3fs\n", e.Package, e.Elapsed)
				}
			}
			delete(output, key)
		}
	}
}

// packageLines keeps the lines a package prints outside its tests that
// plain go test shows: a panic, a timeout, a TestMain's own output.
func packageLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l == "FAIL\n" || l == "PASS\n" || strings.HasPrefix(l, "FAIL\t") || strings.HasPrefix(l, "ok  \t") {
			continue
		}
		out = append(out, l)
	}
	return out
}

// result is what became of one test over every run.
type result struct {
	passed, failed, skipped bool
	reason                  []string
}

func printSummary(w io.Writer, files []string) int {
	results := map[string]*result{}
	var names []string
	var slowest []event
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "testreport:", err)
			return 2
		}
		output := map[string][]string{}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var e event
			if json.Unmarshal(sc.Bytes(), &e) != nil || e.Test == "" {
				continue
			}
			id := e.Package + " " + e.Test
			r := results[id]
			if r == nil {
				r = &result{}
				results[id] = r
				names = append(names, id)
			}
			switch e.Action {
			case "output":
				output[id] = append(output[id], e.Output)
			case "pass":
				r.passed = true
				if !strings.Contains(e.Test, "/") {
					slowest = append(slowest, e)
				}
			case "fail":
				r.failed = true
			case "skip":
				r.skipped = true
				r.reason = skipReason(output[id])
			}
		}
		f.Close()
	}

	var passed, failed, skipped int
	var skips []string
	for _, id := range names {
		r := results[id]
		switch {
		case r.failed:
			failed++
		case r.passed:
			passed++ // skipped in one run, such as allocation tests under -race, run in another
		case r.skipped:
			skipped++
			skips = append(skips, fmt.Sprintf("  %s: %s", id, strings.Join(r.reason, "; ")))
		}
	}
	slices.SortFunc(slowest, func(a, b event) int { return int((b.Elapsed - a.Elapsed) * 1000) })
	if len(slowest) > 0 {
		fmt.Fprintln(w, "\nslowest tests:")
		for _, e := range slowest[:min(8, len(slowest))] {
			fmt.Fprintf(w, "  %8s  %s %s\n", time.Duration(e.Elapsed*float64(time.Second)).Round(10*time.Millisecond), e.Package, e.Test)
		}
	}
	if len(skips) > 0 {
		fmt.Fprintf(w, "\nskipped in every run (%d):\n%s\n", len(skips), strings.Join(skips, "\n"))
	}
	fmt.Fprintf(w, "\n%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	if failed > 0 {
		return 1
	}
	return 0
}

// skipReason returns what a skipped test said, without go test's own
// framing lines.
func skipReason(lines []string) []string {
	var out []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		// "file_test.go:47: reason" → "reason (file_test.go:47)"
		if pos, msg, ok := strings.Cut(t, ": "); ok && strings.Contains(pos, "_test.go:") {
			t = msg + " (" + pos + ")"
		}
		out = append(out, t)
	}
	return out
}
