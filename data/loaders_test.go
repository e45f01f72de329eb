package data

import (
	"io/fs"
	"testing"
)

// The loaders live in data/load, which imports data, so the tests of this
// package cannot import them: load_hook_test.go (package data_test, in the
// same test binary) hands them over through SetTestLoaders before any
// test runs.
var (
	// loadDir and loadFS are load.Dir and load.FS with default options.
	loadDir       func(dir string) (*Dataset, error)
	loadFS        func(fsys fs.FS) (*Dataset, error)
	errNoStations error
)

// SetTestLoaders is called once by load_hook_test.go.
func SetTestLoaders(dir func(string) (*Dataset, error), fsys func(fs.FS) (*Dataset, error), noStations error) {
	loadDir, loadFS, errNoStations = dir, fsys, noStations
}

func mustLoad(tb testing.TB, dir string) *Dataset {
	tb.Helper()
	ds, err := loadDir(dir)
	if err != nil {
		tb.Fatalf("load.Dir(%s) = %v", dir, err)
	}
	return ds
}

func stationNamed(tb testing.TB, ds *Dataset, name string) *Station {
	tb.Helper()
	for i := range ds.stations {
		if ds.stations[i].Name == name {
			return &ds.stations[i]
		}
	}
	tb.Fatalf("no station named %q", name)
	return nil
}
