package hours

import (
	"testing"
	"time"
)

const typicalFrench = "$Lundi : 8h00-12h00 14h00-18h00$Mardi : 8h00-12h00 14h00-18h00$Mercredi : 8h00-12h00 14h00-18h00$Jeudi : 8h00-12h00 14h00-18h00$Vendredi : 8h00-12h00 14h00-18h00$Samedi : 8h00-12h00 14h00-18h00$Dimanche : 9h00-12h00 15h00-18h00$Jours Fériés : 9h00-12h00 15h00-18h00"

func mustParse(tb testing.TB, s string) *Schedule {
	tb.Helper()
	sc, err := Parse(s)
	if err != nil {
		tb.Fatalf("Parse(%q): %v", s, err)
	}
	return sc
}

func paris(tb testing.TB) *time.Location {
	tb.Helper()
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

func TestAt(t *testing.T) {
	metro := LocaleFor("38")
	reunion := LocaleFor("974")
	p := metro.Location
	tests := []struct {
		name     string
		hours    string
		t        time.Time
		loc      Locale
		status   Status
		next     time.Time
		reason   string
		comments string
	}{
		{"weekday open", typicalFrench, time.Date(2026, 11, 27, 9, 0, 0, 0, p), metro, Open, time.Date(2026, 11, 27, 12, 0, 0, 0, p), "", ""},
		{"lunch break", typicalFrench, time.Date(2026, 11, 27, 12, 0, 0, 0, p), metro, Closed, time.Date(2026, 11, 27, 14, 0, 0, 0, p), "", ""},
		{"last second", typicalFrench, time.Date(2026, 11, 27, 17, 59, 59, 0, p), metro, Open, time.Date(2026, 11, 27, 18, 0, 0, 0, p), "", ""},
		{"night to next morning", typicalFrench, time.Date(2026, 11, 27, 22, 0, 0, 0, p), metro, Closed, time.Date(2026, 11, 28, 8, 0, 0, 0, p), "", ""},
		// 14 July 2026 is a Tuesday: holiday hours 9-12, not 8-12.
		{"holiday hours", typicalFrench, time.Date(2026, 7, 14, 8, 30, 0, 0, p), metro, Closed, time.Date(2026, 7, 14, 9, 0, 0, 0, p), "Jour férié : Fête nationale", ""},
		{"holiday closed without Jours Feries", "$Mardi : 8h00-12h00", time.Date(2026, 7, 14, 9, 0, 0, 0, p), metro, Closed, time.Date(2026, 7, 21, 8, 0, 0, 0, p), "Jour férié : Fête nationale", ""},
		// 20 Dec 2027 is a Monday; in Réunion it is a holiday, in metro not.
		{"reunion holiday", "$Lundi : 8h00-12h00", time.Date(2027, 12, 20, 9, 0, 0, 0, reunion.Location), reunion, Closed, time.Date(2027, 12, 27, 8, 0, 0, 0, reunion.Location), "Jour férié : Abolition de l'esclavage (La Réunion)", ""},
		{"same day metro", "$Lundi : 8h00-12h00", time.Date(2027, 12, 20, 9, 0, 0, 0, p), metro, Open, time.Date(2027, 12, 20, 12, 0, 0, 0, p), "", ""},
		// The station's own zone decides: 05:00 UTC is 09:00 in Réunion.
		{"own zone", "$Lundi : 8h00-12h00", time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC), reunion, Open, time.Date(2026, 11, 30, 12, 0, 0, 0, reunion.Location), "", ""},
		{"always open", "24h/24 - 7j/7", time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC), metro, Open, time.Time{}, "", ""},
		{"no public reception", "Pas d'accueil du public", time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC), metro, Closed, time.Time{}, "", ""},
		{"not filled in", "Non renseigné dans Pulsar", time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC), metro, Unknown, time.Time{}, "", ""},
		{"empty", "", time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC), metro, Unknown, time.Time{}, "", ""},
		// Friday 2026-11-27 20:00-02:00 covers Saturday 00:00-02:00.
		{"past midnight", "Fr 20:00-02:00", time.Date(2026, 11, 28, 1, 0, 0, 0, p), metro, Open, time.Date(2026, 11, 28, 2, 0, 0, 0, p), "", ""},
		{"before overflow ends", "Fr 20:00-02:00", time.Date(2026, 11, 27, 23, 59, 0, 0, p), metro, Open, time.Date(2026, 11, 28, 2, 0, 0, 0, p), "", ""},
		{"overflow ended", "Fr 20:00-02:00", time.Date(2026, 11, 28, 2, 0, 0, 0, p), metro, Closed, time.Date(2026, 12, 4, 20, 0, 0, 0, p), "", ""},
		{"24:00 end", "Mo-Su 10:00-24:00", time.Date(2026, 11, 28, 0, 0, 0, 0, p), metro, Closed, time.Date(2026, 11, 28, 10, 0, 0, 0, p), "", ""},
		{"adjacent ranges merge", "Mo-Su 10:00-24:00,00:00-02:00", time.Date(2026, 11, 28, 23, 0, 0, 0, p), metro, Open, time.Date(2026, 11, 29, 2, 0, 0, 0, p), "", ""},
		{"off overrides overflow", "Fr 20:00-02:00; Sa off", time.Date(2026, 11, 28, 1, 0, 0, 0, p), metro, Closed, time.Date(2026, 12, 4, 20, 0, 0, 0, p), "", ""},
		{"later rule replaces overflow", "Fr 20:00-02:00; Sa 10:00-12:00", time.Date(2026, 11, 28, 1, 0, 0, 0, p), metro, Closed, time.Date(2026, 11, 28, 10, 0, 0, 0, p), "", ""},
		{"earlier rule keeps overflow", "Sa 10:00-12:00; Fr 20:00-02:00", time.Date(2026, 11, 28, 1, 0, 0, 0, p), metro, Open, time.Date(2026, 11, 28, 2, 0, 0, 0, p), "", ""},
		{"same rule keeps overflow", "Mo-Su 20:00-02:00", time.Date(2026, 11, 28, 1, 0, 0, 0, p), metro, Open, time.Date(2026, 11, 28, 2, 0, 0, 0, p), "", ""},
		{"fallback comment", "Mo-Fr 08:00-12:00 || \"sur rendez-vous\"", time.Date(2026, 11, 28, 10, 0, 0, 0, p), metro, Unknown, time.Date(2026, 11, 30, 8, 0, 0, 0, p), "", "sur rendez-vous"},
		{"nth weekday", "Su[1] 10:00-12:00", time.Date(2026, 12, 6, 10, 0, 0, 0, p), metro, Open, time.Date(2026, 12, 6, 12, 0, 0, 0, p), "", ""},
		{"not nth weekday", "Su[1] 10:00-12:00", time.Date(2026, 12, 13, 10, 0, 0, 0, p), metro, Closed, time.Date(2027, 1, 3, 10, 0, 0, 0, p), "", ""},
		{"last weekday", "We[-1] 10:00-12:00", time.Date(2026, 12, 30, 10, 0, 0, 0, p), metro, Open, time.Date(2026, 12, 30, 12, 0, 0, 0, p), "", ""},
		{"date range over new year", "Dec 24-Jan 02 off; Mo-Su 10:00-12:00", time.Date(2027, 1, 1, 11, 0, 0, 0, p), metro, Open, time.Date(2027, 1, 1, 12, 0, 0, 0, p), "", ""},
		{"date range with year", "Mo-Su 10:00-12:00; 2026 Dec 24-2027 Jan 02 off", time.Date(2027, 1, 1, 11, 0, 0, 0, p), metro, Closed, time.Date(2027, 1, 3, 10, 0, 0, 0, p), "", ""},
		{"week numbers", "week 01-10 Mo 10:00-12:00", time.Date(2027, 3, 8, 11, 0, 0, 0, p), metro, Open, time.Date(2027, 3, 8, 12, 0, 0, 0, p), "", ""},
		{"week numbers out", "week 01-10 Mo 10:00-12:00", time.Date(2027, 3, 15, 11, 0, 0, 0, p), metro, Closed, time.Date(2028, 1, 3, 10, 0, 0, 0, p), "", ""},
		{"months", "Jan-Mar Mo-Su 10:00-12:00", time.Date(2026, 12, 31, 11, 0, 0, 0, p), metro, Closed, time.Date(2027, 1, 1, 10, 0, 0, 0, p), "", ""},
		{"PH off", "Mo-Su 10:00-12:00; PH off", time.Date(2026, 12, 25, 11, 0, 0, 0, p), metro, Closed, time.Date(2026, 12, 26, 10, 0, 0, 0, p), "Jour férié : Noël", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := mustParse(t, tt.hours).At(tt.t, tt.loc)
			if st.Status != tt.status || !st.Next.Equal(tt.next) || st.Reason != tt.reason || st.Comment != tt.comments {
				t.Errorf("At(%v) = %v next %v reason %q comment %q, want %v next %v reason %q comment %q",
					tt.t, st.Status, st.Next, st.Reason, st.Comment, tt.status, tt.next, tt.reason, tt.comments)
			}
			if got := mustParse(t, tt.hours).IsOpen(tt.t, tt.loc); got != tt.status {
				t.Errorf("IsOpen(%v) = %v, want %v", tt.t, got, tt.status)
			}
		})
	}
}

