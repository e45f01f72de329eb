package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Hit is one result of PointIndex.Nearest.
type Hit[T any] struct {
	Value     T
	Point     orb.Point
	DistanceM float64 // great-circle distance from the query, in metres
}

// PointIndex is a k-nearest-neighbour index of points under great-circle
// distance. The zero value is an empty index ready for Insert.
//
// It is built once, then queried: see the package documentation for the
// concurrency rules.
type PointIndex[T any] struct {
	tree  rtree.RTreeG[int32] // data is an index into items
	items []pointItem[T]
	cells map[int32]int32 // points per 1° lon/lat cell, to size the first search
	radii *radiusTable    // nil until Prepare
}

type pointItem[T any] struct {
	value T
	point orb.Point
	unit  [3]float64 // cached so that ranking an item costs no trigonometry
}

// Insert adds v at p. p must have a finite longitude (outside
// [-180, 180] it is wrapped into that range) and a latitude in [-90, 90]; Insert panics otherwise, since
// such a point has no distance to anything. Insert must not run
// concurrently with any other method.
func (ix *PointIndex[T]) Insert(p orb.Point, v T) {
	if !validPoint(p) {
		panic("geo: PointIndex.Insert: invalid point")
	}
	if len(ix.items) == math.MaxInt32 {
		panic("geo: PointIndex.Insert: index full")
	}
	if p[0] < -180 || p[0] > 180 {
		p[0] = wrapLon(p[0])
	}
	ix.items = append(ix.items, pointItem[T]{value: v, point: p, unit: unitVector(p)})
	ix.tree.Insert(p, p, int32(len(ix.items)-1))
	if ix.cells == nil {
		ix.cells = make(map[int32]int32)
	}
	ix.cells[cellOf(p[0], p[1])]++
	ix.radii = nil
}

// Prepare precomputes radii that let Nearest without accept find the k
// <= 8 nearest points in one search of the tree near the points
// (see radiusTable), in about 8 ms per thousand points and 80 bytes per
// point. Without it, or after a later Insert, Nearest sizes its first
// search from the density of points alone. Prepare is part of the build
// phase.
func (ix *PointIndex[T]) Prepare() {
	ix.radii = ix.buildRadii()
}

// Len returns the number of points in the index.
func (ix *PointIndex[T]) Len() int { return len(ix.items) }

// tieAngle is the slack, in radians (about 6 µm), added to the radius of
// a cap so that rounding in the lon/lat boxes that cover it and in the
// chordHav of its points never leaves out a point of the cap.
const tieAngle = 1e-12

// candidate is a point ranked by Nearest: its index in items and its
// chordHav from the query.
type candidate struct {
	h float64
	i int32
}

// Nearest appends to buf[:0] the (at most) k points nearest to p and
// returns the extended slice. Hits are sorted by DistanceM ascending;
// equal distances are ordered by insertion order (earlier first), so the
// result is deterministic. DistanceM is Distance(p, hit.Point). When
// maxM > 0 only points with DistanceM <= maxM are returned. When accept is
// non-nil only points whose value it accepts are returned; accept is
// called at most once per point, and only for points that could still
// enter the result.
//
// The search is exact for the great-circle metric, including across the
// antimeridian and near the poles. It does not allocate when
// cap(buf) >= k and k <= 32. It is safe for concurrent use after the
// build phase. An invalid p or k <= 0 returns buf[:0].
//
// It first searches spherical caps of growing radius around p: each round
// asks the tree for the lon/lat boxes covering the cap (see capBoxes),
// ranks the points of the cap that earlier rounds did not rank, and stops
// once k hits lie within the radius, since every nearer point has then
// been ranked. After Prepare, near the points, the first radius holds k
// points for sure, so without accept one round is enough; elsewhere it
// is the expected distance to the k-th neighbour given the number of
// points in p's 1° cell. The next ones grow with the share of points found
// acceptable. Where caps do not pay, in
// voids (at sea, far from any point) or when accept keeps too few points
// nearby, a best-first walk of the tree ranks the remaining points in
// increasing distance instead, opening only the nodes that can still hold
// a hit. Points are ranked by chordHav, which needs no trigonometry; only
// the hits get a distance in metres.
func (ix *PointIndex[T]) Nearest(p orb.Point, k int, maxM float64, accept func(T) bool, buf []Hit[T]) []Hit[T] {
	buf = buf[:0]
	if k <= 0 || len(ix.items) == 0 || !validPoint(p) || math.IsNaN(maxM) {
		return buf
	}
	wrapped := orb.Point{wrapLon(p[0]), p[1]}
	a, known := ix.radii.angle(wrapped, k)
	if !known {
		a = ix.firstAngle(wrapped, k)
	}
	return ix.search(p, k, maxM, accept, a, buf)
}

