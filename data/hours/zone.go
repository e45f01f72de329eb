package hours

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// zoneTable lists the UTC offsets of one location over the years of the
// holiday bitsets, so that At resolves its zone with a binary search. The
// time package resolves an instant outside the location's cached period
// (in Europe/Paris, summer when loaded in winter) in about 60 ns, and At
// needs both the offset and the end of its period: two such lookups.
type zoneTable struct {
	loc    *time.Location
	lo, hi int64   // instants covered, [lo, hi)
	starts []int64 // first instant of each run of one offset; starts[0] == lo
	offs   []int32 // offset of each run, seconds east of UTC
}

// maxZoneTables bounds the locations remembered: callers may build a new
// *time.Location per request. Further locations use the time package.
const maxZoneTables = 64

var (
	lastZone    atomic.Pointer[zoneTable] // the table used last
	zoneTables  sync.Map                  // *time.Location → *zoneTable
	zoneTablesN atomic.Int32
)

// zoneOf returns the UTC offset of l at instant sec and an instant end >
// sec before which the offset does not change (math.MaxInt64 if never).
// end may fall before the next actual change.
func zoneOf(l *time.Location, sec int64) (off, end int64) {
	z := lastZone.Load()
	if z == nil || z.loc != l {
		z = zoneTableFor(l)
	}
	if z == nil || sec < z.lo || sec >= z.hi {
		return zoneSpan(l, sec)
	}
	// The last run starting at or before sec.
	lo, hi := 0, len(z.starts)
	for hi-lo > 1 {
		m := int(uint(lo+hi) >> 1)
		if z.starts[m] <= sec {
			lo = m
		} else {
			hi = m
		}
	}
	end = z.hi
	if lo+1 < len(z.starts) {
		end = z.starts[lo+1]
	}
	return int64(z.offs[lo]), end
}

// zoneTableFor returns the table of l, building it on first use, or nil
// once maxZoneTables locations have one.
func zoneTableFor(l *time.Location) *zoneTable {
	if v, ok := zoneTables.Load(l); ok {
		z := v.(*zoneTable)
		lastZone.Store(z)
		return z
	}
	if zoneTablesN.Load() >= maxZoneTables {
		return nil
	}
	z := buildZoneTable(l)
	if v, loaded := zoneTables.LoadOrStore(l, z); loaded {
		z = v.(*zoneTable)
	} else {
		zoneTablesN.Add(1)
	}
	lastZone.Store(z)
	return z
}

func buildZoneTable(l *time.Location) *zoneTable {
	z := &zoneTable{
		loc: l,
		lo:  int64(daysFromCivil(bitsFirstYear, time.January, 1)) * 86400,
		hi:  int64(daysFromCivil(bitsLastYear+1, time.January, 1)) * 86400,
	}
	for sec := z.lo; sec < z.hi; {
		off, end := zoneSpan(l, sec)
		if n := len(z.offs); n == 0 || int64(z.offs[n-1]) != off {
			z.starts = append(z.starts, sec)
			z.offs = append(z.offs, int32(off))
		}
		sec = end
	}
	return z
}

// zoneSpan is zoneOf by the time package.
//
// Past the last transition of its zone file the time package computes
// periods from the zone's TZ rule, and in a leap year it ends the last one
// on 31 December at 00:00 UTC, even for instants later that day (Go 1.26,
// time.tzset: "ystart + 365*secondsPerDay"). The offset does not change
// before the next year begins in UTC, so that day ends the period instead.
func zoneSpan(l *time.Location, sec int64) (off, end int64) {
	t := time.Unix(sec, 0).In(l)
	_, o := t.Zone()
	_, e := t.ZoneBounds()
	if e.IsZero() {
		return int64(o), math.MaxInt64
	}
	end = e.Unix()
	if end <= sec {
		end = (floorDiv64(sec, 86400) + 1) * 86400
	}
	return int64(o), end
}
