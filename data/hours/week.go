package hours

import "sync"

// TimeRange is a range of wall-clock times "HH:MM". A To earlier than or
// equal to From ends the next day; "24:00" is midnight at the end of the day.
type TimeRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// DaySpec is the typical hours of one day of the week.
type DaySpec struct {
	// Day is "Mo" … "Su", or "PH" for public holidays.
	Day     string      `json:"day"`
	Open    []TimeRange `json:"open"`
	Unknown []TimeRange `json:"unknown,omitempty"`
	Comment string      `json:"comment,omitempty"`
}

// Week returns the typical week, Monday first: the ranges each weekday
// gets from the rules that select days by weekday or PH only (rules with
// year, month, date, week or nth-weekday selectors are exceptions and are
// left out). A "PH" entry is appended when some rule selects public
// holidays; it gives the hours of a holiday that falls on no particular
// weekday. A range that goes on after midnight belongs to the day it
// starts on ("Fr 20:00-02:00" is Friday's); when the day it starts on
// gives no range up to midnight, its part after midnight is listed on the
// next day (the PH entry, which has no next day, lists it from "24:00").
// An unknown schedule gives nil.
//
// The week is computed once per schedule and shared: callers must not
// modify the returned slice.
func (s *Schedule) Week() []DaySpec {
	s.weekOnce.Do(func() { s.week = s.computeWeek() })
	return s.week
}

// minuteStates are the states of the minutes of one day, with whether
// the day before's overflow decided each.
type minuteStates struct {
	st      [1440]key
	wrapped [1440]bool
}

// weekScratch holds the minute states of the nine days a week is folded
// from: 330 KB that a load's hundreds of distinct schedules would
// otherwise each allocate, and the garbage collector then sweep.
var weekScratch = sync.Pool{New: func() any { return new([9]minuteStates) }}

func (s *Schedule) computeWeek() []DaySpec {
	if s.unknown {
		return nil
	}
	typical := Schedule{}
	for _, r := range s.rules {
		if len(r.years)+len(r.dates)+len(r.weeks) > 0 || hasNth(&r) {
			continue
		}
		// r keeps the resets flag it has among all the rules.
		typical.rules = append(typical.rules, r)
	}
	scratch := weekScratch.Get().(*[9]minuteStates)
	defer weekScratch.Put(scratch)
	used := 0
	fold := func(cur, prev day) *minuteStates {
		ms := &scratch[used]
		used++
		paintDay(typical.evalDay(&cur, &prev, nil), &ms.st, &ms.wrapped)
		return ms
	}
	// days[k] is the weekday k (Monday first) after a weekday; ph a holiday
	// on no weekday, phNext the day after it.
	var days [7]*minuteStates
	for k := range 7 {
		wd := (k + 1) % 7
		days[k] = fold(day{wd: wd}, day{wd: (wd + 6) % 7})
	}
	out := make([]DaySpec, 0, 8)
	for k := range 7 {
		prev, next := days[(k+6)%7], days[(k+1)%7]
		out = append(out, daySpec(osmDays[(k+1)%7], days[k], next, attached(prev, days[k]), false))
	}
	if s.usesPH {
		ph := fold(day{wd: 7, hol: &holidayRule{}}, day{wd: 7})
		phNext := fold(day{wd: 7}, day{wd: 7, hol: &holidayRule{}})
		out = append(out, daySpec("PH", ph, phNext, 0, true))
	}
	return out
}

// overflow returns how many minutes from midnight the day before's
// overflow decides in next with one state other than closed.
func overflow(next *minuteStates) int {
	n := 0
	for n < 1440 && next.wrapped[n] && next.st[n] == next.st[0] && next.st[n].status != Closed {
		n++
	}
	return n
}

// attached returns how many minutes from midnight of cur continue, as
// overflow, a range of prev that reaches midnight: they are listed with
// prev.
func attached(prev, cur *minuteStates) int {
	n := overflow(cur)
	if n == 0 || prev.st[1439].status != cur.st[0].status {
		return 0
	}
	return n
}

// daySpec lists the open and unknown runs of cur from minute skip, those
// continuing after midnight into next's overflow included; loose lists
// next's overflow from "24:00" when no run of cur reaches midnight.
func daySpec(name string, cur, next *minuteStates, skip int, loose bool) DaySpec {
	d := DaySpec{Day: name, Open: []TimeRange{}}
	ext := attached(cur, next)
	if ext == 0 && loose {
		ext = overflow(next)
	}
	// Minutes 0 to 1439 are cur's, then ext minutes of next's overflow;
	// every minute after them is closed and lists nothing.
	end := 1440 + ext
	at := func(m int) key {
		if m < 1440 {
			return cur.st[m]
		}
		return next.st[m-1440]
	}
	var seen map[string]bool
	for m := skip; m < end; {
		k := at(m)
		if k.comment != "" && !seen[k.comment] {
			if seen == nil {
				seen = map[string]bool{}
			}
			seen[k.comment] = true
			if d.Comment != "" {
				d.Comment += " ; "
			}
			d.Comment += k.comment
		}
		if k.status == Closed {
			m++
			continue
		}
		e := m
		for e < end && at(e).status == k.status {
			e++
		}
		tr := TimeRange{hhmm(m), hhmm(e)}
		if m >= 1440 {
			tr.From = "24:00"
			tr.To = hhmm(e - 1440)
		} else if e > 1440 {
			tr.To = hhmm(e - 1440)
		}
		if k.status == Open {
			d.Open = append(d.Open, tr)
		} else {
			d.Unknown = append(d.Unknown, tr)
		}
		m = e
	}
	return d
}

func hasNth(r *rule) bool {
	for _, w := range r.wdays {
		if w.pos|w.neg != 0 {
			return true
		}
	}
	return false
}

func hhmm(m int) string {
	return string([]byte{byte('0' + m/600), byte('0' + m/60%10), ':', byte('0' + m%60/10), byte('0' + m%10)})
}
