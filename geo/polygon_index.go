package geo

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

var (
	// ErrUnsupportedGeometry is returned by PolygonIndex.Add for geometries
	// other than orb.Polygon and orb.MultiPolygon.
	ErrUnsupportedGeometry = errors.New("geo: unsupported geometry")
	// ErrInvalidRing is returned by PolygonIndex.Add for a polygon without
	// rings or a ring with fewer than 4 points once closed.
	ErrInvalidRing = errors.New("geo: invalid ring")
	// ErrInvalidCoordinate is returned by PolygonIndex.Add for a vertex that
	// is not finite or lies outside lon [-180, 180], lat [-90, 90].
	ErrInvalidCoordinate = errors.New("geo: invalid coordinate")
)

// PolygonIndex finds which of a set of polygons contains a point. The zero
// value is an empty index ready for Add.
//
// Polygons are planar in longitude/latitude (edges are straight lines in
// degrees, as in GeoJSON) and must not cross the antimeridian.
//
// Boundary rule: a point belongs to a polygon when the crossing number of
// a ray from it towards increasing longitude is odd, counting an edge
// crossed when the point is strictly to its west and, in latitude, between
// the edge's lower endpoint (included) and upper endpoint (excluded). This
// is the semi-open model of golang/geo's VertexModelSemiOpen for planar
// rings: it is equivalent to testing the point displaced by an
// infinitesimal ε eastwards and ε² northwards. A point on an edge or
// vertex shared by adjoining polygons therefore belongs to exactly one of
// them (the one to its east, or to its north on an east-west edge), and
// the points of a hole, including its boundary seen from the hole side,
// are outside. Shared edges are evaluated from a canonical endpoint order
// so that both neighbours compute bit-identical results.
//
// It is built once, then queried: see the package documentation for the
// concurrency rules.
type PolygonIndex[T any] struct {
	tree   rtree.RTreeG[int32] // part bounds
	parts  []polygonPart
	values []T
}

// polygonPart is one polygon of an Add call: an outer ring and its holes.
type polygonPart struct {
	value  int32       // index into values, one per Add call
	pts    []orb.Point // every ring, closed, one after the other
	ends   []int32     // end offset of each ring in pts
	bound  orb.Bound
	blocks []edgeBlock
}

// edgeBlock is a run of at most blockEdges consecutive edges of one ring,
// pts[from:to] of its part, and their bounding box, so that a distance
// query skips the runs that cannot hold the nearest edge: large
// communes, where most points fall, have the most vertices.
type edgeBlock struct {
	from, to int32
	bound    orb.Bound
}

const blockEdges = 16

// Add indexes the polygon or multipolygon g under v. Each polygon of a
// MultiPolygon is indexed separately; Locate and Nearby report v for any
// of them. Rings need not be closed (Add closes them); each must have at
// least 4 points once closed. On error nothing is added. Add must not run
// concurrently with any other method.
func (ix *PolygonIndex[T]) Add(g orb.Geometry, v T) error {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	default:
		return fmt.Errorf("%w: %T", ErrUnsupportedGeometry, g)
	}
	if len(polys) == 0 {
		return fmt.Errorf("%w: multipolygon has no polygons", ErrInvalidRing)
	}
	if len(ix.values) == math.MaxInt32 || len(ix.parts)+len(polys) > math.MaxInt32 {
		return errors.New("geo: polygon index full")
	}
	parts := make([]polygonPart, 0, len(polys))
	for pi, poly := range polys {
		part, err := newPolygonPart(poly)
		if err != nil {
			return fmt.Errorf("polygon %d: %w", pi, err)
		}
		part.value = int32(len(ix.values))
		parts = append(parts, part)
	}
	ix.values = append(ix.values, v)
	for _, part := range parts {
		i := int32(len(ix.parts))
		ix.parts = append(ix.parts, part)
		ix.tree.Insert(part.bound.Min, part.bound.Max, i)
	}
	return nil
}

func newPolygonPart(poly orb.Polygon) (polygonPart, error) {
	if len(poly) == 0 {
		return polygonPart{}, fmt.Errorf("%w: polygon has no rings", ErrInvalidRing)
	}
	var part polygonPart
	for ri, ring := range poly {
		for j, p := range ring {
			if !(p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90) {
				return polygonPart{}, fmt.Errorf("%w: ring %d point %d is %v", ErrInvalidCoordinate, ri, j, p)
			}
		}
		n := len(ring)
		closed := n > 0 && ring[0] == ring[n-1]
		if !closed {
			n++
		}
		if n < 4 {
			return polygonPart{}, fmt.Errorf("%w: ring %d has %d points once closed, want at least 4", ErrInvalidRing, ri, n)
		}
		part.pts = append(part.pts, ring...)
		if !closed {
			part.pts = append(part.pts, ring[0])
		}
		part.ends = append(part.ends, int32(len(part.pts)))
	}
	part.bound = PointsBound(part.pts)
	start := 0
	for _, end := range part.ends {
		for k := start; k+1 < int(end); k += blockEdges {
			to := min(k+blockEdges+1, int(end))
			part.blocks = append(part.blocks, edgeBlock{int32(k), int32(to), PointsBound(part.pts[k:to])})
		}
		start = int(end)
	}
	return part, nil
}

