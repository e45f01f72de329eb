package batch

import (
	"testing"

	"guichet/data"
	"guichet/data/datatest"
	"guichet/data/load"
)

func loadDir(dir string) (*data.Dataset, error) { return load.Dir(dir, load.Options{}) }

func mustLoad(tb testing.TB, dir string) *data.Dataset {
	tb.Helper()
	ds, err := loadDir(dir)
	if err != nil {
		tb.Fatalf("load.Dir(%s) = %v", dir, err)
	}
	return ds
}

func copyFixtures(tb testing.TB, files ...string) string {
	return datatest.CopyFixtures(tb, "../testdata", files...)
}

func nationalDataset(tb testing.TB) *data.Dataset { return datatest.National(tb, loadDir) }

func stationNamed(tb testing.TB, ds *data.Dataset, name string) *data.Station {
	return datatest.StationNamed(tb, ds, name)
}
