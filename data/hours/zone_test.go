package hours

import (
	"math"
	"testing"
	"time"
)

// TestZoneOf checks the offset table of every zone LocaleFor knows against
// the time package: at each period start and just before each period end,
// every 5 days from 1990 to 2100, and outside the table.
func TestZoneOf(t *testing.T) {
	deps := []string{"38", "57", "971", "972", "973", "974", "975", "976", "977", "978", "986", "987", "988"}
	locs := map[*time.Location]bool{time.UTC: true, time.FixedZone("UTC-3", -3*3600): true}
	for _, d := range deps {
		locs[LocaleFor(d).Location] = true
	}
	want := func(l *time.Location, sec int64) int64 {
		_, off := time.Unix(sec, 0).In(l).Zone()
		return int64(off)
	}
	for l := range locs {
		lo := time.Date(1985, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
		hi := time.Date(2105, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
		for sec := lo; sec < hi; sec += 5*86400 + 3607 {
			off, end := zoneOf(l, sec)
			if w := want(l, sec); off != w || end <= sec {
				t.Fatalf("%v: zoneOf(%d) = %d, %d; want offset %d and end after it", l, sec, off, end, w)
			}
			if end == math.MaxInt64 {
				continue
			}
			if w := want(l, end-1); w != off {
				t.Fatalf("%v: zoneOf(%d) = %d until %d, but the offset is %d at %d", l, sec, off, end, w, end-1)
			}
		}
	}
}

// TestNextLeapYearEnd covers 31 December of a leap year after the last
// transition of the zone file, where time.ZoneBounds ends the period
// before the instant asked (see zoneSpan). The zone files of the system
// list transitions until 2037 at most; the embedded time/tzdata ones stop
// earlier, so in production 2028 is already such a year.
func TestNextLeapYearEnd(t *testing.T) {
	l := paris(t)
	loc := Locale{Location: l}
	tests := []struct {
		hours  string
		t      time.Time
		status Status
		next   time.Time
	}{
		{"Mo-Su 08:00-20:00", time.Date(2040, 12, 31, 12, 0, 0, 0, l), Open, time.Date(2040, 12, 31, 20, 0, 0, 0, l)},
		// 29 December 2040 is a Saturday.
		{"Mo-Fr 08:00-18:00", time.Date(2040, 12, 29, 12, 0, 0, 0, l), Closed, time.Date(2040, 12, 31, 8, 0, 0, 0, l)},
		{"Mo-Fr 08:00-18:00; PH off", time.Date(2040, 12, 31, 19, 0, 0, 0, l), Closed, time.Date(2041, 1, 2, 8, 0, 0, 0, l)},
		{"Mo-Su 08:00-20:00", time.Date(2040, 12, 31, 21, 0, 0, 0, l), Closed, time.Date(2041, 1, 1, 8, 0, 0, 0, l)},
	}
	for _, tt := range tests {
		st := mustParse(t, tt.hours).At(tt.t, loc)
		if st.Status != tt.status || !st.Next.Equal(tt.next) {
			t.Errorf("%q.At(%v) = %v next %v, want %v next %v", tt.hours, tt.t, st.Status, st.Next, tt.status, tt.next)
		}
	}
}

// TestHolidayOnDay checks the bitset and its rows against holidayAt for
// every day the bitset covers, and a few days outside it.
func TestHolidayOnDay(t *testing.T) {
	first := daysFromCivil(bitsFirstYear-2, time.January, 1)
	last := daysFromCivil(bitsLastYear+2, time.December, 31)
	for r := range numRegions {
		for dn := first; dn <= last; dn++ {
			y, m, d := civilFromDays(dn)
			if got, want := holidayOnDay(dn, r), holidayAt(dn, y, m, d, r); got != want {
				t.Fatalf("holidayOnDay(%v, %v) = %v, want %v", Date{y, m, d}, r, got, want)
			}
		}
	}
}