// search is Nearest for a valid query, with a the radius of the first cap.
func (ix *PointIndex[T]) search(p orb.Point, k int, maxM float64, accept func(T) bool, a float64, buf []Hit[T]) []Hit[T] {
	var topArr [32]candidate
	top := topArr[:0] // the best candidates so far, by (h, i)
	if k > len(topArr) {
		top = make([]candidate, 0, k)
	}
	wrapped := orb.Point{wrapLon(p[0]), p[1]}
	unit := unitVector(p)
	maxA := math.Inf(1) // largest angle worth searching
	maxH := math.Inf(1) // largest chordHav worth ranking
	if maxM > 0 {
		maxA = maxM / EarthRadius
		maxH = havFromAngle(maxA + tieAngle)
	}
	items := ix.items
	var (
		seenH  = -1.0  // points with chordHav <= seenH have been ranked
		capH   float64 // the current round ranks points with chordHav <= capH
		worstH = maxH  // chordHav beyond which no point can enter
		ranked int     // points ranked so far, accepted or not
	)
	// rank considers item i, at chordHav h from p, for the hits.
	rank := func(i int32, h float64) {
		ranked++
		if h > worstH || accept != nil && !accept(items[i].value) {
			return
		}
		n := len(top)
		pos := n
		for pos > 0 && (h < top[pos-1].h || h == top[pos-1].h && i < top[pos-1].i) {
			pos--
		}
		if pos == k {
			return
		}
		if n < k {
			top = append(top, candidate{})
			n++
		}
		copy(top[pos+1:n], top[pos:n-1])
		top[pos] = candidate{h, i}
		if n == k {
			worstH = top[k-1].h
		}
	}
	inCap := func(_, _ [2]float64, i int32) bool {
		if h := chordHav(&unit, &items[i].unit); h > seenH && h <= capH {
			rank(i, h)
		}
		return true
	}
	walk := true
	for round := 0; round < maxCapRounds; round++ {
		a = math.Min(a, maxA)
		capH = havFromAngle(a + tieAngle)
		for _, b := range capBoxes(wrapped, a+tieAngle) {
			if b.Min[0] <= b.Max[0] {
				ix.tree.Search(b.Min, b.Max, inCap)
			}
		}
		seenH = capH
		if capH >= 1 || a >= maxA {
			walk = false // the whole sphere, or the whole of maxM, was ranked
			break
		}
		if len(top) == k {
			// Every point with chordHav <= capH was ranked, so the hits
			// are final when the k-th is within the cap. Otherwise one
			// more round up to its distance settles it.
			if worstH <= capH {
				walk = false
				break
			}
			a = 2 * math.Asin(math.Sqrt(worstH))
			continue
		}
		if ranked == 0 {
			a *= 2 // a void: nothing to estimate the density from
			continue
		}
		a *= growth(k, len(top))
	}
	if walk {
		// Best-first walk over what the caps left. Items come in
		// increasing chordHav, nodes by a lower bound of it (see
		// rectBound).
		rb := newRectBound(p)
		ix.tree.Nearby(
			func(min, max [2]float64, i int32, item bool) float64 {
				if item {
					return chordHav(&unit, &items[i].unit)
				}
				return rb.lowerBound(min, max)
			},
			func(_, _ [2]float64, i int32, h float64) bool {
				if h > worstH {
					return false
				}
				if h > seenH {
					rank(i, h)
				}
				return true
			},
		)
	}
	for _, c := range top {
		d := metresFromHav(c.h)
		if maxM > 0 && d > maxM {
			break // the rest are farther still
		}
		it := &items[c.i]
		buf = append(buf, Hit[T]{Value: it.value, Point: it.point, DistanceM: d})
	}
	// Distinct chordHav values can round to one distance: order such ties
	// by insertion, as promised.
	for j := 1; j < len(buf); j++ {
		for m := j; m > 0 && buf[m].DistanceM == buf[m-1].DistanceM && top[m].i < top[m-1].i; m-- {
			buf[m], buf[m-1] = buf[m-1], buf[m]
			top[m], top[m-1] = top[m-1], top[m]
		}
	}
	return buf
}

