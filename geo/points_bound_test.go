package geo

import (
	"math"
	"math/rand"
	"testing"

	"github.com/paulmach/orb"

	"guichet/geo/geotest"
)

// orb's own bound is the oracle: random point sets, including repeated
// points, sets of one and the empty set.
func TestPointsBoundMatchesOrb(t *testing.T) {
	rng := geotest.Rand(t)
	for i := 0; i < 5000; i++ {
		pts := make([]orb.Point, rng.Intn(40))
		for j := range pts {
			if j > 0 && rng.Intn(5) == 0 {
				pts[j] = pts[rng.Intn(j)]
				continue
			}
			pts[j] = orb.Point{rng.Float64()*360 - 180, rng.Float64()*180 - 90}
		}
		got, want := PointsBound(pts), orb.MultiPoint(pts).Bound()
		if got != want {
			t.Fatalf("case %d: PointsBound(%v) = %v, orb says %v", i, pts, got, want)
		}
	}
	nan := []orb.Point{{1, 2}, {math.NaN(), 3}, {0, 0}}
	got, want := PointsBound(nan), orb.MultiPoint(nan).Bound()
	if !math.IsNaN(got.Min[0]) || !math.IsNaN(want.Min[0]) || got.Min[1] != want.Min[1] || got.Max[1] != want.Max[1] {
		t.Errorf("with a NaN: PointsBound = %v, orb says %v", got, want)
	}
}

func BenchmarkPointsBound(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	pts := make([]orb.Point, 1000)
	for i := range pts {
		pts[i] = orb.Point{rng.Float64(), rng.Float64()}
	}
	b.Run("PointsBound", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			PointsBound(pts)
		}
	})
	b.Run("orb", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			orb.MultiPoint(pts).Bound()
		}
	})
}