// TestDST pins the wall-clock semantics across both 2026 changes in
// Europe/Paris: on 29 March 02:00-03:00 does not exist, on 25 October
// 02:00-03:00 happens twice.
func TestDST(t *testing.T) {
	loc := Locale{Location: paris(t)}
	utc := func(h, m int, day int, month time.Month) time.Time {
		return time.Date(2026, month, day, h, m, 0, 0, time.UTC)
	}
	tests := []struct {
		name   string
		hours  string
		t      time.Time
		status Status
		next   time.Time
	}{
		// 00:30Z is 01:30 CET; the opening at wall 02:00 falls in the gap
		// and takes effect at the first instant after it, 03:00 CEST = 01:00Z.
		{"spring opening in gap", "Su 02:00-04:00", utc(0, 30, 29, time.March), Closed, utc(1, 0, 29, time.March)},
		{"spring after gap", "Su 02:00-04:00", utc(1, 0, 29, time.March), Open, utc(2, 0, 29, time.March)},
		// A range entirely inside the gap never opens that day.
		{"spring range lost", "Su 02:15-02:45", utc(0, 30, 29, time.March), Closed, time.Date(2026, 4, 5, 0, 15, 0, 0, time.UTC)},
		{"spring ordinary", "Mo-Su 08:00-12:00", utc(6, 30, 29, time.March), Open, utc(10, 0, 29, time.March)},
		// 00:30Z is the first 02:30 (CEST), 01:30Z the second (CET): the
		// same wall time, the same state.
		{"autumn first pass", "Su 02:15-02:45", utc(0, 30, 25, time.October), Open, utc(0, 45, 25, time.October)},
		{"autumn between", "Su 02:15-02:45", utc(0, 50, 25, time.October), Closed, utc(1, 15, 25, time.October)},
		{"autumn second pass", "Su 02:15-02:45", utc(1, 30, 25, time.October), Open, utc(1, 45, 25, time.October)},
		// Open until wall 03:00: at 01:00Z the clock goes back from 03:00
		// CEST to 02:00 CET without reading 03:00, so the station stays
		// open until 03:00 CET = 02:00Z.
		{"autumn fold stays open", "Su 01:00-03:00", utc(0, 30, 25, time.October), Open, utc(2, 0, 25, time.October)},
		{"autumn ordinary", "Mo-Su 08:00-12:00", utc(7, 0, 25, time.October), Open, utc(11, 0, 25, time.October)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := mustParse(t, tt.hours).At(tt.t, loc)
			if st.Status != tt.status || !st.Next.Equal(tt.next) {
				t.Errorf("At(%v) = %v next %v, want %v next %v", tt.t, st.Status, st.Next.UTC(), tt.status, tt.next.UTC())
			}
		})
	}
}

