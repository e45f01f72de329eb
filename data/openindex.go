package data

import (
	"encoding/binary"
	"math"
	"time"

	"github.com/paulmach/orb"

	"guichet/data/hours"
	"guichet/geo"
)

// slotMinutes is the length of a weekly slot of the open index. Slots of
// 15 minutes keep stations closed at lunch (12:00–14:00) out of the
// candidates from 12:00 and bring them back at 14:00 sharp; the national
// data needs no finer boundary than the quarter-hour (18:30, 19:00).
const slotMinutes = 15

// weekSlots is the number of slots in a week.
const weekSlots = hours.WeekMinutes / slotMinutes

// slotMask has bit i set when a station may be open at some instant of
// slot i of the week, counted from Monday 00:00 local wall time.
type slotMask [(weekSlots + 63) / 64]uint64

func (m *slotMask) set(i int)      { m[i/64] |= 1 << (i % 64) }
func (m *slotMask) has(i int) bool { return m[i/64]&(1<<(i%64)) != 0 }

// openIndex finds the stations nearest to a point among those open at an
// instant without ranking the closed ones. For each time zone of the data
// and each slot of the week it holds a point index of the stations that
// may be open during that slot (a superset: the caller still checks the
// exact state), so that at night or on a Sunday a search ranks the few
// dozen stations that open then instead of the whole country.
//
// It is built once and is then safe for concurrent use.
type openIndex struct {
	zones []openZone
	// indexes and entries count the distinct point indexes and the points
	// they hold, shared slots counted once.
	indexes, entries int
}

// openZone is the part of an openIndex for the stations of one time zone.
type openZone struct {
	loc *time.Location
	// Every station of the zone lies within radiusM of center, so that
	// geo.Distance(p, center) - radiusM, and the same with the distance
	// along a meridian, bound from below the distance from p to any of
	// them.
	center  orb.Point
	radiusM float64
	// slots[i] holds the candidates of slot i; slots with the same
	// candidates share one index, nil when there are none.
	slots [weekSlots]*geo.PointIndex[int32]
}

// buildOpenIndex indexes stations by zone and weekly slot.
func buildOpenIndex(stations []Station) *openIndex {
	ix := &openIndex{}
	byZone := map[string]int{}
	var members [][]int32 // station indices of each zone, increasing
	for i := range stations {
		l := stations[i].Locale.Location
		if l == nil {
			l = time.UTC // as hours evaluates a Locale without zone
		}
		z, ok := byZone[l.String()]
		if !ok {
			z = len(ix.zones)
			byZone[l.String()] = z
			ix.zones = append(ix.zones, openZone{loc: l})
			members = append(members, nil)
		}
		members[z] = append(members[z], int32(i))
	}
	masks := map[*hours.Schedule]slotMask{}
	for z := range ix.zones {
		zone := &ix.zones[z]
		zone.center, zone.radiusM = boundingCap(stations, members[z])
		shared := map[string]*geo.PointIndex[int32]{}
		var cand []int32
		var key []byte
		for slot := range weekSlots {
			cand, key = cand[:0], key[:0]
			for _, i := range members[z] {
				sc := stations[i].Hours
				m, ok := masks[sc]
				if !ok {
					m = candidateSlots(sc)
					masks[sc] = m
				}
				if m.has(slot) {
					cand = append(cand, i)
					key = binary.LittleEndian.AppendUint32(key, uint32(i))
				}
			}
			if len(cand) == 0 {
				continue
			}
			pi, ok := shared[string(key)]
			if !ok {
				pi = new(geo.PointIndex[int32])
				for _, i := range cand {
					pi.Insert(stations[i].Location, i)
				}
				shared[string(key)] = pi
				ix.indexes++
				ix.entries += len(cand)
			}
			zone.slots[slot] = pi
		}
	}
	return ix
}

// boundingCap returns a point and the largest distance from it to the
// stations in members.
func boundingCap(stations []Station, members []int32) (orb.Point, float64) {
	b := orb.Bound{Min: stations[members[0]].Location, Max: stations[members[0]].Location}
	for _, i := range members {
		b = b.Extend(stations[i].Location)
	}
	c := b.Center()
	var r float64
	for _, i := range members {
		r = math.Max(r, geo.Distance(c, stations[i].Location))
	}
	return c, r
}

