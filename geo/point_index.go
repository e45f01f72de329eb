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
}

// Len returns the number of points in the index.
func (ix *PointIndex[T]) Len() int { return len(ix.items) }

// tieAngle is the slack, in radians (about 6 µm), between the ranking
// metric of the tree walk and the haversine distance reported in hits, so
// that rounding differences between the two never change the result.
const tieAngle = 1e-12

// Nearest appends to buf[:0] the (at most) k points nearest to p and
// returns the extended slice. Hits are sorted by DistanceM ascending;
// equal distances are ordered by insertion order (earlier first), so the
// result is deterministic. When maxM > 0 only points with
// DistanceM <= maxM are returned. When accept is non-nil only points whose
// value it accepts are returned; accept is called in increasing distance
// order and the search stops as soon as the answer is known.
//
// The search is exact for the great-circle metric, including across the
// antimeridian. It does not allocate when cap(buf) >= k and k <= 32.
// It is safe for concurrent use after the build phase. An invalid p or
// k <= 0 returns buf[:0].
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
	unit := unitVector(p)
	rb := newRectBound(p)
	stop := math.Inf(1) // hav beyond which no popped item can qualify
	if maxM > 0 {
		stop = havFromAngle(maxM/EarthRadius + tieAngle)
	}
	items := ix.items
	ix.tree.Nearby(
		func(min, max [2]float64, i int32, item bool) float64 {
			if item {
				return chordHav(&unit, &items[i].unit)
			}
			return rb.lowerBound(min, max)
		},
		func(_, _ [2]float64, i int32, h float64) bool {
			if h > stop {
				return false
			}
			it := &items[i]
			if accept != nil && !accept(it.value) {
				return true
			}
			d := Distance(p, it.point)
			if maxM > 0 && d > maxM {
				return true
			}
			// Insert (d, i) into the sorted buf, keeping at most k hits.
			n := len(buf)
			pos := n
			for pos > 0 && (d < buf[pos-1].DistanceM || d == buf[pos-1].DistanceM && i < seqs[pos-1]) {
				pos--
			}
			if pos == k {
				return true
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
				stop = math.Min(stop, havFromAngle(buf[k-1].DistanceM/EarthRadius+tieAngle))
			}
			return true
		},
	)
	return buf
}
