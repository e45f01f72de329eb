package hours

import (
	"sync"
	"time"
)

// Status is the state of a station at an instant.
type Status uint8

// The three states of opening_hours.
const (
	Unknown Status = iota
	Closed
	Open
)

// String returns "unknown", "closed" or "open".
func (s Status) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	}
	return "unknown"
}

// State is the result of evaluating a schedule at an instant.
type State struct {
	Status  Status
	Comment string
	// Next is the first instant after t at which Status changes (a new
	// comment or rule with the same status is no change); zero if nothing
	// changes within five years.
	Next time.Time
	// Reason explains an exception, e.g. "Jour férié : Toussaint", when a
	// public holiday decided the state.
	Reason string
}

// horizon bounds the search for the next change.
const horizon = 5 * 366 * 24 * time.Hour

// timeRange is a span of minutes from the start of the day the rule
// selects; to may exceed 1440 for ranges past midnight.
type timeRange struct{ from, to int }

type ruleKind uint8

const (
	ruleNormal     ruleKind = iota // after ";" (or first)
	ruleAdditional                 // after ","
	ruleFallback                   // after "||"
)

// nthSel restricts a weekday to some of its occurrences in the month: bit
// k of pos is the (k+1)th, bit k of neg the (k+1)th from the end. Both zero
// means every occurrence; all records that the day was also given plain
// ("Th,Th[5]" is every Thursday), so that no [n] restricts it.
type nthSel struct {
	on, all  bool
	pos, neg uint8
}

type yearRange struct{ from, to int }

type weekRange struct{ from, to, step int }

// dateSpec is one end of a month-day range. year 0 means every year; day 0
// means the start (or end) of the month.
type dateSpec struct {
	year  int
	month time.Month
	day   int
}

type dateRange struct{ from, to dateSpec }

// rule is one opening_hours rule: selectors, times and a state.
type rule struct {
	kind    ruleKind
	years   []yearRange
	dates   []dateRange
	weeks   []weekRange
	wdays   [7]nthSel // by time.Weekday
	hasWd   bool      // a weekday or PH selector is present
	ph      bool
	times   []timeRange // empty: the whole day
	status  Status
	comment string

	// Set by finish. resets: for the days it selects, the rule discards
	// what earlier rules gave (see finish). wraps: a range ends after
	// midnight. fallback: "||" came before the rule, or before the rules
	// it follows through ","; as in opening_hours.js, "A || B, C" makes C
	// a fallback too.
	resets, wraps, fallback bool
}

// hasDate reports whether the rule has a selector of days (opening_hours.js:
// a non-empty date selector list).
func (r *rule) hasDate() bool {
	return r.hasWd || len(r.years)+len(r.dates)+len(r.weeks) > 0
}

// span is a rule's time range resolved for one day, [from, to) in minutes.
type span struct {
	from, to int32
	status   Status
	fallback bool
	wrapped  bool // the part after midnight of a range of the day before
	comment  string
}

// Schedule is a parsed opening-hours schedule.
type Schedule struct {
	rules   []rule
	unknown bool
	usesPH  bool
	spill   bool // some range ends after midnight
	// simple schedules select days by weekday and PH only; their days are
	// precomputed in table[weekday][holiday][day before is a holiday].
	simple bool
	table  [7][2][2][]span
	// constant: every minute has the same status; fixed: and the same
	// comment.
	constant, fixed bool
	commented       bool // some rule has a comment

	// Week and OSM are derived once, on first use: API responses ask for
	// them on every request.
	weekOnce sync.Once
	week     []DaySpec
	osmOnce  sync.Once
	osm      string
}

// Unknown reports whether the schedule carries no information at all
// (empty or "Non renseigné" source text).
func (s *Schedule) Unknown() bool { return s.unknown }

// day describes the civil date being evaluated.
type day struct {
	dn  int // days since 1970-01-01
	y   int
	m   time.Month
	d   int
	wd  int // time.Weekday, or 7 for "no weekday" (Week's PH column)
	hol *holidayRule
}

