package load

import (
	"os"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/paulmach/orb"

	"guichet/data"
	"guichet/geo/geocode"
)

// restored returns the dataset of the fixture directory dir as a load of
// the files builds it, and as its snapshot payload restores it, with a
// count of the times the restored one decoded its commune sources.
func restored(t *testing.T, dir string) (fresh, got *data.Dataset, fills *atomic.Int32) {
	t.Helper()
	src, err := readFS(os.DirFS(dir), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(src.Stations) == 0 {
		t.Skip("no station: no snapshot")
	}
	fresh, payload := buildPayload(src)
	s, sum, fill, check, err := decodePayload(payload)
	if err == nil {
		err = check()
	}
	if err != nil {
		t.Fatal(err)
	}
	fills = new(atomic.Int32)
	got = data.Restore(s, sum, func(s *data.Sources) { fills.Add(1); fill(s) })
	return fresh, got, fills
}

// TestRestoreBuildsOnFirstUse: a restored dataset answers a nearest query
// without decoding its commune sources; the first queries that need them,
// concurrent, decode them once and answer as the dataset built from the
// files, before and after Warm.
func TestRestoreBuildsOnFirstUse(t *testing.T) {
	for _, name := range []string{"jurisdiction", "police-territory", "postal", "servicepublic"} {
		t.Run(name, func(t *testing.T) {
			fresh, got, fills := restored(t, "../testdata/"+name)
			st := fresh.Stations(data.StationFilter{})
			p := st[0].Location
			near := data.NearestQuery{Point: p, Limit: 3}
			if _, _, err := got.Nearest(near, nil); err != nil {
				t.Fatal(err)
			}
			if n := fills.Load(); n != 0 {
				t.Fatalf("a nearest query decoded the commune sources %d times", n)
			}
			type answer struct {
				Loc    data.Jurisdiction
				LocErr error
				Geo    []data.GeoMatch
				Rev    []data.GeoMatch
				Comp   *data.Competence
				Hits   []data.StationHit
			}
			ask := func(ds *data.Dataset, p orb.Point, q string) answer {
				var a answer
				a.Loc, a.LocErr = ds.Locate(p, 500)
				a.Geo, _ = ds.Geocode(t.Context(), geocode.Query{Text: q, Limit: 5})
				a.Rev, _ = ds.ReverseGeocode(p, 3)
				a.Hits, a.Comp, _ = ds.Nearest(data.NearestQuery{Point: p, Limit: 3, Competent: true}, nil)
				return a
			}
			var wg sync.WaitGroup
			answers := make([]answer, 2*len(st))
			for i := range answers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s := st[i%len(st)]
					answers[i] = ask(got, s.Location, s.Address.City)
				}()
			}
			wg.Wait()
			if n := fills.Load(); n != 1 {
				t.Errorf("commune sources decoded %d times, want once", n)
			}
			for i, a := range answers {
				s := st[i%len(st)]
				if want := ask(fresh, s.Location, s.Address.City); !reflect.DeepEqual(a, want) {
					t.Errorf("cold, at %s: got %+v\nwant %+v", s.ID, a, want)
				}
			}
			got.Warm()
			for _, s := range st {
				if a, want := ask(got, s.Location, s.Address.City), ask(fresh, s.Location, s.Address.City); !reflect.DeepEqual(a, want) {
					t.Errorf("warm, at %s: got %+v\nwant %+v", s.ID, a, want)
				}
			}
			if !reflect.DeepEqual(got.Report(), fresh.Report()) || !reflect.DeepEqual(got.Sizes(), fresh.Sizes()) {
				t.Errorf("report or sizes differ")
			}
		})
	}
}
