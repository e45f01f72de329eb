package api

import (
	"encoding/json"
	"iter"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"guichet/data"
	"guichet/data/hours"
	"guichet/data/load"

	"github.com/paulmach/orb"
)

// TestAppendStationMatchesEncodingJSON holds the fast station encoder to
// encoding/json's output for every station, at instants that give open,
// closed and holiday states.
func TestAppendStationMatchesEncodingJSON(t *testing.T) {
	dirs := []string{"../data/testdata/stations"}
	if od := os.Getenv("GUICHET_OPENDATA"); od != "" {
		dirs = append(dirs, filepath.Join(od, "forces-de-l-ordre", "pel-referentiels"))
	}
	// Instants close together reuse a station's encoded state; the others,
	// and those that go back in time, encode it anew.
	instants := []time.Time{
		time.Date(2026, 12, 2, 10, 30, 0, 0, time.UTC), // Wednesday morning in Paris
		time.Date(2026, 12, 2, 10, 31, 0, 0, time.UTC),
		time.Date(2026, 12, 2, 10, 59, 59, 0, time.UTC), // noon in Paris, a second before
		time.Date(2026, 12, 2, 11, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 2, 22, 0, 0, 0, time.UTC),    // night in Paris, day in the Pacific
		time.Date(2026, 12, 5, 22, 0, 0, 0, time.UTC),    // Saturday night in Paris
		time.Date(2026, 12, 5, 23, 30, 0, 0, time.UTC),   // the same night, Sunday in Paris
		time.Date(2026, 12, 24, 22, 59, 59, 0, time.UTC), // Christmas Eve in Paris, a second before midnight
		time.Date(2026, 12, 24, 23, 0, 1, 0, time.UTC),   // Christmas in Paris
		time.Date(2026, 12, 25, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), // repeated hour of the DST change
		time.Date(2027, 5, 27, 12, 0, 0, 0, time.UTC),  // abolition of slavery in Guadeloupe
	}
	distances := []float64{1234.56, 0, 0.05, 99.95, 17230.04, 20015086.8}
	for _, dir := range dirs {
		ds, err := load.Dir(dir, load.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s := New(DefaultConfig(), ds, nil)
		frags := s.fragments(ds)
		stations := ds.Stations(data.StationFilter{})
		if len(frags.byStation) != len(stations) {
			t.Fatalf("%s: %d fragments for %d stations", dir, len(frags.byStation), len(stations))
		}
		for _, st := range stations {
			for i, at := range instants {
				distance := distances[i%len(distances)]
				want := newStationJSON(st, at)
				d := roundM(distance)
				want.DistanceM = &d
				wantJSON, err := json.Marshal(want)
				if err != nil {
					t.Fatal(err)
				}
				enc := newStationEncoder(ds, frags, maskAll, at)
				if got := enc.appendStation(nil, st, distance, true); string(got) != string(wantJSON) {
					t.Fatalf("%s at %v:\n got %s\nwant %s", st.ID, at, got, wantJSON)
				}
				// The compact station, the default of lists, is written
				// from pieces of its own, its hours reused while they hold.
				for j, m := range []fieldMask{maskCompact, maskCompact &^ maskLocation} {
					enc := newStationEncoder(ds, frags, m, at)
					if j == 1 {
						// From the table of every station's hours, when
						// it holds at this instant.
						enc.refreshHours()
					}
					var got map[string]any
					if err := json.Unmarshal(enc.appendStation(nil, st, distance, true), &got); err != nil {
						t.Fatal(err)
					}
					if want := pruned(t, wantJSON, m); !reflect.DeepEqual(got, want) {
						t.Fatalf("%s at %v, mask %b:\n got %v\nwant %v", st.ID, at, m, got, want)
					}
				}
			}
		}
	}
}

// TestCompactHoursFollowTheDay checks that the compact station's hours,
// reused while the dataset hands out the same state and day, change at
// midnight even when the state does not: closed from Saturday noon to
// Sunday 09:00, with other ranges on Sunday, and no holiday rule that
// would end the state's reuse at midnight.
func TestCompactHoursFollowTheDay(t *testing.T) {
	sched, err := hours.ParseOSM("Mo-Sa 08:00-12:00; Su 09:00-11:00")
	if err != nil {
		t.Fatal(err)
	}
	ds := data.New(data.Sources{
		Stations:     []data.Station{{ID: "gn-1", Name: "Brigade", Force: data.Gendarmerie, Location: orb.Point{5.72, 45.19}, Hours: sched, Locale: hours.LocaleFor("38")}},
		StationLines: []int{2},
	})
	st, err := ds.Station("gn-1")
	if err != nil {
		t.Fatal(err)
	}
	paris := st.Locale.Location
	f := newFragments(st)
	for _, tt := range []struct {
		at    time.Time
		today string
	}{
		{time.Date(2026, 12, 5, 23, 0, 0, 0, paris), `"today":["08:00-12:00"]`},
		{time.Date(2026, 12, 6, 0, 30, 0, 0, paris), `"today":["09:00-11:00"]`},
	} {
		enc := newStationEncoder(ds, nil, maskCompact, tt.at)
		got := string(enc.appendObject(nil, f, maskCompact, nil, 0, false))
		if !strings.Contains(got, `"state":"closed"`) || !strings.Contains(got, tt.today) {
			t.Errorf("at %v: %s, want closed and %s", tt.at, got, tt.today)
		}
	}
}

// TestAppendDecimetres holds the integer formatting of distances to
// encoding/json's formatting of roundM, from a millimetre to beyond the
// Earth's circumference.
func TestAppendDecimetres(t *testing.T) {
	distances := []float64{0, 0.04, 0.05, 0.95, 0.9499999, 99.95, 1e-9, 20037508.34, 1e15, 1e17}
	for m := 0.001; m < 5e7; m *= 1.0007 {
		distances = append(distances, m)
	}
	for _, m := range distances {
		want, _ := json.Marshal(roundM(m))
		if got := appendDecimetres(nil, m); string(got) != string(want) {
			t.Fatalf("appendDecimetres(%v) = %s, want %s", m, got, want)
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
	if st, _ := second.Station("gn-1004321"); f.byStation[st] == nil {
		t.Error("fragments of the new dataset lack its stations")
	}
	// A request still pinned to the old dataset encodes the slow way
	// rather than rebuilding fragments nobody else will use.
	if s.fragments(first) != nil {
		t.Error("fragments rebuilt for a dataset no longer served")
	}
}

// stationDatasets loads the fixture stations and, with GUICHET_OPENDATA,
// the national ones, by directory.
func stationDatasets(t *testing.T) iter.Seq2[string, *data.Dataset] {
	dirs := []string{"../data/testdata/stations"}
	if od := os.Getenv("GUICHET_OPENDATA"); od != "" {
		dirs = append(dirs, filepath.Join(od, "forces-de-l-ordre", "pel-referentiels"))
	}
	return func(yield func(string, *data.Dataset) bool) {
		for _, dir := range dirs {
			ds, err := load.Dir(dir, load.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !yield(dir, ds) {
				return
			}
		}
	}
}

// TestFragmentTable checks the table of a dataset against fragments built
// one station at a time: the same compact head for every station, found
// by its pointer and by the index of a hit, the heads laid end to end in
// the arena, and a hit whose index names another station still finding
// its own.
func TestFragmentTable(t *testing.T) {
	for dir, ds := range stationDatasets(t) {
		tab := newFragmentTable(ds)
		if len(tab.all) != ds.Len() || len(tab.byStation) != ds.Len() {
			t.Fatalf("%s: %d fragments, %d by station, for %d stations", dir, len(tab.all), len(tab.byStation), ds.Len())
		}
		start := 0
		for i := range tab.all {
			f := &tab.all[i]
			// End to end, each clipped so that an append copies.
			if len(f.compactHead) == 0 || &f.compactHead[0] != &tab.arena[start] || cap(f.compactHead) != len(f.compactHead) {
				t.Fatalf("%s: the head of %s is not the next slice of the arena", dir, f.station.ID)
			}
			start += len(f.compactHead)
		}
		if start != len(tab.arena) {
			t.Fatalf("%s: heads of %d bytes in an arena of %d", dir, start, len(tab.arena))
		}
		for i := range ds.Len() {
			st := ds.StationAt(i)
			want := newFragments(st)
			f := tab.ofHit(&data.StationHit{Station: st, Index: int32(i)})
			if f == nil || f.station != st || tab.byStation[st] != f {
				t.Fatalf("%s: station %d (%s) not found by its index", dir, i, st.ID)
			}
			if string(f.compactHead) != string(want.compactHead) || string(f.buf) != string(want.buf) || f.off != want.off {
				t.Fatalf("%s: %s: table head %s\nwant %s", dir, st.ID, f.compactHead, want.compactHead)
			}
			other := (i + 1) % ds.Len()
			if ds.Len() > 1 && tab.ofHit(&data.StationHit{Station: st, Index: int32(other)}) != f {
				t.Fatalf("%s: a hit of %s with the index of another station", dir, st.ID)
			}
		}
	}
}

// TestHoursTable checks the table of every station's compact hours against
// each station's hours encoded on its own, at instants that follow one
// another as the clock does, and that it is rebuilt once past its span.
func TestHoursTable(t *testing.T) {
	for dir, ds := range stationDatasets(t) {
		tab := newFragmentTable(ds)
		index := make(map[*data.Station]int32, ds.Len())
		for i := range ds.Len() {
			index[ds.StationAt(i)] = int32(i)
		}
		at := time.Date(2026, 12, 24, 7, 0, 0, 0, time.UTC)
		end := at.Add(48 * time.Hour)
		builds := 0
		own := make([]*stationFragments, ds.Len())
		for at.Before(end) {
			enc := newStationEncoder(ds, tab, maskCompact, at)
			before := tab.hours.Load()
			enc.refreshHours()
			ht := tab.hours.Load()
			if ht != before {
				builds++
			}
			if !(ht.from <= at.UnixNano() && at.UnixNano() < ht.until) {
				t.Fatalf("%s at %v: table for [%d, %d)", dir, at, ht.from, ht.until)
			}
			inTable := 0
			for p := range tab.all {
				got := ht.arena[ht.off[p]:ht.off[p+1]]
				if len(got) == 0 {
					continue
				}
				inTable++
				st := tab.all[p].station
				alone := newStationEncoder(ds, nil, maskCompact, at)
				f := own[p]
				if f == nil {
					f = newFragments(st)
					own[p] = f
				}
				f.hours.Store(nil) // encoded anew, not from an earlier instant
				want, _ := alone.stationHours(f, nil)
				if string(got) != string(want) {
					t.Fatalf("%s at %v: %s: table %s\nwant %s", dir, at, st.ID, got, want)
				}
				// A nearest hit written from the arenas alone is the
				// station's compact object.
				hit := data.StationHit{Station: st, Index: index[st], DistanceM: 1234.56}
				fast, ok := enc.appendCompactHit([]byte("["), &hit)
				if wantObj := alone.appendObject([]byte("["), f, maskCompact, nil, hit.DistanceM, true); !ok || string(fast) != string(wantObj) {
					t.Fatalf("%s at %v: hit of %s: %s\nwant %s", dir, at, st.ID, fast, wantObj)
				}
			}
			if inTable == 0 {
				t.Fatalf("%s at %v: no station in the table", dir, at)
			}
			// The first instant past the table, then a while later.
			at = time.Unix(0, ht.until)
			if builds%2 == 0 {
				at = at.Add(17 * time.Minute)
			}
		}
		if builds < 3 {
			t.Fatalf("%s: %d tables over two days", dir, builds)
		}
		t.Logf("%s: %d tables over two days", dir, builds)
	}
}
