package data

import (
	"sync"
	"sync/atomic"
	"time"

	"guichet/data/hours"
)

// StateSpan is a station's opening state at an instant and the instants
// between which it holds.
type StateSpan struct {
	hours.State
	// The state, Next, Comment and Reason included, is the same at every
	// instant of [From, Until); Until equals From when it may not be
	// reused (see hours.Schedule.AtUntil).
	From, Until time.Time
}

// Day is a station's local day and its open intervals.
type Day struct {
	// Start and End are the midnights that begin and end the day in the
	// station's zone.
	Start, End time.Time
	// Open lists the open intervals of the day, clipped to it; nil when
	// the hours are unknown, empty (not nil) when the station stays shut.
	Open []hours.Interval
}

// StateAt returns the state of s at t.
func (s *Station) StateAt(t time.Time) StateSpan {
	st, until := s.Hours.AtUntil(t, s.Locale)
	return StateSpan{State: st, From: t, Until: until}
}

// DayOf returns the local day of t at s and its open intervals.
func (s *Station) DayOf(t time.Time) Day {
	loc := s.Locale.Location
	if loc == nil {
		loc = time.UTC // as hours evaluates a Locale without zone
	}
	y, m, d := t.In(loc).Date()
	day := Day{Start: time.Date(y, m, d, 0, 0, 0, 0, loc), End: time.Date(y, m, d+1, 0, 0, 0, 0, loc)}
	if !s.Hours.Unknown() {
		day.Open = append([]hours.Interval{}, s.Hours.Intervals(day.Start, day.End, s.Locale)...)
	}
	return day
}

// stateCache remembers, per station, the last state and day evaluated:
// a station keeps its state for hours, while requests ask for it many
// times a second. It is a memo of pure functions of the immutable
// stations, so the Dataset stays immutable in what it answers.
type stateCache struct {
	once  sync.Once
	state []atomic.Pointer[StateSpan]
	day   []atomic.Pointer[Day]
}

func (d *Dataset) stateCache() *stateCache {
	c := &d.states
	c.once.Do(func() {
		c.state = make([]atomic.Pointer[StateSpan], len(d.stations))
		c.day = make([]atomic.Pointer[Day], len(d.stations))
	})
	return c
}

// index returns the index of st among d's stations, or -1 when st is not
// one of them.
func (d *Dataset) index(st *Station) int32 {
	if i, ok := d.byID[st.ID]; ok && &d.stations[i] == st {
		return i
	}
	return -1
}

// StateAt returns the state of st at t, as st.StateAt does. The result is
// shared: callers must not modify it; one returned again for a later
// instant is the same pointer.
func (d *Dataset) StateAt(st *Station, t time.Time) *StateSpan {
	i := d.index(st)
	if i < 0 {
		s := st.StateAt(t)
		return &s
	}
	return d.stateAt(i, t)
}

func (d *Dataset) stateAt(i int32, t time.Time) *StateSpan {
	slot := &d.stateCache().state[i]
	if c := slot.Load(); c != nil && !t.Before(c.From) && t.Before(c.Until) {
		return c
	}
	s := d.stations[i].StateAt(t)
	if s.Until.After(t) {
		slot.Store(&s)
	}
	return &s
}

// DayOf returns the local day of t at st, as st.DayOf does. The result is
// shared as StateAt's is.
func (d *Dataset) DayOf(st *Station, t time.Time) *Day {
	i := d.index(st)
	if i < 0 {
		day := st.DayOf(t)
		return &day
	}
	return d.dayOf(i, t)
}

func (d *Dataset) dayOf(i int32, t time.Time) *Day {
	slot := &d.stateCache().day[i]
	if c := slot.Load(); c != nil && !t.Before(c.Start) && t.Before(c.End) {
		return c
	}
	day := d.stations[i].DayOf(t)
	slot.Store(&day)
	return &day
}
