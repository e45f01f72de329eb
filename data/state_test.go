package data

import (
	"os"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"guichet/data/hours"
	"guichet/geo/geotest"
)

// TestNearestStates checks the states and days Nearest returns, many of
// them remembered from earlier instants, against the schedules evaluated
// afresh at the query's instant.
func TestNearestStates(t *testing.T) {
	rng := geotest.Rand(t)
	var ds *Dataset
	if os.Getenv("GUICHET_OPENDATA") != "" || os.Getenv("CI") == "true" {
		ds = nationalDataset(t)
	} else {
		ds = mustLoad(t, jurisdictionFixtures)
	}
	paris := hours.LocaleFor("75").Location
	at := randomOpenInstant(rng, paris)
	var hits []StationHit
	var checked int
	for range 3000 {
		if rng.Intn(2) == 0 {
			at = randomOpenInstant(rng, paris)
		} else {
			// Later the same day, when the remembered states may hold.
			at = at.Add(time.Duration(rng.Int63n(int64(3 * time.Hour))))
		}
		s := &ds.stations[rng.Intn(len(ds.stations))]
		p := orb.Point{s.Location[0] + rng.NormFloat64()*0.05, s.Location[1] + rng.NormFloat64()*0.05}
		var err error
		hits, _, err = ds.Nearest(NearestQuery{Point: p, Limit: 5, StateAt: at}, hits)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			checked++
			st := h.Station
			want := st.Hours.At(at, st.Locale)
			got := h.State
			if got == nil || got.Status != want.Status || got.Comment != want.Comment || got.Reason != want.Reason || !got.Next.Equal(want.Next) {
				t.Fatalf("%s at %v: state %+v, want %+v", st.ID, at, got, want)
			}
			if at.Before(got.From) || !at.Before(got.Until) && !got.Until.Equal(at) {
				t.Fatalf("%s at %v: state holds in [%v, %v)", st.ID, at, got.From, got.Until)
			}
			day, wantDay := h.Today, st.DayOf(at)
			if day == nil || !day.Start.Equal(wantDay.Start) || !day.End.Equal(wantDay.End) || (day.Open == nil) != (wantDay.Open == nil) || len(day.Open) != len(wantDay.Open) {
				t.Fatalf("%s at %v: day %+v, want %+v", st.ID, at, day, wantDay)
			}
			for k := range day.Open {
				if !day.Open[k].Start.Equal(wantDay.Open[k].Start) || !day.Open[k].End.Equal(wantDay.Open[k].End) {
					t.Fatalf("%s at %v: day %+v, want %+v", st.ID, at, day, wantDay)
				}
			}
			if at.Before(wantDay.Start) || !at.Before(wantDay.End) {
				t.Fatalf("%s: %v is not in its day %+v", st.ID, at, wantDay)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no hit checked")
	}
	hits, _, _ = ds.Nearest(NearestQuery{Point: ds.stations[0].Location, Limit: 1}, hits)
	if len(hits) != 1 || hits[0].State != nil || hits[0].Today != nil {
		t.Errorf("Nearest without StateAt = %+v, want one hit without state", hits)
	}
}
