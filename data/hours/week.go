package hours

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
// holidays; it gives the hours of those rules alone, as if the holiday
// fell on no particular weekday. Ranges past midnight belong to the day
// they start on. An unknown schedule gives nil.
//
// The week is computed once per schedule and shared: callers must not
// modify the returned slice.
func (s *Schedule) Week() []DaySpec {
	s.weekOnce.Do(func() { s.week = s.computeWeek() })
	return s.week
}

func (s *Schedule) computeWeek() []DaySpec {
	if s.unknown {
		return nil
	}
	typical := Schedule{}
	for _, r := range s.rules {
		if len(r.years)+len(r.dates)+len(r.weeks) > 0 || hasNth(&r) {
			continue
		}
		typical.rules = append(typical.rules, r)
	}
	out := make([]DaySpec, 0, 8)
	for k := range 7 {
		wd := (k + 1) % 7
		out = append(out, daySpec(osmDays[wd], typical.evalDay(&day{wd: wd}, nil)))
	}
	if s.usesPH {
		out = append(out, daySpec("PH", typical.evalDay(&day{wd: 7, hol: &holidayRule{}}, nil)))
	}
	return out
}

func hasNth(r *rule) bool {
	for _, w := range r.wdays {
		if w.pos|w.neg != 0 {
			return true
		}
	}
	return false
}

// daySpec resolves overlapping spans, later ones winning, minute by minute
// and lists the open and unknown runs.
func daySpec(name string, sp []span) DaySpec {
	d := DaySpec{Day: name, Open: []TimeRange{}}
	var st [2880]Status // Closed is not the zero value, so track coverage
	var set [2880]bool
	comments := map[string]bool{}
	for pass := range 2 {
		for _, x := range sp {
			if x.fallback != (pass == 1) {
				continue
			}
			for m := x.from; m < x.to; m++ {
				if pass == 0 || !set[m] {
					st[m], set[m] = x.status, true
				}
			}
			if x.comment != "" && !comments[x.comment] {
				comments[x.comment] = true
				if d.Comment != "" {
					d.Comment += " ; "
				}
				d.Comment += x.comment
			}
		}
	}
	for m := 0; m < 2880; {
		if !set[m] || st[m] == Closed {
			m++
			continue
		}
		e := m
		for e < 2880 && set[e] && st[e] == st[m] {
			e++
		}
		tr := TimeRange{hhmm(m), hhmm(e)}
		if e > 1440 {
			tr.To = hhmm(e - 1440)
		}
		if st[m] == Open {
			d.Open = append(d.Open, tr)
		} else {
			d.Unknown = append(d.Unknown, tr)
		}
		m = e
	}
	return d
}

func hhmm(m int) string {
	return string([]byte{byte('0' + m/600), byte('0' + m/60%10), ':', byte('0' + m%60/10), byte('0' + m%10)})
}
