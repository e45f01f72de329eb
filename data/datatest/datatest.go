// Package datatest holds the helpers shared by the tests of data/load,
// data/batch and data: fixtures copied into a directory, the national
// dataset loaded once per test binary, a station found by name, the CPU
// time of a benchmark.
//
// It imports data but not data/load, so that the tests of data/load can
// use it: the loader is passed in.
package datatest

import (
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"guichet/data"
	"guichet/data/opendatatest"
)

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

// National loads the whole national open-data directory with loadDir
// once per test binary; see opendatatest for when it skips.
func National(tb testing.TB, loadDir func(dir string) (*data.Dataset, error)) *data.Dataset {
	tb.Helper()
	dir := opendatatest.Dir(tb)
	national.once.Do(func() { national.ds, national.err = loadDir(dir) })
	if national.err != nil {
		tb.Fatalf("load.Dir(%s) = %v", dir, national.err)
	}
	return national.ds
}

// StationNamed returns the station of ds named name, failing tb without one.
func StationNamed(tb testing.TB, ds *data.Dataset, name string) *data.Station {
	tb.Helper()
	for _, s := range ds.Stations(data.StationFilter{}) {
		if s.Name == name {
			return s
		}
	}
	tb.Fatalf("no station named %q", name)
	return nil
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