// makeDay describes day dn in dy; the civil date is only computed for
// schedules with date selectors, to keep the table path fast. Filling dy
// through a pointer rather than returning a day made At about 30 % faster
// (Go 1.26, amd64); eval does the same with State.
func (s *Schedule) makeDay(dy *day, dn int, r Region) {
	*dy = day{dn: dn, wd: int(floorMod(dn+4, 7))}
	if !s.simple {
		dy.y, dy.m, dy.d = civilFromDays(dn)
	}
	if s.usesPH {
		dy.hol = holidayOnDay(dn, r)
	}
}

func floorMod(a, b int) int { return a - floorDiv(a, b)*b }

func (r *rule) matches(dy *day) bool {
	if len(r.years) > 0 && !matchYears(r.years, dy.y) {
		return false
	}
	if len(r.dates) > 0 && !matchDates(r.dates, dy) {
		return false
	}
	if len(r.weeks) > 0 && !matchWeeks(r.weeks, isoWeek(dy.dn)) {
		return false
	}
	if !r.hasWd {
		return true
	}
	if r.ph && dy.hol != nil {
		return true
	}
	if dy.wd > 6 {
		return false
	}
	sel := r.wdays[dy.wd]
	if !sel.on {
		return false
	}
	if sel.pos == 0 && sel.neg == 0 {
		return true
	}
	nth := (dy.d-1)/7 + 1
	last := (daysIn(dy.y, dy.m)-dy.d)/7 + 1
	return sel.pos&(1<<(nth-1)) != 0 || sel.neg&(1<<(last-1)) != 0
}

func daysIn(y int, m time.Month) int {
	if m == time.December {
		return 31
	}
	return daysFromCivil(y, m+1, 1) - daysFromCivil(y, m, 1)
}

func matchYears(ys []yearRange, y int) bool {
	for _, r := range ys {
		if y >= r.from && y <= r.to {
			return true
		}
	}
	return false
}

func matchWeeks(ws []weekRange, w int) bool {
	for _, r := range ws {
		if w >= r.from && w <= r.to && (w-r.from)%r.step == 0 {
			return true
		}
	}
	return false
}

// isoWeek returns the ISO 8601 week number of day dn.
func isoWeek(dn int) int {
	wd := floorMod(dn+3, 7) + 1 // Monday = 1
	thu := dn - wd + 4
	y, _, _ := civilFromDays(thu)
	return (thu-daysFromCivil(y, time.January, 1))/7 + 1
}

func matchDates(ds []dateRange, dy *day) bool {
	for _, r := range ds {
		if r.from.year != 0 {
			k := dy.y*512 + int(dy.m)*32 + dy.d
			if k >= r.from.key(1) && k <= r.to.key(31) {
				return true
			}
			continue
		}
		k := int(dy.m)*32 + dy.d
		lo, hi := r.from.key(1), r.to.key(31)
		if lo <= hi && k >= lo && k <= hi || lo > hi && (k >= lo || k <= hi) {
			return true
		}
	}
	return false
}

// key orders dates; a missing day becomes dflt (1 for a start, 31 for an end).
func (d dateSpec) key(dflt int) int {
	day := d.day
	if day == 0 {
		day = dflt
	}
	return d.year*512 + int(d.month)*32 + day
}

// evalDay appends to buf the spans of day cur, in the order in which
// opening_hours.js applies them (getStatePair): each rule selecting cur,
// then, right after it, the part after midnight of its ranges when it
// selected the day before (prev; nil when no range wraps). A rule that
// resets discards the spans before it, overflow included.
func (s *Schedule) evalDay(cur, prev *day, buf []span) []span {
	out := buf[:0]
	for i := range s.rules {
		r := &s.rules[i]
		if r.matches(cur) {
			if r.resets {
				out = out[:0]
			}
			fb := r.fallback
			if len(r.times) == 0 {
				out = append(out, span{0, 1440, r.status, fb, false, r.comment})
			}
			for _, t := range r.times {
				out = append(out, span{int32(t.from), int32(min(t.to, 1440)), r.status, fb, false, r.comment})
			}
		}
		if r.wraps && prev != nil && r.matches(prev) {
			// opening_hours.js makes the overflow a rule of its own that
			// is never a fallback, whatever separator came before.
			for _, t := range r.times {
				if t.to > 1440 {
					out = append(out, span{0, int32(t.to - 1440), r.status, false, true, r.comment})
				}
			}
		}
	}
	return out
}