// maxCapRounds bounds the cap rounds of Nearest before it walks the tree
// best-first. Each round re-reads the points of the previous ones, so
// after a few the walk is cheaper.
const maxCapRounds = 3

// growth returns the factor by which to widen the search radius after a
// round whose cap held found acceptable points: enough, were the density
// and the accepted share uniform, to hold k acceptable points with some
// margin, and between 1.25 and 4.
func growth(k, found int) float64 {
	// Area scales with the square of the radius; found+0.5 keeps a
	// finite estimate when nothing was accepted yet.
	f := math.Sqrt(1.3 * float64(k) / (float64(found) + 0.5))
	return math.Max(1.25, math.Min(4, f))
}

// firstAngle returns the radius, in radians, of the first cap searched
// around p (longitude wrapped): the radius expected to hold k points if
// they were spread evenly over p's 1° cell, or over its 3×3 neighbourhood
// when the cell is empty.
func (ix *PointIndex[T]) firstAngle(p orb.Point, k int) float64 {
	lonC, latC := cellIndex(p[0], p[1])
	cellSr := radPerDeg * radPerDeg * math.Cos((float64(latC)-89.5)*radPerDeg) // steradians
	n := ix.cells[cellKey(lonC, latC)]
	if n == 0 {
		for dy := int32(-1); dy <= 1; dy++ {
			for dx := int32(-1); dx <= 1; dx++ {
				if (dx != 0 || dy != 0) && latC+dy >= 0 && latC+dy < 180 {
					n += ix.cells[cellKey((lonC+dx+360)%360, latC+dy)]
				}
			}
		}
		if n == 0 {
			return 1.5 * radPerDeg
		}
		cellSr *= 9
	}
	return math.Sqrt(float64(k) * cellSr / (math.Pi * float64(n)))
}

// cellIndex returns the 1° cell of lon/lat as column 0..359 from -180°
// and row 0..179 from -90°.
func cellIndex(lon, lat float64) (col, row int32) {
	col = int32(math.Floor(lon)) + 180
	row = int32(math.Floor(lat)) + 90
	return min(max(col, 0), 359), min(max(row, 0), 179)
}

func cellKey(col, row int32) int32 { return row*360 + col }

func cellOf(lon, lat float64) int32 { return cellKey(cellIndex(lon, lat)) }

// radiusTable bounds, near the points of an index, the distance to the
// k-th nearest point for k <= radiusK. Each 1° cell holding points, and
// each cell within radiusReach of it, is split into m×m sub-cells, m growing with the
// points of the cell; for the centre c of each sub-cell it holds the
// exact distances d₁ ≤ … ≤ d_radiusK to the nearest points. For a query p
// in the sub-cell, the triangle inequality puts k points within
// d_k + |pc| of p: a cap of that radius ranks about as many points as it
// must, and one round suffices.
type radiusTable struct {
	cells  map[int32]radiusCell
	angles []float32 // radiusK angles per sub-cell, radians rounded up
}

