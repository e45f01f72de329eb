package geo

import "github.com/paulmach/orb"

// PointsBound returns the bound of pts, the same as
// orb.MultiPoint(pts).Bound(), in a plain min/max loop: orb's Extend
// tests emptiness and containment for every point, which made bounds a
// large part of the time to build the commune index at start. Like orb, a
// NaN coordinate makes the bound NaN and no point gives the empty bound.
func PointsBound(pts []orb.Point) orb.Bound {
	if len(pts) == 0 {
		return orb.MultiPoint(nil).Bound()
	}
	minX, minY, maxX, maxY := pts[0][0], pts[0][1], pts[0][0], pts[0][1]
	nan := false
	for _, p := range pts[1:] {
		x, y := p[0], p[1]
		if x < minX {
			minX = x
		} else if x > maxX {
			maxX = x
		}
		if y < minY {
			minY = y
		} else if y > maxY {
			maxY = y
		}
		nan = nan || x != x || y != y
	}
	if nan || minX != minX || minY != minY {
		return orb.MultiPoint(pts).Bound() // rare: orb's NaN rules
	}
	return orb.Bound{Min: orb.Point{minX, minY}, Max: orb.Point{maxX, maxY}}
}
