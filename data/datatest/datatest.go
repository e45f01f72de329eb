// Package datatest loads datasets for the tests of the packages above
// data/load: the fixtures of data/testdata and the national open data.
// The tests of data/load itself cannot use it (it imports data/load); the
// tests of data reach it through data's load_hook_test.go.
package datatest

import (
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"guichet/data"
	"guichet/data/load"
	"guichet/data/opendatatest"
)

// Load loads dir, failing tb on any error.
func Load(tb testing.TB, dir string) *data.Dataset {
	tb.Helper()
	ds, err := load.Dir(dir, load.Options{})
	if err != nil {
		tb.Fatalf("LoadDir(%s) = %v", dir, err)
	}
	return ds
}

// CopyFixtures copies the files named relative to the testdata directory
// root into one fresh directory, since a load reads a whole directory.
func CopyFixtures(tb testing.TB, root string, files ...string) string {
	tb.Helper()
	dir := tb.TempDir()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

var national struct {
	once sync.Once
	ds   *data.Dataset
	err  error
}

// National loads the whole national open-data directory once per test
// binary; see opendatatest for when it skips.
func National(tb testing.TB) *data.Dataset {
	tb.Helper()
	dir := opendatatest.Dir(tb)
	national.once.Do(func() { national.ds, national.err = load.Dir(dir, load.Options{}) })
	if national.err != nil {
		tb.Fatalf("LoadDir(%s) = %v", dir, national.err)
	}
	return national.ds
}

// CPUSeconds is the CPU time this process has used, user and system: on a
// shared machine it measures a benchmark's own work, which the wall clock
// mixes with other processes' load.
func CPUSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
