package load

import (
	"testing"

	"guichet/data"
	"guichet/data/datatest"
)

func copyFixtures(tb testing.TB, files ...string) string {
	return datatest.CopyFixtures(tb, "../testdata", files...)
}

func loadDir(dir string) (*data.Dataset, error) { return Dir(dir, Options{}) }

func nationalDataset(tb testing.TB) *data.Dataset { return datatest.National(tb, loadDir) }

func stationNamed(tb testing.TB, ds *data.Dataset, name string) *data.Station {
	return datatest.StationNamed(tb, ds, name)
}