type radiusCell struct {
	m      int32   // sub-cells per side
	off    int32   // index in angles of the first sub-cell, row by row
	cosMax float64 // the largest cos(latitude) in the cell
}

// radiusK is the largest k radiusTable answers for: the API's default
// limit is 5.
const radiusK = 8

// radiusReach is how many 1° cells around each cell holding points
// radiusTable covers: queries on the coast and at sea near it need wide
// caps, which the table sizes best.
const radiusReach int32 = 3

// buildRadii builds the radiusTable of ix, empty when ix has fewer than
// radiusK points.
func (ix *PointIndex[T]) buildRadii() *radiusTable {
	t := &radiusTable{cells: map[int32]radiusCell{}}
	if len(ix.items) < radiusK {
		return t
	}
	var hits []Hit[T]
	for key := range ix.cells {
		col, row := key%360, key/360
		for dy := -radiusReach; dy <= radiusReach; dy++ {
			for dx := -radiusReach; dx <= radiusReach; dx++ {
				r := row + dy
				if r < 0 || r >= 180 {
					continue
				}
				c := (col + dx + 360) % 360
				k := cellKey(c, r)
				if _, done := t.cells[k]; done {
					continue
				}
				// About one point per sub-cell: the distance from a
				// query to its sub-cell's centre stays below d_k.
				m := int32(math.Ceil(math.Sqrt(float64(ix.cells[k]))))
				m = min(max(m, 2), 8)
				lon0, lat0 := float64(c)-180, float64(r)-90
				nearEquator := math.Min(math.Abs(lat0), math.Abs(lat0+1))
				t.cells[k] = radiusCell{m: m, off: int32(len(t.angles)), cosMax: math.Cos(nearEquator * radPerDeg)}
				for sy := range m {
					for sx := range m {
						centre := orb.Point{lon0 + (float64(sx)+0.5)/float64(m), lat0 + (float64(sy)+0.5)/float64(m)}
						hits = ix.search(centre, radiusK, 0, nil, ix.firstAngle(centre, radiusK), hits[:0])
						for _, h := range hits {
							t.angles = append(t.angles, roundUp32(h.DistanceM/EarthRadius))
						}
					}
				}
			}
		}
	}
	return t
}

// angle returns the radius of a cap around p (longitude wrapped) that
// holds at least k points, or false when t (possibly nil) has no answer
// there.
func (t *radiusTable) angle(p orb.Point, k int) (float64, bool) {
	if t == nil || k > radiusK {
		return 0, false
	}
	col, row := cellIndex(p[0], p[1])
	c, ok := t.cells[cellKey(col, row)]
	if !ok {
		return 0, false
	}
	lon0, lat0 := float64(col)-180, float64(row)-90
	m := float64(c.m)
	sx := min(int32((p[0]-lon0)*m), c.m-1)
	sy := min(int32((p[1]-lat0)*m), c.m-1)
	cLon, cLat := lon0+(float64(sx)+0.5)/m, lat0+(float64(sy)+0.5)/m
	dk := float64(t.angles[int(c.off)+int(sy*c.m+sx)*radiusK+k-1])
	// Over the cell, hav|pc| = hav Δφ + cos φp·cos φc·hav Δλ is at most
	// e²/4, e² = Δφ² + cosMax²·Δλ², since hav x <= x²/4. Then
	// |pc| <= 2·asin(e/2) <= e/sqrt(1 − e²/4), as asin x <= x/sqrt(1 − x²);
	// the margin covers rounding.
	dLat, dLon := (p[1]-cLat)*radPerDeg, c.cosMax*(p[0]-cLon)*radPerDeg
	e2 := dLat*dLat + dLon*dLon
	pc := math.Sqrt(e2/(1-e2/4))*(1+1e-9) + 1e-12
	return dk + pc, true
}

// roundUp32 returns the smallest float32 not below x.
func roundUp32(x float64) float32 {
	f := float32(x)
	if float64(f) < x {
		f = math.Nextafter32(f, float32(math.Inf(1)))
	}
	return f
}
