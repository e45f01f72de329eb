package batch

import (
	"testing"

	"guichet/data"
	"guichet/data/datatest"
)

func mustLoad(tb testing.TB, dir string) *data.Dataset { return datatest.Load(tb, dir) }

func copyFixtures(tb testing.TB, files ...string) string {
	return datatest.CopyFixtures(tb, "../testdata", files...)
}

func nationalDataset(tb testing.TB) *data.Dataset { return datatest.National(tb) }

func stationNamed(tb testing.TB, ds *data.Dataset, name string) *data.Station {
	tb.Helper()
	for _, s := range ds.Stations(data.StationFilter{}) {
		if s.Name == name {
			return s
		}
	}
	tb.Fatalf("no station named %q", name)
	return nil
}
