package geocode

import (
	"math"

	"github.com/paulmach/orb"

	"guichet/geo"
)

// distanceM is the project's one distance, geo.Distance, in metres.
func distanceM(a, b orb.Point) float64 { return geo.Distance(a, b) }

// boxDistanceM is the exact great-circle distance in metres from p to
// the lon/lat rectangle [lo, hi], so it is a valid lower bound for any
// point inside. When p's longitude is inside the rectangle the nearest
// point lies on p's meridian; otherwise it lies on the nearer side
// meridian, at the latitude closest to p's foot on that great circle,
// clamped to the rectangle. Longitudes do not wrap at ±180°.
func boxDistanceM(p orb.Point, lo, hi [2]float32) float64 {
	lon, lat := p[0], p[1]
	x0, y0, x1, y1 := float64(lo[0]), float64(lo[1]), float64(hi[0]), float64(hi[1])
	if lon >= x0 && lon <= x1 {
		switch {
		case lat < y0:
			return (y0 - lat) * math.Pi / 180 * geo.EarthRadius
		case lat > y1:
			return (lat - y1) * math.Pi / 180 * geo.EarthRadius
		}
		return 0
	}
	side := x0
	if lon > x1 {
		side = x1
	}
	dlon := math.Abs(lon-side) * math.Pi / 180
	if dlon >= math.Pi/2 {
		return 0 // too far for the foot formula; 0 is still a lower bound
	}
	foot := math.Atan(math.Tan(lat*math.Pi/180)/math.Cos(dlon)) * 180 / math.Pi
	foot = min(max(foot, y0), y1)
	return distanceM(p, orb.Point{side, foot})
}
