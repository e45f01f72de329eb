package hours

import (
	"fmt"
	"testing"
	"time"
	_ "time/tzdata"
)

// Expected dates were worked out by hand: Easter 2026 is 5 April (Good
// Friday 3 April, Easter Monday 6 April, Ascension 14 May, Whit Monday
// 25 May); Easter 2027 is 28 March (26 March, 29 March, 6 May, 17 May).
var national2026 = []string{"2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25", "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25"}
var national2027 = []string{"2027-01-01", "2027-03-29", "2027-05-01", "2027-05-06", "2027-05-08", "2027-05-17", "2027-07-14", "2027-08-15", "2027-11-01", "2027-11-11", "2027-12-25"}

func TestHolidays(t *testing.T) {
	tests := []struct {
		name   string
		region Region
		extra  map[int][]string
	}{
		{"metropole", Metropole, nil},
		{"alsace-moselle", AlsaceMoselle, map[int][]string{2026: {"2026-04-03", "2026-12-26"}, 2027: {"2027-03-26", "2027-12-26"}}},
		{"guadeloupe", Guadeloupe, map[int][]string{2026: {"2026-05-27"}, 2027: {"2027-05-27"}}},
		{"martinique", Martinique, map[int][]string{2026: {"2026-05-22"}, 2027: {"2027-05-22"}}},
		{"guyane", Guyane, map[int][]string{2026: {"2026-06-10"}, 2027: {"2027-06-10"}}},
		{"reunion", Reunion, map[int][]string{2026: {"2026-12-20"}, 2027: {"2027-12-20"}}},
		{"saint-pierre-et-miquelon", SaintPierreEtMiquelon, nil},
		{"mayotte", Mayotte, map[int][]string{2026: {"2026-04-27"}, 2027: {"2027-04-27"}}},
		{"saint-barthelemy", SaintBarthelemy, map[int][]string{2026: {"2026-10-09"}, 2027: {"2027-10-09"}}},
		{"saint-martin", SaintMartin, map[int][]string{2026: {"2026-05-28"}, 2027: {"2027-05-28"}}},
		{"wallis-et-futuna", WallisEtFutuna, map[int][]string{2026: {"2026-04-28", "2026-07-29"}, 2027: {"2027-04-28", "2027-07-29"}}},
		{"polynesie", Polynesie, map[int][]string{2026: {"2026-03-05", "2026-04-03", "2026-11-20"}, 2027: {"2027-03-05", "2027-03-26", "2027-11-20"}}},
		{"nouvelle-caledonie", NouvelleCaledonie, map[int][]string{2026: {"2026-09-24"}, 2027: {"2027-09-24"}}},
	}
	for _, tt := range tests {
		for _, year := range []int{2026, 2027} {
			t.Run(fmt.Sprint(tt.name, "/", year), func(t *testing.T) {
				want := map[string]bool{}
				base := national2026
				if year == 2027 {
					base = national2027
				}
				for _, d := range append(append([]string(nil), base...), tt.extra[year]...) {
					want[d] = true
				}
				got := Holidays(year, tt.region)
				if len(got) != len(want) {
					t.Errorf("Holidays(%d, %v) has %d days, want %d: %v", year, tt.region, len(got), len(want), got)
				}
				for i, h := range got {
					if !want[h.Date.String()] {
						t.Errorf("Holidays(%d, %v) has unexpected %v %q", year, tt.region, h.Date, h.Name)
					}
					if i > 0 && !dateLess(got[i-1].Date, h.Date) {
						t.Errorf("Holidays(%d, %v) not sorted at %v", year, tt.region, h.Date)
					}
				}
			})
		}
	}
}

func TestHolidayOn(t *testing.T) {
	reunion := LocaleFor("974")
	tests := []struct {
		name   string
		t      time.Time
		region Region
		want   string
	}{
		{"toussaint", time.Date(2026, 11, 1, 23, 59, 0, 0, time.UTC), Metropole, "Toussaint"},
		{"reunion abolition", time.Date(2027, 12, 20, 8, 0, 0, 0, reunion.Location), Reunion, "Abolition de l'esclavage (La Réunion)"},
		{"reunion date not metro", time.Date(2027, 12, 20, 8, 0, 0, 0, reunion.Location), Metropole, ""},
		// 19 Dec 21:00 UTC is already 20 Dec in Réunion (UTC+4).
		{"civil date of own zone", time.Date(2027, 12, 19, 21, 0, 0, 0, time.UTC).In(reunion.Location), Reunion, "Abolition de l'esclavage (La Réunion)"},
		{"polynesie autonomie before 2025", time.Date(2024, 6, 29, 12, 0, 0, 0, time.UTC), Polynesie, "Fête de l'autonomie (Polynésie française)"},
		{"polynesie autonomie replaced", time.Date(2025, 6, 29, 12, 0, 0, 0, time.UTC), Polynesie, ""},
		{"ordinary day", time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC), Metropole, ""},
		{"good friday alsace", time.Date(2026, 4, 3, 12, 0, 0, 0, time.UTC), AlsaceMoselle, "Vendredi saint"},
		{"good friday not metro", time.Date(2026, 4, 3, 12, 0, 0, 0, time.UTC), Metropole, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := HolidayOn(tt.t, tt.region)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("HolidayOn(%v, %v) = %q, %v, want %q", tt.t, tt.region, got, ok, tt.want)
			}
		})
	}
}

func TestEasterAgainstKnownDates(t *testing.T) {
	// Published Gregorian Easter dates, including the extreme ones.
	for _, d := range []string{"1818-03-22", "1943-04-25", "2000-04-23", "2024-03-31", "2025-04-20", "2026-04-05", "2027-03-28", "2038-04-25"} {
		want, _ := time.Parse(time.DateOnly, d)
		y, m, dd := civilFromDays(easterDay(want.Year()))
		if got := (Date{y, m, dd}).String(); got != d {
			t.Errorf("easter(%d) = %s, want %s", want.Year(), got, d)
		}
	}
}

func TestLocaleFor(t *testing.T) {
	tests := []struct {
		dep, zone string
		region    Region
	}{
		{"38", "Europe/Paris", Metropole}, {"2A", "Europe/Paris", Metropole},
		{"57", "Europe/Paris", AlsaceMoselle}, {"67", "Europe/Paris", AlsaceMoselle}, {"68", "Europe/Paris", AlsaceMoselle},
		{"971", "America/Guadeloupe", Guadeloupe}, {"972", "America/Martinique", Martinique},
		{"973", "America/Cayenne", Guyane}, {"974", "Indian/Reunion", Reunion},
		{"975", "America/Miquelon", SaintPierreEtMiquelon}, {"976", "Indian/Mayotte", Mayotte},
		{"977", "America/St_Barthelemy", SaintBarthelemy}, {"978", "America/Marigot", SaintMartin},
		{"986", "Pacific/Wallis", WallisEtFutuna}, {"987", "Pacific/Tahiti", Polynesie},
		{"988", "Pacific/Noumea", NouvelleCaledonie},
	}
	for _, tt := range tests {
		l := LocaleFor(tt.dep)
		if l.Location.String() != tt.zone || l.Region != tt.region {
			t.Errorf("LocaleFor(%q) = %v, %v, want %v, %v", tt.dep, l.Location, l.Region, tt.zone, tt.region)
		}
	}
}
