package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// EarthRadius is the mean Earth radius in metres, the IUGG mean radius
// R1 = 6,371,008.8 m (Moritz, "Geodetic Reference System 1980").
// Every distance in this package uses it.
const EarthRadius = 6371008.8

const radPerDeg = math.Pi / 180

// Distance returns the great-circle distance in metres between a and b on
// a sphere of radius EarthRadius. It takes the chord between the two
// points on the unit sphere, which is as accurate as the haversine formula
// and is the metric PointIndex ranks by, so that its hits agree to the
// last bit with a brute-force scan.
func Distance(a, b orb.Point) float64 {
	ua, ub := unitVector(a), unitVector(b)
	return metresFromHav(chordHav(&ua, &ub))
}

// metresFromHav converts a haversine value hav(θ) = sin²(θ/2) to metres.
func metresFromHav(h float64) float64 {
	return 2 * EarthRadius * math.Asin(math.Sqrt(math.Min(math.Max(h, 0), 1)))
}

// havFromAngle returns sin²(θ/2), saturating at 1 beyond the antipode so
// that the result stays monotonic in θ.
func havFromAngle(theta float64) float64 {
	if theta >= math.Pi {
		return 1
	}
	s := math.Sin(theta / 2)
	return s * s
}

// unitVector returns p on the unit sphere.
func unitVector(p orb.Point) [3]float64 {
	sLat, cLat := math.Sincos(p[1] * radPerDeg)
	sLon, cLon := math.Sincos(p[0] * radPerDeg)
	return [3]float64{cLat * cLon, cLat * sLon, sLat}
}

// chordHav returns hav(θ) between two unit vectors as |a−b|²/4, which is
// algebraically the haversine term: it needs no trigonometry per item.
func chordHav(a, b *[3]float64) float64 {
	dx, dy, dz := a[0]-b[0], a[1]-b[1], a[2]-b[2]
	return (dx*dx + dy*dy + dz*dz) / 4
}

// validPoint reports whether p has finite coordinates with a latitude in
// [-90, 90].
func validPoint(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsInf(p[0], 0) &&
		p[1] >= -90 && p[1] <= 90
}

// wrapLon maps a finite longitude into [-180, 180).
func wrapLon(lon float64) float64 {
	if lon >= -180 && lon < 180 {
		return lon
	}
	lon = math.Mod(lon+180, 360)
	if lon < 0 {
		lon += 360
	}
	return lon - 180
}

// BoxBound bounds from below the distance from one point to lon/lat
// rectangles, such as the nodes of an R-tree: the package's one box
// bound, which PointIndex uses too.
type BoxBound struct{ q rectBound }

// NewBoxBound returns the BoxBound of distances from p.
func NewBoxBound(p orb.Point) BoxBound { return BoxBound{newRectBound(p)} }

// DistanceM returns a lower bound in metres of Distance from the point to
// any point of the rectangle [min, max] (min[0] <= max[0], no antimeridian
// crossing). It costs no trigonometry beyond one arcsine.
func (b *BoxBound) DistanceM(min, max [2]float64) float64 {
	return metresFromHav(b.q.lowerBound(min, max))
}

// rectBound holds the query-side constants of hav lower bounds.
type rectBound struct {
	lon, lat float64 // degrees, lon wrapped into [-180, 180)
	cosLat   float64
}

func newRectBound(p orb.Point) rectBound {
	return rectBound{lon: wrapLon(p[0]), lat: p[1], cosLat: math.Cos(p[1] * radPerDeg)}
}