// spans returns the spans of day cur, from the table for simple schedules.
// prev is the day before, needed only when a range wraps.
func (s *Schedule) spans(cur, prev *day, buf []span) []span {
	if s.simple {
		h, ph := 0, 0
		if cur.hol != nil {
			h = 1
		}
		if prev != nil && prev.hol != nil {
			ph = 1
		}
		return s.table[cur.wd][h][ph]
	}
	return s.evalDay(cur, prev, buf)
}

// finish precomputes evaluation data once the rules are set.
//
// A ";" rule (not "," nor "||") that opens or says unknown resets the
// days it selects when it has a day selector, or, without one, when it
// opens and the rule before has none either; a closing rule never
// resets: "Mo-Fr 08:00-18:00; Mo-Fr 12:00-14:00 off" closes only the
// lunch hours. This is opening_hours.js's rule, which the specification
// leaves open.
func (s *Schedule) finish() *Schedule {
	s.simple = true
	for i := range s.rules {
		r := &s.rules[i]
		r.fallback = r.kind == ruleFallback || r.kind == ruleAdditional && i > 0 && s.rules[i-1].fallback
		r.resets = r.kind == ruleNormal && (r.status == Open || r.status == Unknown) &&
			(r.hasDate() || i > 0 && r.status == Open && !s.rules[i-1].hasDate())
		if r.ph {
			s.usesPH = true
		}
		if r.comment != "" {
			s.commented = true
		}
		if len(r.years)+len(r.dates)+len(r.weeks) > 0 || hasNth(r) {
			s.simple = false
		}
		for _, t := range r.times {
			if t.to > 1440 {
				r.wraps, s.spill = true, true
			}
		}
	}
	if !s.simple {
		return s
	}
	s.constant, s.fixed = true, true
	var first key
	for wd := range 7 {
		for h := range 2 {
			for ph := range 2 {
				cur, prev := day{wd: wd}, day{wd: (wd + 6) % 7}
				if h == 1 {
					cur.hol = &holidayRule{}
				}
				if ph == 1 {
					prev.hol = &holidayRule{}
				}
				sp := s.evalDay(&cur, &prev, nil)
				s.table[wd][h][ph] = sp
				k, one := uniform(sp)
				if wd == 0 && h == 0 && ph == 0 {
					first = k
				}
				if !one || k.status != first.status {
					s.constant = false
				}
				if !one || k != first {
					s.fixed = false
				}
			}
		}
	}
	return s
}

// uniform reports whether spans give one state to every minute of the
// day, and which.
func uniform(sp []span) (key, bool) {
	k0, _ := lookup(sp, 0)
	for _, x := range sp {
		for _, m := range [2]int32{x.from, x.to} {
			if m < 1440 {
				if k, _ := lookup(sp, m); k != k0 {
					return k0, false
				}
			}
		}
	}
	return k0, true
}

// key is what a change of state means for Next.
type key struct {
	status  Status
	comment string
}

// differs reports whether k is a change from k0: of status, or also of
// comment when withComment.
func differs(k, k0 key, withComment bool) bool {
	return k.status != k0.status || withComment && k.comment != k0.comment
}

// lookup finds the state at minute m of a day from its spans, as
// opening_hours.js does: every span covering m applies in order, a
// fallback span only while the state so far is closed; uncovered minutes
// are closed. wrapped reports whether the deciding span is the day
// before's overflow.
func lookup(sp []span, m int32) (k key, wrapped bool) {
	k.status = Closed
	for i := range sp {
		x := &sp[i]
		if x.from <= m && m < x.to && (!x.fallback || k.status == Closed) {
			k.status, k.comment, wrapped = x.status, x.comment, x.wrapped
		}
	}
	return k, wrapped
}