// candidateSlots returns the slots of the week in which sc may be open:
// those holding a minute of its hours.Schedule.OpenMask.
func candidateSlots(sc *hours.Schedule) slotMask {
	var m slotMask
	open := sc.OpenMask()
	for i := range weekSlots {
		if open.Any(i*slotMinutes, (i+1)*slotMinutes) {
			m.set(i)
		}
	}
	return m
}

// weekSlot returns the slot of the week at t on the wall clock of l.
func weekSlot(t time.Time, l *time.Location) int {
	return hours.WeekMinute(t, hours.Locale{Location: l}) / slotMinutes
}

// maxZones bounds the zones nearest sorts without allocating.
const maxZones = 32

// nearest appends to buf[:0] the k stations nearest to p among those open
// at t that accept accepts (accept must check the exact state at t), with
// geo.PointIndex.Nearest's order, limit maxM and ties: stations are
// inserted in index order, so equal distances rank the lower index first.
// scratch is reused for each zone's search and returned for reuse.
func (ix *openIndex) nearest(p orb.Point, k int, maxM float64, t time.Time, accept func(int32) bool, buf, scratch []geo.Hit[int32]) (hits, spare []geo.Hit[int32]) {
	buf = buf[:0]
	// Zones in increasing order of their lower bound.
	var orderArr [maxZones]int
	var boundArr [maxZones]float64
	order, bound := orderArr[:0], boundArr[:0]
	if len(ix.zones) > maxZones {
		order, bound = make([]int, 0, len(ix.zones)), make([]float64, 0, len(ix.zones))
	}
	for z := range ix.zones {
		// A bound without trigonometry first: no two points are closer
		// than their difference of latitude.
		zone := &ix.zones[z]
		lb := geo.EarthRadius*math.Abs(p[1]-zone.center[1])*math.Pi/180 - zone.radiusM - 1 // 1 m for rounding
		j := len(order)
		order, bound = append(order, z), append(bound, lb)
		for ; j > 0 && bound[j-1] > lb; j-- {
			order[j], bound[j] = order[j-1], bound[j-1]
		}
		order[j], bound[j] = z, lb
	}
	for n, z := range order {
		if maxM > 0 && bound[n] > maxM || len(buf) == k && bound[n] > buf[k-1].DistanceM {
			break
		}
		zone := &ix.zones[z]
		if len(buf) > 0 || maxM > 0 {
			lb := geo.Distance(p, zone.center) - zone.radiusM - 1
			if maxM > 0 && lb > maxM || len(buf) == k && lb > buf[k-1].DistanceM {
				continue
			}
		}
		pi := zone.slots[weekSlot(t, zone.loc)]
		if pi == nil {
			continue
		}
		limit := maxM
		if len(buf) == k && buf[k-1].DistanceM > 0 {
			limit = buf[k-1].DistanceM // ties at that distance may still enter
		}
		if len(buf) == 0 {
			buf = pi.Nearest(p, k, limit, accept, buf)
			continue
		}
		scratch = pi.Nearest(p, k, limit, accept, scratch)
		buf = mergeHits(buf, scratch, k)
	}
	return buf, scratch
}

// mergeHits inserts the hits of more into hits, both sorted by distance
// then station index, keeping the k first.
func mergeHits(hits, more []geo.Hit[int32], k int) []geo.Hit[int32] {
	for _, h := range more {
		n := len(hits)
		pos := n
		for pos > 0 && (h.DistanceM < hits[pos-1].DistanceM || h.DistanceM == hits[pos-1].DistanceM && h.Value < hits[pos-1].Value) {
			pos--
		}
		if pos == k {
			break // more is sorted: the next ones rank lower still
		}
		if n < k {
			hits = append(hits, geo.Hit[int32]{})
			n++
		}
		copy(hits[pos+1:n], hits[pos:n-1])
		hits[pos] = h
	}
	return hits
}
