package geocode

import (
	"github.com/paulmach/orb"

	"guichet/geo"
)

// distanceM is the project's one distance, geo.Distance, in metres.
func distanceM(a, b orb.Point) float64 { return geo.Distance(a, b) }

// boxDistanceM is geo's box bound for the float32 rectangles of the
// index: a lower bound in metres of the distance from b's point to any
// point inside [lo, hi].
func boxDistanceM(b *geo.BoxBound, lo, hi [2]float32) float64 {
	return b.DistanceM([2]float64{float64(lo[0]), float64(lo[1])}, [2]float64{float64(hi[0]), float64(hi[1])})
}
