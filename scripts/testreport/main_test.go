package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A test skipped in the race pass and run in the allocation pass counts as
// passed; a test skipped everywhere is listed with its reason.
func TestSummary(t *testing.T) {
	dir := t.TempDir()
	race := `{"Action":"run","Package":"p","Test":"TestAllocs"}
{"Action":"output","Package":"p","Test":"TestAllocs","Output":"    x_test.go:9: counted without the race detector\n"}
{"Action":"skip","Package":"p","Test":"TestAllocs","Elapsed":0}
{"Action":"output","Package":"p/w","Test":"TestBrowser","Output":"=== RUN   TestBrowser\n"}
{"Action":"output","Package":"p/w","Test":"TestBrowser","Output":"    e2e_test.go:71: playwright-core is not installed: run npm ci\n"}
{"Action":"output","Package":"p/w","Test":"TestBrowser","Output":"--- SKIP: TestBrowser (0.00s)\n"}
{"Action":"skip","Package":"p/w","Test":"TestBrowser","Elapsed":0}
{"Action":"pass","Package":"p","Test":"TestA","Elapsed":1.5}
{"Action":"fail","Package":"p","Test":"TestB","Elapsed":0.1}
not json: a build error
`
	allocs := `{"Action":"pass","Package":"p","Test":"TestAllocs","Elapsed":0.2}
`
	for name, text := range map[string]string{"race.json": race, "allocs.json": allocs} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	code := printSummary(&out, []string{filepath.Join(dir, "race.json"), filepath.Join(dir, "allocs.json")})
	got := out.String()
	if code != 1 {
		t.Errorf("exit %d with a failed test, want 1", code)
	}
	for _, want := range []string{
		"p/w TestBrowser: playwright-core is not installed: run npm ci (e2e_test.go:71)",
		"\n2 passed, 1 failed, 1 skipped\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "TestAllocs:") {
		t.Errorf("a test run in another pass is listed as skipped:\n%s", got)
	}
}

// The stream shows what plain go test shows: package lines, a failing
// test's output, and lines that are not JSON.
func TestStream(t *testing.T) {
	in := `{"Action":"output","Package":"p","Test":"TestB","Output":"    b_test.go:3: boom\n"}
{"Action":"fail","Package":"p","Test":"TestB","Elapsed":0.1}
{"Action":"output","Package":"p","Test":"TestA","Output":"    a_test.go:3: quiet\n"}
{"Action":"pass","Package":"p","Test":"TestA","Elapsed":0.1}
{"Action":"fail","Package":"p","Elapsed":0.25}
{"Action":"output","Package":"q","Output":"?   \tq\t[no test files]\n"}
{"Action":"skip","Package":"q","Elapsed":0}
# r
`
	var out bytes.Buffer
	stream(strings.NewReader(in), &out)
	want := "    b_test.go:3: boom\nFAIL\tp\t0.250s\n?   \tq\t[no test files]\n# r\n"
	if out.String() != want {
		t.Errorf("stream wrote %q, want %q", out.String(), want)
	}
}
