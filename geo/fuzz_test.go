package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// FuzzPolygonAdd feeds arbitrary rings to Add and checks that it either
// rejects them with an error or yields an index whose Locate agrees with a
// scan of the parts and whose Nearby never panics or reports a negative
// or out-of-range distance.
func FuzzPolygonAdd(f *testing.F) {
	f.Add(2.0, 48.0, 2.1, 48.0, 2.1, 48.1, 2.05, 48.05, 2.05, 48.05, 100.0)
	f.Add(-176.2, -13.3, -176.1, -13.3, -176.1, -13.2, -176.2, -13.3, -176.15, -13.25, 5000.0)
	f.Add(0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0)
	f.Add(math.NaN(), 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 1.5, 1.5, 10.0)
	f.Fuzz(func(t *testing.T, x0, y0, x1, y1, x2, y2, x3, y3, px, py, maxM float64) {
		var ix PolygonIndex[int]
		ring := orb.Ring{{x0, y0}, {x1, y1}, {x2, y2}, {x3, y3}}
		if err := ix.Add(orb.Polygon{ring}, 7); err != nil {
			if ix.Len() != 0 {
				t.Fatalf("Add failed (%v) but Len() = %d", err, ix.Len())
			}
			return
		}
		p := orb.Point{px, py}
		got, ok := ix.Locate(p)
		want := ix.parts[0].bound.Contains(p) && ix.parts[0].contains(p)
		if ok != want || ok && got != 7 {
			t.Fatalf("Locate(%v) = %v, %v, want %v", p, got, ok, want)
		}
		for _, nb := range ix.Nearby(p, maxM, nil) {
			if !(nb.DistanceM >= 0 && nb.DistanceM <= maxM) || nb.Value != 7 {
				t.Fatalf("Nearby(%v, %v) = %+v", p, maxM, nb)
			}
		}
	})
}
