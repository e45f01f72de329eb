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
}

// Len returns the number of points in the index.
func (ix *PointIndex[T]) Len() int { return len(ix.items) }

// tieAngle is the slack, in radians (about 6 µm), between the chord
// metric that filters candidates and the haversine distance reported in
// hits, so that rounding differences between the two never change the
// result.
const tieAngle = 1e-12

// Nearest appends to buf[:0] the (at most) k points nearest to p and
// returns the extended slice. Hits are sorted by DistanceM ascending;
// equal distances are ordered by insertion order (earlier first), so the
// result is deterministic. When maxM > 0 only points with
// DistanceM <= maxM are returned. When accept is non-nil only points whose
// value it accepts are returned; accept is called at most once per point,
// and only for points that could still enter the result.
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
// been ranked. The first radius is the expected distance to the k-th
// neighbour given the number of points in p's 1° cell; the next ones grow
// with the share of points found acceptable. Where caps do not pay, in
// voids (at sea, far from any point) or when accept keeps too few points
// nearby, a best-first walk of the tree ranks the remaining points in
// increasing distance instead, opening only the nodes that can still hold
// a hit.
func (ix *PointIndex[T]) Nearest(p orb.Point, k int, maxM float64, accept func(T) bool, buf []Hit[T]) []Hit[T] {
	buf = buf[:0]
	if k <= 0 || len(ix.items) == 0 || !validPoint(p) || math.IsNaN(maxM) {
		return buf
	}
	// seqs[i] is the insertion index of buf[i], for tie-breaking.
	var seqArr [32]int32
	seqs := seqArr[:0]
	if k > len(seqArr) {
		seqs = make([]int32, 0, k)
	}
	wrapped := orb.Point{wrapLon(p[0]), p[1]}
	unit := unitVector(p)
	maxA := math.Inf(1) // largest angle worth searching
	if maxM > 0 {
		maxA = maxM / EarthRadius
	}
	items := ix.items
	var (
		seenH  = -1.0        // points with chordHav <= seenH have been ranked
		capH   float64       // the current round ranks points with chordHav <= capH
		worstH = math.Inf(1) // once k hits are held: chordHav beyond which no point can enter
		ranked int           // points ranked so far, accepted or not
	)
	// rank considers item i, at chordHav h from p, for the hits.
	rank := func(i int32, h float64) {
		ranked++
		it := &items[i]
		if h > worstH || accept != nil && !accept(it.value) {
			return
		}
		d := Distance(p, it.point)
		if maxM > 0 && d > maxM {
			return
		}
		// Insert (d, i) into the sorted buf, keeping at most k hits.
		n := len(buf)
		pos := n
		for pos > 0 && (d < buf[pos-1].DistanceM || d == buf[pos-1].DistanceM && i < seqs[pos-1]) {
			pos--
		}
		if pos == k {
			return
		}
		if n < k {
			buf = append(buf, Hit[T]{})
			seqs = append(seqs, 0)
			n++
		}
		copy(buf[pos+1:n], buf[pos:n-1])
		copy(seqs[pos+1:n], seqs[pos:n-1])
		buf[pos] = Hit[T]{Value: it.value, Point: it.point, DistanceM: d}
		seqs[pos] = i
		if n == k {
			worstH = havFromAngle(buf[k-1].DistanceM/EarthRadius + tieAngle)
		}
	}
	inCap := func(_, _ [2]float64, i int32) bool {
		if h := chordHav(&unit, &items[i].unit); h > seenH && h <= capH {
			rank(i, h)
		}
		return true
	}
	a := ix.firstAngle(wrapped, k)
	for round := 0; round < maxCapRounds; round++ {
		a = math.Min(a, maxA)
		// The tieAngle slack keeps every point whose DistanceM is at most
		// a·EarthRadius, whatever the rounding of chordHav.
		capH = havFromAngle(a + tieAngle)
		for _, b := range capBoxes(wrapped, a+tieAngle) {
			if b.Min[0] <= b.Max[0] {
				ix.tree.Search(b.Min, b.Max, inCap)
			}
		}
		seenH = capH
		if capH >= 1 || a >= maxA {
			return buf // the whole sphere, or the whole of maxM, was ranked
		}
		if len(buf) == k {
			// Every point nearer than a was ranked, so the hits are final
			// when the k-th is within a. Otherwise it lies in the slack:
			// one more round up to its distance settles it.
			last := buf[k-1].DistanceM / EarthRadius
			if last <= a {
				return buf
			}
			a = last
			continue
		}
		if ranked == 0 {
			a *= 2 // a void: nothing to estimate the density from
			continue
		}
		a *= growth(k, len(buf))
	}
	// Best-first walk over what the caps left. Items come in increasing
	// chordHav, nodes by a lower bound of it (see rectBound).
	rb := newRectBound(p)
	stop := worstH // chordHav beyond which no point can enter
	if maxM > 0 {
		stop = math.Min(stop, havFromAngle(maxA+tieAngle))
	}
	ix.tree.Nearby(
		func(min, max [2]float64, i int32, item bool) float64 {
			if item {
				return chordHav(&unit, &items[i].unit)
			}
			return rb.lowerBound(min, max)
		},
		func(_, _ [2]float64, i int32, h float64) bool {
			if h > stop || h > worstH {
				return false
			}
			if h > seenH {
				rank(i, h)
			}
			return true
		},
	)
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
