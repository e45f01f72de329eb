package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of the CLI tests")

// golden compares got with testdata/NAME.golden, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/guichet -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it; review with git diff):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// cleanEnv removes what the environment could add to defaults, so that the
// golden files hold on any machine.
func cleanEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "GUICHET_") && k != "GUICHET_SNAPSHOT_DIR" {
			t.Setenv(k, "")
		}
	}
	t.Setenv("XDG_CACHE_HOME", "/home/you/.cache")
}

// transcript runs guichet with each command line and records, for each,
// the command, its exit status, its stdout and its stderr.
func transcript(t *testing.T, lines ...[]string) string {
	t.Helper()
	var b strings.Builder
	for _, args := range lines {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
		fmt.Fprintf(&b, "$ guichet %s\n[exit %d]\n", strings.Join(quote(args), " "), code)
		if stdout.Len() > 0 {
			fmt.Fprintf(&b, "[stdout]\n%s", stdout.String())
		}
		if stderr.Len() > 0 {
			fmt.Fprintf(&b, "[stderr]\n%s", stderr.String())
		}
		b.WriteString("\n")
	}
	return b.String()
}

func quote(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " ,\"'") || a == "" {
			a = fmt.Sprintf("%q", a)
		}
		out[i] = a
	}
	return out
}

// TestHelpGolden: help goes to stdout and exits 0, for guichet and for
// every command, with the command's flags and examples.
func TestHelpGolden(t *testing.T) {
	cleanEnv(t)
	golden(t, "help", transcript(t, []string{"--help"}, []string{"help"}, []string{}))
	for _, name := range sortedKeys(commands) {
		t.Run(name, func(t *testing.T) {
			out := transcript(t, []string{name, "--help"})
			if !strings.Contains(out, "[exit 0]\n[stdout]\nusage: guichet "+name) || strings.Contains(out, "[stderr]") {
				t.Errorf("guichet %s --help: want the usage on stdout and nothing on stderr:\n%s", name, out)
			}
			if !strings.Contains(out, "\nexamples:\n  guichet ") && !strings.Contains(out, "| guichet "+name) {
				t.Errorf("guichet %s --help shows no example:\n%s", name, out)
			}
			golden(t, "help-"+name, out)
		})
	}
}

// TestErrorsGolden: mistakes on the command line are told in the
// command's terms (flags, not HTTP parameters), once, with exit status 2;
// failures of a command that ran exit 1.
func TestErrorsGolden(t *testing.T) {
	cleanEnv(t)
	const dir = "../../data/testdata/jurisdiction"
	golden(t, "errors", transcript(t,
		[]string{"frobnicate"},
		[]string{"help", "frobnicate"},
		[]string{"nearest", "--lat", "45.2"},
		[]string{"nearest", "--data", dir, "--lat", "north", "--lon", "5.7"},
		[]string{"nearest", "--data", dir, "--lat", "45.2", "--lon", "5.7", "--limit", "1000"},
		[]string{"nearest", "--lat", "45.2", "--lon", "5.7"},
		[]string{"nearest", "--limit", "many"},
		[]string{"locate", "--nope"},
		[]string{"locate", "--data", dir, "--lat", "47", "--lon", "-3"},
		[]string{"validate", "extra"},
		[]string{"geocode", "--data", dir, "--json", "in.csv"},
		[]string{"geocode", "--data", dir, "--delimiter", "::", "-"},
		[]string{"hours", "--at", "now"},
	))
}

// TestValidateGolden: the load report as a person reads it, rejections
// counted in words.
func TestValidateGolden(t *testing.T) {
	cleanEnv(t)
	out := transcript(t, []string{"validate", "--data", "../../data/testdata/stations"})
	if strings.Contains(out, "map[") {
		t.Errorf("validate prints a Go map:\n%s", out)
	}
	golden(t, "validate", out)
}