// paintDay sets st[m] and wrapped[m] to lookup(sp, m) at every minute m of
// a day at once, painting the spans in lookup's order: a later span
// overrides, a fallback fills only closed minutes.
func paintDay(sp []span, st *[1440]key, wrapped *[1440]bool) {
	for m := range st {
		st[m], wrapped[m] = key{status: Closed}, false
	}
	for i := range sp {
		x := &sp[i]
		for m := max(x.from, 0); m < min(x.to, 1440); m++ {
			if !x.fallback || st[m].status == Closed {
				st[m], wrapped[m] = key{x.status, x.comment}, x.wrapped
			}
		}
	}
}

func location(loc Locale) *time.Location {
	if loc.Location == nil {
		return time.UTC
	}
	return loc.Location
}

// eval sets the state at wall time w (seconds) in st, all but Next.
func (s *Schedule) eval(st *State, w int64, r Region) {
	dn := int(floorDiv64(w, 86400))
	m := int32((w - int64(dn)*86400) / 60)
	if s.simple {
		// Table lookups need no buffer; zeroing one costs more than the
		// lookup itself.
		s.evalIn(st, dn, m, r, nil)
		return
	}
	var buf [24]span
	s.evalIn(st, dn, m, r, buf[:0])
}

func (s *Schedule) evalIn(st *State, dn int, m int32, r Region, buf []span) {
	var cur, prev day
	s.makeDay(&cur, dn, r)
	var pp *day
	if s.spill {
		s.makeDay(&prev, dn-1, r)
		pp = &prev
	}
	k, wrapped := lookup(s.spans(&cur, pp, buf), m)
	st.Status, st.Comment, st.Reason = k.status, k.comment, ""
	if s.usesPH {
		h := cur.hol
		if wrapped {
			h = prev.hol
		}
		if h != nil {
			st.Reason = h.reason
		}
	}
}

