package data

import (
	"encoding/binary"
	"math"
	"strings"
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
const weekSlots = 7 * 24 * 60 / slotMinutes

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

// candidateSlots returns the slots of the week in which sc may be open.
//
// A schedule whose rules select days by weekday and PH only gets the
// ranges of its typical week (hours.Schedule.Week), plus those of its PH
// entry on every day, since any day may be a public holiday. That is a
// superset of its open times: without "||" rules, the state at a minute
// of a holiday is given by the last rule covering that minute, and that
// rule selects the day either by its weekday or as PH, so it gives the
// same state in the weekday's or the PH column of the typical week. Any
// other schedule (dates, weeks, years, nth weekdays, "||") may be open in
// every slot; an unknown schedule in none.
func candidateSlots(sc *hours.Schedule) slotMask {
	var m slotMask
	if sc.Unknown() {
		return m
	}
	if !weekdaysOnly(sc.OSM()) {
		for i := range weekSlots {
			m.set(i)
		}
		return m
	}
	for _, d := range sc.Week() {
		days := []int{weekdayIndex(d.Day)}
		if d.Day == "PH" {
			days = []int{0, 1, 2, 3, 4, 5, 6}
		}
		for _, tr := range d.Open {
			from, to := wallMinute(tr.From), wallMinute(tr.To)
			if from < 0 || to < 0 || days[0] < 0 {
				// Week writes every range as HH:MM; anything else
				// would be a change there, so stay safe.
				for i := range weekSlots {
					m.set(i)
				}
				return m
			}
			if to <= from {
				to += 24 * 60 // ends the next day
			}
			for _, wd := range days {
				start := wd * 24 * 60
				for s := (start + from) / slotMinutes; s*slotMinutes < start+to; s++ {
					m.set(s % weekSlots)
				}
			}
		}
	}
	return m
}

// weekdayIndex returns 0 for "Mo" … 6 for "Su", or -1.
func weekdayIndex(day string) int {
	for i, d := range [...]string{"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"} {
		if d == day {
			return i
		}
	}
	return -1
}

// wallMinute parses "HH:MM" (up to "24:00") into minutes, or returns -1.
func wallMinute(s string) int { return clockMinutes(s, 24*60) }

// clockMinutes parses "HH:MM" into minutes, or returns -1 when s is not
// of that form or exceeds max minutes.
func clockMinutes(s string, max int) int {
	if len(s) != 5 || s[2] != ':' {
		return -1
	}
	n := 0
	for _, c := range []byte(s[:2] + s[3:]) {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	h, mm := n/100, n%100
	if mm > 59 || h*60+mm > max {
		return -1
	}
	return h*60 + mm
}

// weekdaysOnly reports whether the opening_hours value osm selects days
// by weekday and PH only, with plain time ranges and no "||" rule: every
// token outside comments is a weekday or weekday range, PH, a time range,
// 24/7 or a state.
func weekdaysOnly(osm string) bool {
	var b strings.Builder
	for i, part := range strings.Split(osm, `"`) {
		if i%2 == 0 { // outside a comment
			b.WriteString(part)
			b.WriteByte(' ')
		}
	}
	s := b.String()
	if strings.Contains(s, "||") {
		return false
	}
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ';' || r == ',' }) {
		switch {
		case tok == "PH" || tok == "24/7" || tok == "off" || tok == "closed" || tok == "open" || tok == "unknown":
		case weekdayIndex(tok) >= 0:
		case len(tok) == 5 && tok[2] == '-' && weekdayIndex(tok[:2]) >= 0 && weekdayIndex(tok[3:]) >= 0:
		case timeRangeOfADay(tok):
		default:
			return false
		}
	}
	return true
}

// timeRangeOfADay reports whether tok is a range "HH:MM-HH:MM" lasting
// at most a day, the longest Week writes unambiguously.
func timeRangeOfADay(tok string) bool {
	if len(tok) != 11 || tok[5] != '-' {
		return false
	}
	from, to := clockMinutes(tok[:5], 24*60-1), clockMinutes(tok[6:], 48*60)
	return from >= 0 && to >= 0 && (to <= 24*60 || to-24*60 <= from)
}

// weekSlot returns the slot of the week at t on the wall clock of l.
func weekSlot(t time.Time, l *time.Location) int {
	_, off := t.In(l).Zone()
	w := t.Unix() + int64(off)
	dn := w / 86400
	if w%86400 < 0 {
		dn--
	}
	sec := w - dn*86400
	wd := int((dn%7 + 7 + 3) % 7) // 1970-01-01 was a Thursday: Monday is 0
	return wd*(weekSlots/7) + int(sec)/(slotMinutes*60)
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
