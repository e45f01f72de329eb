package hours

import (
	"testing"
	"time"
)

// readmeExamples are verbatim values from the national referential.
var readmeExamples = []string{
	typicalFrench,
	"Pas d'accueil du public",
	"$Mercredi : 8h00-12h00",
	"$Lundi : 8h00-12h00$Mercredi : 14h00-18h00",
	"$Lundi : 14h15-17h45$Jeudi : 14h15-17h45$Vendredi : 8h00-12h00$Samedi : 14h15-17h45",
	"$Lundi : 7h30-11h30 13h30-17h30$Mardi : 7h30-11h30 13h30-17h30$Mercredi : 7h30-11h30$Jeudi : 7h30-11h30 13h30-17h30$Vendredi : 7h30-11h30 13h30-17h30$Samedi : 7h30-11h30 13h30-17h30$Jours Fériés : 8h30-11h30 14h30-17h30",
	"$Lundi : 9h00-11h00 16h00-17h30$Mardi : 9h00-11h00 16h00-17h30$Mercredi : 9h00-11h00 16h00-17h30$Jeudi : 9h00-11h00 16h00-17h30$Vendredi : 9h00-11h00 16h00-17h30",
	"$Mercredi : 14h00-18h00$Samedi : 14h00-18h00$Jours Fériés : 15h00-18h00",
	"$Dimanche : 9h00-12h00",
	"Non renseigné dans Pulsar",
	"24h/24 - 7j/7",
	"",
	" Lundi : 8h00-12h00 14h00-18h00 Mardi : 8h00-12h00 14h00-18h00 Mercredi : 14h00-18h00 Jeudi : 8h00-12h00 14h00-18h00 Vendredi : 8h00-12h00 14h00-18h00 Samedi : 14h00-18h00 Dimanche : 9h00-12h00 15h00-18h00",
}

// checkStable asserts that a parsed schedule prints an opening_hours value
// that parses again to the same value, and can be evaluated.
func checkStable(t *testing.T, sc *Schedule) {
	osm := sc.OSM()
	again, err := Parse(osm)
	if err != nil {
		t.Fatalf("Parse(OSM()) of %q: %v", osm, err)
	}
	if got := again.OSM(); got != osm {
		t.Fatalf("OSM not stable: %q then %q", osm, got)
	}
	loc := LocaleFor("974")
	st := sc.At(time.Date(2026, 12, 20, 10, 0, 0, 0, loc.Location), loc)
	if !st.Next.IsZero() && !st.Next.After(time.Date(2026, 12, 20, 10, 0, 0, 0, loc.Location)) {
		t.Fatalf("Next %v not after t", st.Next)
	}
}

func FuzzParseFrench(f *testing.F) {
	for _, s := range readmeExamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if sc, err := ParseFrench(s); err == nil {
			checkStable(t, sc)
		}
	})
}

func FuzzParseOSM(f *testing.F) {
	for _, s := range []string{
		"Mo-Fr 08:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off", "24/7", "Fr 20:00-02:00",
		"Su[1],We[-1] 10:00-12:00", "Jan-Mar Mo 10:00-12:00", "Dec 24-26 off", "2026 Dec 24 10:00-11:00",
		"week 01-10/2 Mo 10:00-12:00", `Mo-Fr 08:00-12:00 || "sur rendez-vous"`, "PH,Su 10:00-12:00",
		"Dec 24-Jan 02 off", "2026-2027 Mo 22:00-26:00", "SH off", "Mo sunrise-sunset",
		"Th,Th[5] 10:00-10:45", "2027 Nov-Feb We,Tu-Su", `"x" || We 18:30-22:00 closed, 11:30-22:30, 12:57-16:00`,
	} {
		f.Add(s)
	}
	for _, row := range issueRows {
		f.Add(row.value)
	}
	for _, s := range nationalOSMValues(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc, err := ParseOSM(s)
		if err != nil {
			return
		}
		checkStable(t, sc)
		sc.Week()
		// Next is a change of status.
		loc := LocaleFor("38")
		at := time.Date(2026, 3, 28, 23, 30, 0, 0, loc.Location)
		for range 4 {
			st := sc.At(at, loc)
			if st.Next.IsZero() {
				break
			}
			if again := sc.At(st.Next, loc); again.Status == st.Status {
				t.Fatalf("At(%v) = %v next %v, and At(next) = %v too", at, st.Status, st.Next, again.Status)
			}
			at = st.Next
		}
	})
}

func FuzzFromPlages(f *testing.F) {
	f.Add("Lundi", "Vendredi", "08:30:00", "12:00:00", "13:30:00", "17:00:00", "")
	f.Add("Samedi", "", "09:00:00", "12:00:00", "", "", "sur rendez-vous")
	f.Add("Dimanche", "Mardi", "20:00", "02:00", "", "", `"x"`)
	f.Fuzz(func(t *testing.T, d1, d2, h1, h2, h3, h4, c string) {
		sc, err := FromPlages([]Plage{{d1, d2, h1, h2, h3, h4, c}})
		if err == nil {
			checkStable(t, sc)
		}
	})
}
