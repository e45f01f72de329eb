package geocode

import (
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"guichet/geo"
)

// Index is an immutable in-memory address index built by a Builder.
// It is safe for concurrent use.
type Index struct {
	munis      []Municipality
	byCode     map[string]int32
	byPostcode map[string][]int32
	parent     []int32             // index of Municipality.Parent, -1 for none
	districts  map[uint32][]uint32 // arrondissements of a city
	pcs        []string
	reps       []string

	streets    []street
	muniStreet []uint32 // streets of commune m are [muniStreet[m], muniStreet[m+1])
	addrFirst  []uint32 // addresses of street s are [addrFirst[s], addrFirst[s+1])

	num      []uint32 // number<<8 | rep index, sorted within a street
	lon, lat []int32  // micro-degrees
	idOff    []uint32
	ids      string

	words     []string // sorted vocabulary of street and commune names
	wordClass []uint8
	byLen     []uint32 // word ids by length
	lenOff    []uint32 // words of length l are byLen[lenOff[l]:lenOff[l+1]]
	st, mu    postings

	// Not geo.PointIndex: its float64 rectangles and cached vectors cost
	// about 80 B per point, over half the address budget. float32
	// rectangles are rounded outward and distances are recomputed from
	// the micro-degree coordinates.
	tree rtree.RTreeGN[float32, uint32]
}

type street struct {
	name string
	muni uint32
	pc   uint16
}

// Len returns the number of addresses.
func (ix *Index) Len() int { return len(ix.num) }

// Bytes returns an estimate of the memory held by the index, in bytes.
// Hash maps and the R-tree are estimated from their sizes; the
// estimate for the tree assumes nodes two-thirds full.
func (ix *Index) Bytes() int {
	// Header sizes on 64-bit platforms: string, slice, street, Municipality.
	const strHdr, sliceHdr, streetSize, muniSize = 16, 24, 24, 80
	n := len(ix.ids) + 4*(cap(ix.num)+cap(ix.lon)+cap(ix.lat)+cap(ix.idOff)+cap(ix.addrFirst)+cap(ix.muniStreet)+cap(ix.byLen)+cap(ix.lenOff))
	n += cap(ix.wordClass) + ix.st.bytes() + ix.mu.bytes() + 4*cap(ix.parent)
	n += cap(ix.streets) * streetSize
	for i := range ix.streets {
		n += len(ix.streets[i].name)
	}
	for _, w := range ix.words {
		n += strHdr + len(w)
	}
	for _, m := range ix.munis {
		n += muniSize + len(m.Code) + len(m.Name) + strHdr*len(m.Postcodes)
		// byCode entry, with map overhead.
		n += 2*strHdr + 8
	}
	for _, s := range ix.pcs {
		n += strHdr + len(s) + sliceHdr + 4*len(ix.byPostcode[s])
	}
	// A leaf holds up to 64 float32 rectangles (16 B) and uint32 items.
	const leaf = 64 * (16 + 4)
	n += ix.tree.Len() * leaf * 3 / (2 * 64)
	return n
}

func (ix *Index) point(a uint32) orb.Point {
	return orb.Point{float64(ix.lon[a]) / microDeg, float64(ix.lat[a]) / microDeg}
}

func (ix *Index) id(a uint32) string { return ix.ids[ix.idOff[a]:ix.idOff[a+1]] }

// streetOf returns the street holding address a.
func (ix *Index) streetOf(a uint32) uint32 {
	lo, hi := 0, len(ix.streets)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ix.addrFirst[m+1] <= a {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return uint32(lo)
}

// houseNumber formats the number and repetition index of address a.
func (ix *Index) houseNumber(a uint32) string {
	return strconv.FormatUint(uint64(ix.num[a]>>8), 10) + ix.reps[ix.num[a]&0xff]
}

func (ix *Index) addressMatch(a uint32) Match {
	s := ix.streetOf(a)
	m := ix.streetMatch(s)
	m.ID = ix.id(a)
	m.Type = TypeHousenumber
	m.HouseNumber = ix.houseNumber(a)
	m.Label = m.HouseNumber + " " + m.Label
	m.Point = ix.point(a)
	return m
}

// streetMatch describes street s, located at its middle address.
func (ix *Index) streetMatch(s uint32) Match {
	st := &ix.streets[s]
	mu := &ix.munis[st.muni]
	first, last := ix.addrFirst[s], ix.addrFirst[s+1]
	m := Match{
		Type:     TypeStreet,
		Street:   st.name,
		Postcode: ix.pcs[st.pc],
		City:     mu.Name,
		Citycode: mu.Code,
		Point:    ix.point(first + (last-first)/2),
	}
	// BAN street ids are the address ids without the number part.
	if id := ix.id(first); strings.Count(id, "_") >= 2 {
		m.ID = id[:strings.LastIndexByte(id, '_')]
	}
	m.Label = strings.TrimSpace(st.name + " " + m.Postcode + " " + mu.Name)
	return m
}

// Reverse returns up to limit addresses nearest to p, closest first,
// no farther than maxM metres (no bound when maxM <= 0). A limit <= 0
// means DefaultLimit and is capped at MaxLimit. Score decreases with
// distance: 1 at p, 0.5 at 100 m.
func (ix *Index) Reverse(p orb.Point, limit int, maxM float64) []Match {
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	if maxM <= 0 {
		maxM = math.Inf(1)
	}
	var out []Match
	bound := geo.NewBoxBound(p)
	ix.tree.Nearby(
		func(lo, hi [2]float32, a uint32, item bool) float64 {
			if item {
				return distanceM(p, ix.point(a))
			}
			return boxDistanceM(&bound, lo, hi)
		},
		func(_, _ [2]float32, a uint32, d float64) bool {
			if d > maxM {
				return false
			}
			m := ix.addressMatch(a)
			m.DistanceM = d
			m.Score = 1 / (1 + d/100)
			out = append(out, m)
			return len(out) < limit
		},
	)
	return out
}
