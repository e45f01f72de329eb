package hours

import "time"

// WeekMinutes is the number of minutes in a week.
const WeekMinutes = 7 * 24 * 60

// WeekMask is a set of minutes of the week on a wall clock, minute 0 being
// Monday 00:00 (see WeekMinute).
type WeekMask [(WeekMinutes + 63) / 64]uint64

// Has reports whether minute m of the week is in the mask.
func (w *WeekMask) Has(m int) bool { return w[m/64]&(1<<(m%64)) != 0 }

// Any reports whether some minute of [from, to) is in the mask.
func (w *WeekMask) Any(from, to int) bool {
	for m := from; m < to; m++ {
		if w.Has(m) {
			return true
		}
	}
	return false
}

func (w *WeekMask) add(from, to int) {
	for m := from; m < to; m++ {
		w[m/64] |= 1 << (m % 64)
	}
}

// OpenMask returns the minutes of the week in which s may be open: if At
// gives Open at t, the mask holds WeekMinute(t, loc), whatever the
// locale. The converse holds only as far as the week can tell:
//   - A schedule that selects days by weekday and PH only gets, for each
//     weekday, the minutes it opens on that weekday when neither it nor
//     the day before is a public holiday, plus those it opens when one or
//     both are: any day may be a holiday, in some calendar.
//   - A schedule with year, month, date, ISO week or nth-weekday
//     selectors may be open at any minute: its mask is full.
//   - An unknown schedule is never Open (its state is Unknown): its mask
//     is empty, as is that of a schedule that never opens.
//
// A station is open at t only if its mask holds the minute of t, so an
// index of stations by minute of the week may skip the others; it must
// still ask At (or IsOpen) of those it keeps.
func (s *Schedule) OpenMask() WeekMask {
	var w WeekMask
	if s.unknown {
		return w
	}
	if !s.simple {
		w.add(0, WeekMinutes)
		return w
	}
	for d := range 7 { // Monday first
		wd := (d + 1) % 7 // time.Weekday
		for h := range 2 {
			for ph := range 2 {
				sp := s.table[wd][h][ph]
				// The state is constant between span ends: look it up
				// once per run.
				cuts := []int32{0, 1440}
				for _, x := range sp {
					cuts = append(cuts, x.from, x.to)
				}
				for _, from := range cuts {
					if from >= 1440 {
						continue
					}
					to := int32(1440)
					for _, c := range cuts {
						if c > from && c < to {
							to = c
						}
					}
					if k, _ := lookup(sp, from); k.status == Open {
						w.add(d*1440+int(from), d*1440+int(to))
					}
				}
			}
		}
	}
	return w
}

// WeekMinute returns the minute of the week, counted from Monday 00:00,
// that the wall clock of loc reads at t: the minute whose state At gives
// at t.
func WeekMinute(t time.Time, loc Locale) int {
	sec := t.Unix()
	off, _ := zoneOf(location(loc), sec)
	w := sec + off
	dn := floorDiv64(w, 86400)
	m := int((w - dn*86400) / 60)
	// 1970-01-01, day 0, was a Thursday: day 3 of a week from Monday.
	return floorMod(int(dn)+3, 7)*1440 + m
}