// Len returns the number of Add calls that succeeded.
func (ix *PolygonIndex[T]) Len() int { return len(ix.values) }

// Locate returns the value of the polygon containing p under the boundary
// rule of PolygonIndex, and whether there is one. If polygons overlap, the
// one added first wins. Locate does not allocate and is safe for
// concurrent use after the build phase.
func (ix *PolygonIndex[T]) Locate(p orb.Point) (T, bool) {
	best := ix.locate(p)
	if best < 0 {
		var zero T
		return zero, false
	}
	return ix.values[ix.parts[best].value], true
}

// locate returns the part containing p that was added first, or -1.
func (ix *PolygonIndex[T]) locate(p orb.Point) int32 {
	best := int32(-1)
	ix.tree.Search(p, p, func(_, _ [2]float64, i int32) bool {
		if (best < 0 || i < best) && ix.parts[i].contains(p) {
			best = i
		}
		return true
	})
	return best
}

// LocateBoundary is Locate that also returns the distance in metres from p
// to the nearest boundary edge (outer ring or hole) of any polygon of the
// value found, as Nearby measures it. It does not allocate.
func (ix *PolygonIndex[T]) LocateBoundary(p orb.Point) (T, float64, bool) {
	best := ix.locate(p)
	if best < 0 {
		var zero T
		return zero, 0, false
	}
	v := ix.parts[best].value
	q := newEdgeQuery(p)
	h := math.Inf(1)
	// The parts of one Add call are contiguous.
	for i := best; i >= 0 && ix.parts[i].value == v; i-- {
		h = ix.parts[i].boundaryHav(&q, h)
	}
	for i := best + 1; int(i) < len(ix.parts) && ix.parts[i].value == v; i++ {
		h = ix.parts[i].boundaryHav(&q, h)
	}
	return ix.values[v], metresFromHav(h), true
}

// contains reports whether p is in the part under the semi-open rule.
func (pp *polygonPart) contains(p orb.Point) bool {
	in := false
	start := 0
	for _, end := range pp.ends {
		ring := pp.pts[start:end]
		for j := 1; j < len(ring); j++ {
			a, b := ring[j-1], ring[j]
			if a[1] > b[1] {
				a, b = b, a // canonical order: neighbours compute the same bits
			}
			// float64() forbids fused multiply-add, which could round the
			// two neighbours' products differently.
			if a[1] <= p[1] && p[1] < b[1] &&
				float64((b[0]-a[0])*(p[1]-a[1])) > float64((b[1]-a[1])*(p[0]-a[0])) {
				in = !in
			}
		}
		start = int(end)
	}
	return in
}

// Near is one result of PolygonIndex.Nearby.
type Near[T any] struct {
	Value     T
	DistanceM float64 // from the query to the nearest boundary edge, in metres
	Inside    bool    // whether the query is inside (see Locate)
}

// Nearby appends to buf[:0] one entry per value (per Add call) whose
// boundary (outer rings and holes) lies within maxM metres of p, and
// returns the extended slice. DistanceM is the distance on the ground from
// p to the nearest edge of any of the value's polygons, edges being the
// straight lines in longitude/latitude that Locate tests against (see
// segmentHav). Entries are sorted by
// DistanceM, then by Add order. A value containing p whose boundary is
// farther than maxM is not reported. Nearby is safe for concurrent use
// after the build phase.
func (ix *PolygonIndex[T]) Nearby(p orb.Point, maxM float64, buf []Near[T]) []Near[T] {
	buf = buf[:0]
	if !validPoint(p) || !(maxM >= 0) || len(ix.parts) == 0 {
		return buf
	}
	p[0] = wrapLon(p[0])
	boxes := capBoxes(p, maxM/EarthRadius)
	type found struct {
		value  int32
		dist   float64
		inside bool
	}
	var resArr [32]found // enough for most queries: no allocation
	res := resArr[:0]
	q := newEdgeQuery(p)
	// Edges farther than maxM (with a margin for rounding) need no exact
	// distance: no entry reports them.
	limit := havFromAngle(maxM/EarthRadius) * (1 + 1e-6)
	visit := func(_, _ [2]float64, i int32) bool {
		pp := &ix.parts[i]
		d := math.Inf(1)
		if h := pp.boundaryHav(&q, limit); h < limit {
			d = metresFromHav(h)
		}
		inside := pp.contains(p)
		if d > maxM && !inside {
			return true
		}
		for k := range res {
			if res[k].value == pp.value {
				res[k].dist = math.Min(res[k].dist, d)
				res[k].inside = res[k].inside || inside
				return true
			}
		}
		res = append(res, found{pp.value, d, inside})
		return true
	}
	for _, b := range boxes {
		if b.Min[0] <= b.Max[0] {
			ix.tree.Search(b.Min, b.Max, visit)
		}
	}
	slices.SortFunc(res, func(a, b found) int {
		if c := cmp.Compare(a.dist, b.dist); c != 0 {
			return c
		}
		return cmp.Compare(a.value, b.value)
	})
	for _, f := range res {
		if f.dist <= maxM {
			buf = append(buf, Near[T]{Value: ix.values[f.value], DistanceM: f.dist, Inside: f.inside})
		}
	}
	return buf
}

