package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCommandsUseSnapshot: a data command run twice answers the same,
// the second time from the snapshot the first wrote; a damaged snapshot
// is said once on stderr, with its reason, and the answer is unchanged;
// --no-snapshot reads and writes none.
func TestCommandsUseSnapshot(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-time.Hour)
	src := "../../data/testdata/jurisdiction"
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(src, e.Name()))
		p := filepath.Join(dir, e.Name())
		os.WriteFile(p, b, 0o644)
		os.Chtimes(p, old, old)
	}
	snapDir := t.TempDir()
	t.Setenv("GUICHET_SNAPSHOT_DIR", snapDir)
	cmd := func(args ...string) (string, string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); code != 0 {
			t.Fatalf("guichet %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
		}
		return stdout.String(), stderr.String()
	}
	commands := [][]string{
		{"nearest", "--data", dir, "--lat", "45.19", "--lon", "5.72"},
		{"locate", "--data", dir, "--lat", "48.85", "--lon", "2.28"},
		{"validate", "--data", dir},
		{"geocode", "--data", dir, "--json", "Grenoble"},
	}
	for _, args := range commands {
		os.RemoveAll(snapDir)
		first, errs := cmd(args...)
		snaps, _ := filepath.Glob(filepath.Join(snapDir, "snapshot-*"))
		if len(snaps) != 1 || errs != "" {
			t.Fatalf("guichet %s wrote %v, stderr %q; want one snapshot, nothing said", args[0], snaps, errs)
		}
		if second, errs := cmd(args...); second != first || errs != "" {
			t.Errorf("guichet %s from the snapshot:\n%s\nstderr %q\nwant\n%s", args[0], second, errs, first)
		}
		raw, _ := os.ReadFile(snaps[0])
		os.WriteFile(snaps[0], raw[:len(raw)-10], 0o644)
		damaged, errs := cmd(args...)
		if damaged != first || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "snapshot not used") || !strings.Contains(errs, "truncated") {
			t.Errorf("guichet %s with a truncated snapshot: stderr %q, output same: %v", args[0], errs, damaged == first)
		}
		os.RemoveAll(snapDir)
		if out, _ := cmd(append([]string{args[0], "--no-snapshot"}, args[1:]...)...); out != first {
			t.Errorf("guichet %s --no-snapshot answers otherwise", args[0])
		}
		if _, err := os.Stat(snapDir); err == nil {
			t.Errorf("guichet %s --no-snapshot wrote a snapshot", args[0])
		}
	}
}