// lowerBound returns a lower bound of hav(θ) from the query to any point
// of the lon/lat rectangle [min, max] (min[0] <= max[0], no antimeridian
// crossing; the query itself may lie on the other side of it).
//
// It relaxes the point-to-rectangle distance of Schubert, Zimek and
// Kriegel, "Geodetic Distance Queries on R-Trees for Indexing Geographic
// Data" (SSTD 2013), from the haversine identity
//
//	hav(θ) = hav(Δφ) + cos φq · cos φ · hav(Δλ)
//
// by bounding each factor separately over the rectangle: |Δφ| by the
// latitude gap, cos φ by its value at the latitude farthest from the
// equator, |Δλ| by the longitude gap measured both ways round the globe.
// sin and cos are replaced by truncated Taylor series that bound them from
// below on [0, π/2], so inner nodes cost no trigonometry.
func (q *rectBound) lowerBound(min, max [2]float64) float64 {
	var gapLat float64
	if q.lat < min[1] {
		gapLat = min[1] - q.lat
	} else if q.lat > max[1] {
		gapLat = q.lat - max[1]
	}
	s := sinBelow(gapLat * radPerDeg / 2)
	h := s * s
	if q.lon < min[0] || q.lon > max[0] {
		east := min[0] - q.lon
		if east < 0 {
			east += 360
		}
		west := q.lon - max[0]
		if west < 0 {
			west += 360
		}
		s = sinBelow(math.Min(east, west) * radPerDeg / 2)
		c := cosBelow(math.Max(math.Abs(min[1]), math.Abs(max[1])) * radPerDeg)
		h += q.cosLat * c * s * s
	}
	// Keep clear of rounding in the item metric.
	return h * (1 - 1e-9)
}

// sinBelow returns y − y³/3! + y⁵/5! − y⁷/7! ≤ sin y for y in [0, π/2]
// (the Lagrange remainder is cos ξ·y⁹/9! ≥ 0 there).
func sinBelow(y float64) float64 {
	y2 := y * y
	return y * (1 - y2/6*(1-y2/20*(1-y2/42)))
}

// cosBelow returns max(0, 1 − x²/2! + x⁴/4! − x⁶/6!) ≤ cos x for x in
// [0, π/2] (the remainder is cos ξ·x⁸/8! ≥ 0 there).
func cosBelow(x float64) float64 {
	x2 := x * x
	return math.Max(0, 1-x2/2*(1-x2/12*(1-x2/30)))
}

// capBoxes returns lon/lat boxes covering the spherical cap of angular
// radius r around p, split in two where it crosses the antimeridian (an
// empty box has Min[0] > Max[0]).
func capBoxes(p orb.Point, r float64) [2]orb.Bound {
	empty := orb.Bound{Min: orb.Point{1, 0}, Max: orb.Point{-1, 0}}
	const margin = 1e-9 // degrees, against rounding
	rDeg := r/radPerDeg + margin
	latMin, latMax := math.Max(-90, p[1]-rDeg), math.Min(90, p[1]+rDeg)
	lat := math.Abs(p[1]) * radPerDeg
	if r >= math.Pi/2 || lat+r >= math.Pi/2 {
		return [2]orb.Bound{{Min: orb.Point{-180, latMin}, Max: orb.Point{180, latMax}}, empty}
	}
	// Widest longitude offset of the cap: J. P. Matuschek, "Finding Points
	// Within a Distance of a Latitude/Longitude Using Bounding Coordinates".
	dLon := math.Asin(math.Sin(r)/math.Cos(lat))/radPerDeg + margin
	b := orb.Bound{Min: orb.Point{p[0] - dLon, latMin}, Max: orb.Point{p[0] + dLon, latMax}}
	switch {
	case b.Min[0] < -180:
		return [2]orb.Bound{
			{Min: orb.Point{-180, latMin}, Max: b.Max},
			{Min: orb.Point{b.Min[0] + 360, latMin}, Max: orb.Point{180, latMax}},
		}
	case b.Max[0] > 180:
		return [2]orb.Bound{
			{Min: b.Min, Max: orb.Point{180, latMax}},
			{Min: orb.Point{-180, latMin}, Max: orb.Point{b.Max[0] - 360, latMax}},
		}
	}
	return [2]orb.Bound{b, empty}
}