func floorDiv64(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// IsOpen returns the status at t, without computing the next change. It
// does not allocate.
func (s *Schedule) IsOpen(t time.Time, loc Locale) Status {
	off, _ := zoneOf(location(loc), t.Unix())
	var st State
	s.eval(&st, t.Unix()+off, loc.Region)
	return st.Status
}

// At returns the state at t in the locale's zone and holiday calendar.
func (s *Schedule) At(t time.Time, loc Locale) State {
	l := location(loc)
	off, end := zoneOf(l, t.Unix())
	var st State
	s.eval(&st, t.Unix()+off, loc.Region)
	st.Next = s.next(t.Unix(), off, end, l, loc.Region, key{st.Status, st.Comment}, false)
	return st
}

// AtUntil returns the state at t, as At does, and the instant until which
// At returns that same state, Next, Comment and Reason included: a caller
// may reuse it for any instant in [t, until). until is t when the state
// cannot be reused.
func (s *Schedule) AtUntil(t time.Time, loc Locale) (State, time.Time) {
	st := s.At(t, loc)
	if st.Next.IsZero() {
		if s.fixed && !s.usesPH {
			// The same status and comment at every minute, and no
			// holiday to name: the same state at every instant.
			return st, t.Add(horizon)
		}
		// Nothing changes within the horizon from t, but a later instant's
		// horizon reaches further: only At can say.
		return st, t
	}
	until := st.Next
	if s.commented {
		// The comment may change before the status does.
		l := location(loc)
		off, end := zoneOf(l, t.Unix())
		until = s.next(t.Unix(), off, end, l, loc.Region, key{st.Status, st.Comment}, true)
	}
	if !s.usesPH {
		return st, until
	}
	if s.spill {
		// The holiday named in Reason may be the previous day's, until a
		// range from that day ends: not worth tracking.
		return st, t
	}
	// Reason names the day's holiday, which may change at midnight while
	// the status does not.
	l := location(loc)
	y, m, d := t.In(l).Date()
	return st, minTime(until, time.Date(y, m, d+1, 0, 0, 0, 0, l))
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// next returns the first instant after t whose state differs from k0 (in
// status, or also in comment when withComment), or the zero time if none
// within the horizon. It walks the periods of one zone offset so that
// wall-clock boundaries map to instants even across DST changes.
//
// off is the zone offset at t and end the end of its period (zoneOf),
// which the caller already knows.
func (s *Schedule) next(t, off, end int64, l *time.Location, r Region, k0 key, withComment bool) time.Time {
	if s.fixed || s.constant && !withComment {
		return time.Time{}
	}
	limit := t + int64(horizon/time.Second)
	cur := t
	for cur < limit {
		segEnd := min(end, limit)
		wallMin := floorDiv64(cur+off, 60)
		limitMin := floorDiv64(segEnd+off+59, 60)
		if wm, ok := s.nextWallChange(wallMin, limitMin, r, k0, withComment); ok {
			if at := wm*60 - off; at < segEnd {
				return time.Unix(at, 0).In(l)
			}
		}
		if segEnd >= limit {
			break
		}
		cur = segEnd
		off, end = zoneOf(l, cur)
		var st State
		if s.eval(&st, cur+off, r); differs(key{st.Status, st.Comment}, k0, withComment) {
			return time.Unix(cur, 0).In(l)
		}
	}
	return time.Time{}
}

// nextWallChange returns the first wall minute after wallMin, before
// limitMin, at which the state differs from k0.
func (s *Schedule) nextWallChange(wallMin, limitMin int64, r Region, k0 key, withComment bool) (int64, bool) {
	if s.simple {
		return s.nextWallChangeIn(wallMin, limitMin, r, k0, withComment, nil)
	}
	var buf [24]span
	return s.nextWallChangeIn(wallMin, limitMin, r, k0, withComment, buf[:0])
}

// nextWallChangeIn does the work of nextWallChange; buf is nil for simple
// schedules. One buffer suffices: a day's spans are built from the rules
// alone, never from the spans of the day before.
func (s *Schedule) nextWallChangeIn(wallMin, limitMin int64, r Region, k0 key, withComment bool, buf []span) (int64, bool) {
	dn := int(floorDiv64(wallMin, 1440))
	m := int32(wallMin - int64(dn)*1440)
	var days [2]day
	cur, prev := &days[0], &days[1]
	s.makeDay(cur, dn, r)
	var pp *day
	if s.spill {
		s.makeDay(prev, dn-1, r)
		pp = prev
	}
	sp := s.spans(cur, pp, buf)
	for int64(dn)*1440 < limitMin {
		// The next boundary after m: a span edge or midnight.
		b := int32(1440)
		for i := range sp {
			if x := &sp[i]; x.from > m && x.from < b {
				b = x.from
			} else if x.to > m && x.to < b {
				b = x.to
			}
		}
		at := int64(dn)*1440 + int64(b)
		if at >= limitMin {
			return 0, false
		}
		if b == 1440 {
			dn++
			cur, prev = prev, cur
			s.makeDay(cur, dn, r)
			if s.spill {
				pp = prev
			}
			sp = s.spans(cur, pp, buf)
			m = 0
		} else {
			m = b
		}
		if k, _ := lookup(sp, m); differs(k, k0, withComment) {
			return at, true
		}
	}
	return 0, false
}

// Interval is a half-open span of time [Start, End).
type Interval struct{ Start, End time.Time }

// Intervals returns the open intervals overlapping [from, to), clipped to
// it, with times in the locale's zone.
func (s *Schedule) Intervals(from, to time.Time, loc Locale) []Interval {
	l := location(loc)
	var out []Interval
	t := from
	for t.Before(to) {
		off, zend := zoneOf(l, t.Unix())
		var st State
		s.eval(&st, t.Unix()+off, loc.Region)
		n := s.next(t.Unix(), off, zend, l, loc.Region, key{st.Status, st.Comment}, false)
		end := n
		if n.IsZero() || n.After(to) {
			end = to
		}
		if st.Status == Open {
			if k := len(out); k > 0 && out[k-1].End.Equal(t) {
				out[k-1].End = end.In(l)
			} else {
				out = append(out, Interval{t.In(l), end.In(l)})
			}
		}
		if n.IsZero() {
			break
		}
		t = n
	}
	return out
}
