package hours

import (
	"encoding/json"
	"math/rand"
	"os"
	"testing"
	"time"

	"guichet/geo/geotest"
)

// maskSchedules returns real and generated schedules: every distinct
// value of the national referential (with GUICHET_OPENDATA), the
// opening_hours.js goldens, and generated values that use every selector
// Week leaves out.
func maskSchedules(t *testing.T, r *rand.Rand) map[string]*Schedule {
	t.Helper()
	out := map[string]*Schedule{}
	add := func(s string, parse func(string) (*Schedule, error)) {
		if sc, err := parse(s); err == nil {
			out[s] = sc
		}
	}
	for _, s := range nationalOSMValues(t) {
		add(s, ParseOSM)
	}
	b, err := os.ReadFile("testdata/osm-golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct{ Cases []struct{ Value string } }
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	for _, c := range g.Cases {
		add(c.Value, ParseOSM)
	}
	for _, s := range []string{typicalFrench, "", "Pas d'accueil du public", "24h/24 - 7j/7"} {
		add(s, Parse)
	}
	for range 1000 {
		v, _ := generateValue(r)
		add(v, ParseOSM)
	}
	return out
}

// TestOpenMaskAgreesWithAt checks OpenMask against At, an independent
// evaluation, on random instants: whenever At says open, the mask holds
// the minute of the week, and WeekMinute reads the same wall clock as
// the time package.
func TestOpenMaskAgreesWithAt(t *testing.T) {
	r := geotest.Rand(t)
	schedules := maskSchedules(t, r)
	var locales []Locale
	for _, dep := range genZones {
		locales = append(locales, LocaleFor(dep))
	}
	var open, checked, simple int
	for value, sc := range schedules {
		mask := sc.OpenMask()
		if sc.simple {
			simple++
		}
		for range 64 {
			loc := locales[r.Intn(len(locales))]
			var at time.Time
			if r.Intn(2) == 0 {
				at = generateInstant(r, loc)
			} else {
				at = time.Unix(1767225600+r.Int63n(3*366*86400), 0) // 2026-2028
			}
			m := WeekMinute(at, loc)
			wall := at.In(loc.Location)
			if want := (int(wall.Weekday())+6)%7*1440 + wall.Hour()*60 + wall.Minute(); m != want {
				t.Fatalf("WeekMinute(%v) = %d, want %d", wall, m, want)
			}
			checked++
			if sc.At(at, loc).Status != Open {
				continue
			}
			open++
			if !mask.Has(m) {
				t.Fatalf("%q is open at %v (%s), minute %d of the week, which its mask leaves out", value, wall, wall.Weekday(), m)
			}
		}
	}
	t.Logf("%d schedules (%d by weekday and PH only), %d instants, %d open", len(schedules), simple, checked, open)
	if open == 0 || simple == 0 {
		t.Fatal("no open instant or no weekday schedule: the sample is broken")
	}
}

// TestOpenMaskIsTight checks that the mask of a schedule that selects
// days by weekday only (no PH) is exactly its open minutes in a week
// without public holidays, that other schedules have the masks
// documented, and that no minute of a weekday-only mask is spurious.
func TestOpenMaskIsTight(t *testing.T) {
	r := geotest.Rand(t)
	utc := Locale{}
	// 8-14 June 2026 and the Sunday before hold no public holiday.
	monday := time.Date(2026, 6, 8, 0, 0, 0, 0, time.UTC)
	for value, sc := range maskSchedules(t, r) {
		mask := sc.OpenMask()
		switch {
		case sc.Unknown():
			if mask != (WeekMask{}) {
				t.Errorf("%q is unknown but its mask is not empty", value)
			}
		case !sc.simple:
			if !allSet(&mask) {
				t.Errorf("%q has date selectors but its mask is not full", value)
			}
		case !sc.usesPH:
			for m := range WeekMinutes {
				at := monday.Add(time.Duration(m) * time.Minute)
				if got, want := mask.Has(m), sc.IsOpen(at, utc) == Open; got != want {
					t.Fatalf("%q: mask has minute %d (%v) = %v, but open = %v", value, m, at, got, want)
				}
			}
		}
	}
}

func allSet(w *WeekMask) bool {
	for m := range WeekMinutes {
		if !w.Has(m) {
			return false
		}
	}
	return true
}
