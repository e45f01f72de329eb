package api

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"guichet/data"
)

// TestAppendStationMatchesEncodingJSON holds the fast station encoder to
// encoding/json's output for every station, at instants that give open,
// closed and holiday states.
func TestAppendStationMatchesEncodingJSON(t *testing.T) {
	dirs := []string{"../data/testdata/stations"}
	if od := os.Getenv("GUICHET_OPENDATA"); od != "" {
		dirs = append(dirs, filepath.Join(od, "forces-de-l-ordre", "pel-referentiels"))
	}
	instants := []time.Time{
		time.Date(2026, 12, 2, 10, 30, 0, 0, time.UTC), // Wednesday morning in Paris
		time.Date(2026, 12, 2, 22, 0, 0, 0, time.UTC),  // night in Paris, day in the Pacific
		time.Date(2026, 12, 25, 9, 0, 0, 0, time.UTC),  // Christmas
		time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), // repeated hour of the DST change
		time.Date(2027, 5, 27, 12, 0, 0, 0, time.UTC),  // abolition of slavery in Guadeloupe
	}
	for _, dir := range dirs {
		ds, err := data.LoadDir(dir, data.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s := New(DefaultConfig(), ds, nil)
		frags := s.fragments(ds)
		stations := ds.Stations(data.StationFilter{})
		if len(frags) != len(stations) {
			t.Fatalf("%s: %d fragments for %d stations", dir, len(frags), len(stations))
		}
		for _, st := range stations {
			for _, at := range instants {
				distance := 1234.56
				want := newStationJSON(st, at)
				d := roundM(distance)
				want.DistanceM = &d
				wantJSON, err := json.Marshal(want)
				if err != nil {
					t.Fatal(err)
				}
				if got := appendStation(nil, frags[st], st, distance, at); string(got) != string(wantJSON) {
					t.Fatalf("%s at %v:\n got %s\nwant %s", st.ID, at, got, wantJSON)
				}
			}
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "open", `a"b`, `back\slash`, "Jour férié : Noël", "<script>&", "tab\there", "\u2028"} {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestFragmentsFollowReload(t *testing.T) {
	s := mustServer(t)
	first := s.Dataset()
	if s.fragments(first) == nil {
		t.Fatal("no fragments for the dataset being served")
	}
	second := mustServer(t).Dataset()
	s.SetDataset(second)
	if c := s.encoded.Load(); c == nil || c.ds != second || c.frags == nil {
		t.Fatal("SetDataset did not build the fragments of the new dataset")
	}
	f := s.fragments(second)
	if st, _ := second.Station("gn-1004321"); f[st] == nil {
		t.Error("fragments of the new dataset lack its stations")
	}
	// A request still pinned to the old dataset encodes the slow way
	// rather than rebuilding fragments nobody else will use.
	if s.fragments(first) != nil {
		t.Error("fragments rebuilt for a dataset no longer served")
	}
}