// edgeQuery holds the query-side constants of boundary distances.
type edgeQuery struct {
	p      orb.Point // longitude wrapped into [-180, 180)
	unit   [3]float64
	cosLat float64
	box    rectBound
}

func newEdgeQuery(p orb.Point) edgeQuery {
	p[0] = wrapLon(p[0])
	return edgeQuery{p: p, unit: unitVector(p), cosLat: math.Cos(p[1] * radPerDeg), box: newRectBound(p)}
}

// boundaryHav returns min(h, hav(θ)) where θ is the angle from the query
// to the nearest edge of the part, in the metric of segmentHav. Edges
// whose box is farther than h are skipped, so the result is exact only
// when below h; blocks go nearest box first, so that the first sets a
// tight h.
func (pp *polygonPart) boundaryHav(q *edgeQuery, h float64) float64 {
	if q.box.lowerBound(pp.bound.Min, pp.bound.Max) > h {
		return h
	}
	first, firstLB := -1, math.Inf(1)
	for k := range pp.blocks {
		if lb := q.box.lowerBound(pp.blocks[k].bound.Min, pp.blocks[k].bound.Max); lb < firstLB {
			first, firstLB = k, lb
		}
	}
	if first < 0 || firstLB > h {
		return h
	}
	h = pp.blockHav(q, first, h)
	for k := range pp.blocks {
		if k != first && q.box.lowerBound(pp.blocks[k].bound.Min, pp.blocks[k].bound.Max) <= h {
			h = pp.blockHav(q, k, h)
		}
	}
	return h
}

// blockHav returns min(h, the hav of the nearest edge of block k).
func (pp *polygonPart) blockHav(q *edgeQuery, k int, h float64) float64 {
	b := &pp.blocks[k]
	for j := b.from + 1; j < b.to; j++ {
		a, c := pp.pts[j-1], pp.pts[j]
		lo := [2]float64{math.Min(a[0], c[0]), math.Min(a[1], c[1])}
		hi := [2]float64{math.Max(a[0], c[0]), math.Max(a[1], c[1])}
		if q.box.lowerBound(lo, hi) <= h {
			h = math.Min(h, segmentHav(q, a, c))
		}
	}
	return h
}

// segmentHav returns hav(θ) of the angle on the sphere from the query to
// the segment ab, a straight line in longitude/latitude as GeoJSON and
// Locate take it (a great-circle arc between the same vertices strays from
// it by about a metre over 8 km at 45°). The nearest point is found on the
// equirectangular projection centred on the query, whose scale varies
// only with latitude across the edge, so the distance is exact to second
// order in the query's distance to the edge; it is then measured on the
// sphere. This is the package's one distance from a point to a boundary.
func segmentHav(q *edgeQuery, a, b orb.Point) float64 {
	p, cosLat := q.p, q.cosLat
	// Longitudes relative to p, across the antimeridian if shorter.
	dax, day := wrapLon(a[0]-p[0]), a[1]-p[1]
	dbx, dby := wrapLon(b[0]-p[0]), b[1]-p[1]
	ex, ey := (dbx-dax)*cosLat, dby-day
	t := 0.0
	if l2 := ex*ex + ey*ey; l2 > 0 {
		t = math.Max(0, math.Min(1, -(dax*cosLat*ex+day*ey)/l2))
	}
	u := unitVector(orb.Point{p[0] + dax + t*(dbx-dax), p[1] + day + t*(dby-day)})
	return chordHav(&q.unit, &u)
}