func TestIntervals(t *testing.T) {
	loc := LocaleFor("38")
	p := loc.Location
	from := time.Date(2026, 7, 13, 0, 0, 0, 0, p) // Monday before 14 July
	got := mustParse(t, "$Lundi : 8h00-12h00$Mardi : 8h00-12h00$Jours Fériés : 9h00-10h00").Intervals(from, from.Add(48*time.Hour), loc)
	want := []Interval{
		{time.Date(2026, 7, 13, 8, 0, 0, 0, p), time.Date(2026, 7, 13, 12, 0, 0, 0, p)},
		{time.Date(2026, 7, 14, 9, 0, 0, 0, p), time.Date(2026, 7, 14, 10, 0, 0, 0, p)},
	}
	if len(got) != len(want) {
		t.Fatalf("Intervals = %v, want %v", got, want)
	}
	for i := range want {
		if !got[i].Start.Equal(want[i].Start) || !got[i].End.Equal(want[i].End) {
			t.Errorf("Intervals[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	// Open across midnight is one interval, clipped to the window.
	got = mustParse(t, "Mo-Su 20:00-24:00,00:00-02:00").Intervals(from, from.Add(24*time.Hour), loc)
	if len(got) != 2 || !got[0].End.Equal(from.Add(2*time.Hour)) || !got[1].End.Equal(from.Add(24*time.Hour)) {
		t.Errorf("Intervals over midnight = %v", got)
	}
}

func TestWeek(t *testing.T) {
	w := mustParse(t, "$Lundi : 8h00-12h00 14h00-18h00$Samedi : 9h00-12h00").Week()
	if len(w) != 8 || w[0].Day != "Mo" || w[6].Day != "Su" || w[7].Day != "PH" {
		t.Fatalf("Week() = %+v", w)
	}
	if len(w[0].Open) != 2 || w[0].Open[1] != (TimeRange{"14:00", "18:00"}) {
		t.Errorf("Week()[Mo] = %+v", w[0])
	}
	if len(w[1].Open) != 0 || len(w[7].Open) != 0 {
		t.Errorf("Week() Tu/PH should be closed: %+v %+v", w[1], w[7])
	}
	w = mustParse(t, "Fr 20:00-02:00").Week()
	if len(w) != 7 || w[4].Open[0] != (TimeRange{"20:00", "02:00"}) {
		t.Errorf("Week() past midnight = %+v", w)
	}
	if w := mustParse(t, "").Week(); w != nil {
		t.Errorf("Week() of unknown = %+v, want nil", w)
	}
}

// TestAtUntil checks the contract of AtUntil over a year of instants: At
// gives the same state anywhere in [t, until).
func TestAtUntil(t *testing.T) {
	schedules := append([]string{
		"Mo-Fr 20:00-02:00; PH 10:00-12:00",
		`Mo-Fr 08:00-12:00 "sur rendez-vous"; Sa 09:00-11:00`,
		"Su[1] 10:00-12:00; We[-1] 14:00-16:00",
		"Mo-Sa 08:00-18:00; PH off",
		"Mo-Fr 09:00-17:00",
		"24/7",
		"off",
		"",
	}, readmeExamples...)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(1, 0, 0)
	// Not a divisor of an hour or a day, so that the instants fall at
	// every time of day.
	const step = 97*time.Minute + 13*time.Second
	reused := 0
	for _, dep := range []string{"38", "57", "974"} {
		loc := LocaleFor(dep)
		for _, hours := range schedules {
			sc := mustParse(t, hours)
			for at := start; at.Before(end); at = at.Add(step) {
				st, until := sc.AtUntil(at, loc)
				if until.Before(at) || (!st.Next.IsZero() && until.After(st.Next)) {
					t.Fatalf("%s %q at %v: until %v outside [t, Next %v]", dep, hours, at, until, st.Next)
				}
				if !until.After(at) {
					continue
				}
				reused++
				span := until.Sub(at)
				for _, later := range []time.Time{at.Add(span / 4), at.Add(span / 2), at.Add(span * 3 / 4), until.Add(-time.Nanosecond)} {
					if got := sc.At(later, loc); !sameState(got, st) {
						t.Fatalf("%s %q: AtUntil(%v) = %+v until %v, but At(%v) = %+v", dep, hours, at, st, until, later, got)
					}
				}
			}
		}
	}
	if reused == 0 {
		t.Fatal("no state was reusable: the walk proves nothing")
	}
}

// TestAtUntilFixed: a schedule with the same state at every instant, and
// no holiday to name, is reusable even though its state has no Next.
func TestAtUntilFixed(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 30, 0, 0, time.UTC)
	for _, hours := range []string{"24/7", "off", ""} {
		st, until := mustParse(t, hours).AtUntil(at, LocaleFor("38"))
		if !st.Next.IsZero() || !until.After(at.AddDate(1, 0, 0)) {
			t.Errorf("%q: AtUntil = %+v until %v, want no Next and reusable for years", hours, st, until)
		}
	}
	// With PH the reason may change at midnight.
	st, until := mustParse(t, "Mo-Su 00:00-24:00; PH 00:00-24:00").AtUntil(at, LocaleFor("38"))
	if st.Next.IsZero() && until.After(at.AddDate(0, 0, 1)) {
		t.Errorf("PH: AtUntil = %+v until %v, want at most a day", st, until)
	}
}

// TestAtUntilHolidayReason: closed on Easter Sunday and on Easter Monday,
// but only Monday's state names the holiday, so Sunday's cannot last into
// it.
func TestAtUntilHolidayReason(t *testing.T) {
	loc := LocaleFor("38")
	sc := mustParse(t, "$Mardi : 8h00-12h00")
	sunday := time.Date(2026, 4, 5, 10, 0, 0, 0, loc.Location)
	st, until := sc.AtUntil(sunday, loc)
	monday := sunday.Add(24 * time.Hour)
	holiday := sc.At(monday, loc)
	if st.Status != Closed || holiday.Status != Closed || holiday.Reason == st.Reason || !st.Next.Equal(holiday.Next) {
		t.Fatalf("Sunday %+v, Monday %+v: want both closed until Tuesday, only Monday with a reason", st, holiday)
	}
	if until.After(monday) {
		t.Errorf("Sunday's state reusable until %v, past Easter Monday", until)
	}
	if want := time.Date(2026, 4, 6, 0, 0, 0, 0, loc.Location); !until.Equal(want) {
		t.Errorf("until %v, want midnight %v", until, want)
	}
}

// TestAtUntilSpilledHoliday: a holiday's range that runs past midnight
// keeps the holiday's name into the next day, until it ends while the next
// day's own range goes on: the reason changes, the status does not.
func TestAtUntilSpilledHoliday(t *testing.T) {
	loc := LocaleFor("38")
	sc := mustParse(t, "Mo-Su 01:00-12:00; PH 10:00-02:00")
	// 1 May 2026, a Friday, is a public holiday; the 2nd is not.
	spilled := time.Date(2026, 5, 2, 0, 30, 0, 0, loc.Location)
	own := time.Date(2026, 5, 2, 3, 0, 0, 0, loc.Location)
	a, until := sc.AtUntil(spilled, loc)
	b := sc.At(own, loc)
	if a.Status != Open || b.Status != Open || a.Reason == b.Reason || !a.Next.Equal(b.Next) {
		t.Fatalf("00:30 %+v, 03:00 %+v: want open at both until noon, only 00:30 with a reason", a, b)
	}
	if until.After(own) {
		t.Errorf("the 00:30 state reusable until %v, past 03:00", until)
	}
}

func sameState(a, b State) bool {
	return a.Status == b.Status && a.Comment == b.Comment && a.Reason == b.Reason && a.Next.Equal(b.Next)
}

// TestOpeningHoursJSRules pins, without node, what opening_hours.js 3.15.0
// gives for the rules that decide which rule wins a minute.
func TestOpeningHoursJSRules(t *testing.T) {
	loc := LocaleFor("75")
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		value   string
		at      string
		status  Status
		next    string
		comment string
	}{
		// The tail after midnight is a rule of its own: Friday's reset does not reach it.
		{"Fr 20:00-02:00; Fr 10:00-12:00", "2026-12-05T01:00:00+01:00", Open, "2026-12-05T01:00:00Z", ""},
		{"Mo-Fr 08:00-18:00; We off", "2026-12-09T10:00:00+01:00", Closed, "2026-12-10T07:00:00Z", ""},
		// A rule without days resets when the rule before has none either...
		{"10:00-12:00; 14:00-16:00", "2026-12-09T11:00:00+01:00", Closed, "2026-12-09T13:00:00Z", ""},
		// ... and adds to the days of the rule before otherwise.
		{"Mo 08:00-10:00; 12:00-14:00", "2026-12-07T09:00:00+01:00", Open, "2026-12-07T09:00:00Z", ""},
		// A fallback applies where the state is closed, explicitly too.
		{"Mo-Fr off || 10:00-12:00", "2026-12-07T11:00:00+01:00", Open, "2026-12-07T11:00:00Z", ""},
		{"Th,Th[5] 10:00-10:45", "2026-12-03T10:10:00+01:00", Open, "2026-12-03T09:45:00Z", ""},
		// "A || B, C": C is a fallback, and the state is not closed.
		{`Mo-Su 08:00-18:00 || "x", 10:00-20:00 off`, "2026-12-07T19:00:00+01:00", Unknown, "2026-12-08T07:00:00Z", "x"},
		{"2027 Nov-Feb Mo-Su 10:00-12:00", "2027-01-04T11:00:00+01:00", Open, "2027-01-04T11:00:00Z", ""},
	}
	for _, tt := range tests {
		st := mustParse(t, tt.value).At(utc(tt.at), loc)
		if st.Status != tt.status || !st.Next.Equal(utc(tt.next)) || st.Comment != tt.comment {
			t.Errorf("%q at %s = %v next %v comment %q, want %v next %s comment %q",
				tt.value, tt.at, st.Status, st.Next.UTC(), st.Comment, tt.status, tt.next, tt.comment)
		}
	}
	// Week lists a tail that Friday's own ranges do not reach on Saturday.
	w := mustParse(t, "Fr 20:00-02:00; Fr 10:00-12:00").Week()
	if len(w[4].Open) != 1 || w[4].Open[0] != (TimeRange{"10:00", "12:00"}) ||
		len(w[5].Open) != 1 || w[5].Open[0] != (TimeRange{"00:00", "02:00"}) {
		t.Errorf("Week() = %+v", w)
	}
}
