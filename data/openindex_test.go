package data

import (
	"fmt"
	"math"
	"math/rand"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"guichet/data/hours"
	"guichet/geo"
	"guichet/geo/geotest"
)

// bruteNearestOpen is the reference for Nearest with OpenAt: every station
// whose exact state is open, sorted by distance, then by index as the
// point index orders ties.
func bruteNearestOpen(d *Dataset, q NearestQuery) []StationHit {
	type cand struct {
		i int
		d float64
	}
	var cs []cand
	for i := range d.stations {
		s := &d.stations[i]
		if q.Force != AnyForce && s.Force != q.Force || s.Hours.IsOpen(q.OpenAt, s.Locale) != hours.Open {
			continue
		}
		dist := geo.Distance(q.Point, s.Location)
		if q.RadiusM > 0 && dist > q.RadiusM {
			continue
		}
		cs = append(cs, cand{i, dist})
	}
	sort.Slice(cs, func(a, b int) bool { return cs[a].d < cs[b].d || cs[a].d == cs[b].d && cs[a].i < cs[b].i })
	out := []StationHit{}
	for _, c := range cs[:min(len(cs), q.Limit)] {
		out = append(out, StationHit{Station: &d.stations[c.i], DistanceM: c.d})
	}
	return out
}

// openTestDays are local dates where schedules change: public holidays
// (national, Alsace-Moselle, overseas), Sundays, both DST changes of
// Europe/Paris, a Saturday and a plain Wednesday.
var openTestDays = [][3]int{
	{2026, 1, 1}, {2026, 4, 3}, {2026, 4, 5}, {2026, 4, 6}, {2026, 5, 1}, {2026, 5, 8},
	{2026, 5, 14}, {2026, 5, 25}, {2026, 5, 27}, {2026, 6, 10}, {2026, 7, 14}, {2026, 7, 21},
	{2026, 8, 15}, {2026, 11, 1}, {2026, 11, 11}, {2026, 12, 25}, {2026, 12, 26},
	{2026, 3, 29}, {2026, 10, 25}, {2026, 3, 28}, {2026, 10, 24}, {2026, 12, 2}, {2026, 12, 6},
	{2027, 3, 28}, {2027, 10, 31},
}

// randomOpenInstant returns an instant in 2026 or on one of openTestDays,
// often on or next to a quarter-hour, the boundary of schedules and slots.
func randomOpenInstant(rng *rand.Rand, loc *time.Location) time.Time {
	var t time.Time
	if rng.Intn(3) == 0 {
		t = time.Date(2026, 1, 1, 0, 0, 0, 0, loc).Add(time.Duration(rng.Int63n(int64(366 * 24 * time.Hour))))
	} else {
		d := openTestDays[rng.Intn(len(openTestDays))]
		switch rng.Intn(4) {
		case 0: // lunch
			t = time.Date(d[0], time.Month(d[1]), d[2], 11, 45, 0, 0, loc).Add(time.Duration(rng.Int63n(int64(2*time.Hour + 30*time.Minute))))
		case 1: // night, across the DST change hours
			t = time.Date(d[0], time.Month(d[1]), d[2], 0, 0, 0, 0, loc).Add(time.Duration(rng.Int63n(int64(5 * time.Hour))))
		default:
			t = time.Date(d[0], time.Month(d[1]), d[2], 0, 0, 0, 0, loc).Add(time.Duration(rng.Int63n(int64(24 * time.Hour))))
		}
	}
	switch rng.Intn(3) {
	case 0:
		t = t.Truncate(15 * time.Minute)
	case 1:
		t = t.Truncate(15 * time.Minute).Add(-time.Second)
	}
	return t
}

// checkNearestOpen runs n random open-at queries on d and compares them
// with bruteNearestOpen.
func checkNearestOpen(t *testing.T, d *Dataset, rng *rand.Rand, n int) {
	t.Helper()
	zones := []*time.Location{hours.LocaleFor("75").Location}
	for i := range d.stations {
		if l := d.stations[i].Locale.Location; l != nil && !slices.Contains(zones, l) {
			zones = append(zones, l)
		}
	}
	var buf []StationHit
	empty := 0
	for range n {
		var p orb.Point
		switch rng.Intn(4) {
		case 0: // anywhere in metropolitan France
			p = orb.Point{-5 + rng.Float64()*14.6, 41.3 + rng.Float64()*9.8}
		case 1: // on a station: ties at distance 0
			p = d.stations[rng.Intn(len(d.stations))].Location
		default: // near a station, overseas ones included
			s := d.stations[rng.Intn(len(d.stations))].Location
			p = orb.Point{s[0] + rng.NormFloat64()*0.5, math.Max(-90, math.Min(90, s[1]+rng.NormFloat64()*0.5))}
		}
		q := NearestQuery{
			Point:  p,
			Limit:  1 + rng.Intn(10),
			Force:  Force(rng.Intn(3)),
			OpenAt: randomOpenInstant(rng, zones[rng.Intn(len(zones))]),
		}
		if rng.Intn(10) == 0 {
			q.Limit = MaxNearest
		}
		if rng.Intn(8) == 0 {
			q.RadiusM = rng.Float64() * 200e3
		}
		var err error
		buf, _, err = d.Nearest(q, buf)
		if err != nil {
			t.Fatal(err)
		}
		want := bruteNearestOpen(d, q)
		if len(want) == 0 {
			empty++
		}
		if !sameHits(buf, want) {
			t.Fatalf("Nearest(%v, limit %d, force %v, radius %.0f, open at %v) =\n%v\nwant\n%v",
				q.Point, q.Limit, q.Force, q.RadiusM, q.OpenAt, hitIDs(buf), hitIDs(want))
		}
	}
	t.Logf("%d queries, %d with nothing open", n, empty)
}

func sameHits(got, want []StationHit) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].Station != want[i].Station || got[i].DistanceM != want[i].DistanceM {
			return false
		}
	}
	return true
}

func hitIDs(hs []StationHit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = fmt.Sprintf("%s@%.3fm", h.Station.ID, h.DistanceM)
	}
	return out
}

func TestNearestOpenAtRandomFixtures(t *testing.T) {
	checkNearestOpen(t, mustLoad(t, "testdata/stations"), geotest.Rand(t), 2000)
}

func TestNearestOpenAtRandomNational(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 500
	}
	checkNearestOpen(t, nationalDataset(t), geotest.Rand(t), n)
}

// openTestSchedules mixes weekly schedules with every kind of exception,
// ranges past midnight and fallback rules.
var openTestSchedules = []string{
	"",
	"off",
	"24/7",
	"Mo-Fr 08:00-12:00,14:00-18:00; PH off",
	"Mo-Sa 08:00-12:00,14:00-18:00; Su 09:00-12:00,15:00-18:00; PH 09:00-12:00,15:00-18:00",
	"We 14:00-18:00; PH off",
	"Fr 20:00-02:00; Sa 10:00-12:00",
	"Mo-Su 22:00-06:00",
	"PH 10:00-11:00",
	"Mo-Fr 08:07-11:53",
	"Mo-Fr 09:00-17:00; Dec 24-26 off",
	"Jul-Aug Mo-Fr 07:00-13:00; Sep-Jun Mo-Fr 08:00-12:00,14:00-18:00",
	"Dec 25 10:00-12:00",
	"Mo[1] 14:00-18:00",
	"Sa[-1] 09:00-12:00; PH off",
	"week 01-53/2 Tu 08:00-12:00",
	"2026 Mo-Fr 13:00-14:00",
	"PH off; Mo 14:00-15:00 || PH open",
	"Mo-Fr 08:00-12:00 || Sa 09:00-10:00",
	`Mo-Fr 08:00-18:00 "Jan: sur rendez-vous"`,
	"Mo-Fr 10:00-12:00 unknown; Sa 10:00-12:00",
}

// openTestDeps are the départements of synthetic stations: metropolitan,
// Alsace-Moselle (its own holidays) and overseas zones.
var openTestDeps = []string{"38", "75", "67", "974", "988", "987", "971", "975"}

func TestNearestOpenAtRandomSynthetic(t *testing.T) {
	rng := geotest.Rand(t)
	var stations []Station
	for i := range 600 {
		dep := openTestDeps[rng.Intn(len(openTestDeps))]
		ref := hours.LocaleFor(dep)
		var p orb.Point
		if ref.Location.String() == "Europe/Paris" {
			p = orb.Point{-4 + rng.Float64()*12, 42.5 + rng.Float64()*8}
		} else {
			// Around a fixed point per zone, as overseas stations are.
			c := map[string]orb.Point{
				"Indian/Reunion": {55.5, -21.1}, "Pacific/Noumea": {166.4, -22.2}, "Pacific/Tahiti": {-149.5, -17.6},
				"America/Guadeloupe": {-61.5, 16.2}, "America/Miquelon": {-56.2, 46.8},
			}[ref.Location.String()]
			p = orb.Point{c[0] + rng.NormFloat64()*0.3, c[1] + rng.NormFloat64()*0.3}
		}
		if i > 0 && rng.Intn(20) == 0 { // shared locations: ties
			p = stations[rng.Intn(len(stations))].Location
		}
		force := Force(1 + rng.Intn(2))
		text := openTestSchedules[rng.Intn(len(openTestSchedules))]
		sc, err := hours.Parse(text)
		if err != nil {
			t.Fatalf("synthetic schedule %q does not parse: %v", text, err)
		}
		stations = append(stations, Station{
			ID:          fmt.Sprintf("syn-%d", i),
			Force:       force,
			Departement: dep,
			Location:    p,
			HoursText:   text,
			Hours:       sc,
			Locale:      ref,
		})
	}
	checkNearestOpen(t, New(Sources{Version: "synthetic", Stations: stations, StationLines: make([]int, len(stations))}), rng, 3000)
}

// checkCandidateSlots checks that every open interval of each schedule
// over two years, DST changes and holidays included, lies in the slots
// candidateSlots gives it.
func checkCandidateSlots(t *testing.T, schedules map[string]*hours.Schedule, locales []hours.Locale) {
	t.Helper()
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(2, 0, 0)
	const step = slotMinutes * 60
	for text, sc := range schedules {
		m := candidateSlots(sc)
		for _, loc := range locales {
			for _, iv := range sc.Intervals(from, to, loc) {
				// Visit every slot the interval touches: its start, then
				// each wall-clock slot boundary before its end.
				for at := iv.Start; at.Before(iv.End); {
					slot := weekSlot(at, loc.Location)
					if !m.has(slot) {
						t.Fatalf("%q in %v is open at %v (slot %d), outside its candidate slots", text, loc.Location, at, slot)
					}
					_, off := at.Zone()
					w := at.Unix() + int64(off)
					at = at.Add(time.Duration(step-((w%step)+step)%step) * time.Second)
				}
			}
		}
	}
	t.Logf("%d schedules × %d locales checked", len(schedules), len(locales))
}

func openTestLocales() []hours.Locale {
	var out []hours.Locale
	for _, dep := range openTestDeps {
		out = append(out, hours.LocaleFor(dep))
	}
	return out
}

func TestCandidateSlotsCoverOpenTimes(t *testing.T) {
	schedules := map[string]*hours.Schedule{}
	for _, s := range openTestSchedules {
		sc, err := hours.Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		schedules[s] = sc
	}
	checkCandidateSlots(t, schedules, openTestLocales())
}

func TestCandidateSlotsCoverOpenTimesNational(t *testing.T) {
	d := nationalDataset(t)
	byLocale := map[hours.Locale]map[string]*hours.Schedule{}
	for i := range d.stations {
		s := &d.stations[i]
		if byLocale[s.Locale] == nil {
			byLocale[s.Locale] = map[string]*hours.Schedule{}
		}
		byLocale[s.Locale][s.Hours.OSM()] = s.Hours
	}
	for loc, schedules := range byLocale {
		checkCandidateSlots(t, schedules, []hours.Locale{loc})
	}
}

func TestCandidateSlots(t *testing.T) {
	const perDay = weekSlots / 7
	at := func(wd, h, m int) int { return wd*perDay + (h*60+m)/slotMinutes }
	tests := []struct {
		osm        string
		open, shut []int
	}{
		{"", nil, []int{at(0, 10, 0), at(6, 23, 45)}},
		{"off", nil, []int{at(0, 10, 0), at(6, 23, 45)}},
		{"24/7", []int{at(0, 0, 0), at(6, 23, 45)}, nil},
		{"Mo-Fr 08:00-12:00; PH off", []int{at(0, 8, 0), at(4, 11, 45)}, []int{at(0, 7, 45), at(0, 12, 0), at(5, 10, 0)}},
		// Past midnight: Friday's range reaches into Saturday.
		{"Fr 20:00-02:00", []int{at(4, 20, 0), at(5, 0, 0), at(5, 1, 45)}, []int{at(5, 2, 0), at(4, 19, 45)}},
		// Sunday's range reaches into Monday, across the end of the week.
		{"Su 23:00-01:00", []int{at(6, 23, 45), at(0, 0, 30)}, []int{at(0, 1, 0)}},
		// A boundary inside a slot opens it.
		{"Mo 08:07-08:08", []int{at(0, 8, 0)}, []int{at(0, 8, 15), at(0, 7, 45)}},
		// PH ranges on every day.
		{"Mo 08:00-09:00; PH 15:00-16:00", []int{at(0, 8, 0), at(3, 15, 0), at(6, 15, 45)}, []int{at(3, 8, 0)}},
		// Exceptions: every slot.
		{"Dec 25 10:00-11:00", []int{at(0, 0, 0), at(3, 3, 0)}, nil},
	}
	for _, tt := range tests {
		sc, err := hours.Parse(tt.osm)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.osm, err)
		}
		m := candidateSlots(sc)
		for _, s := range tt.open {
			if !m.has(s) {
				t.Errorf("candidateSlots(%q) lacks slot %d", tt.osm, s)
			}
		}
		for _, s := range tt.shut {
			if m.has(s) {
				t.Errorf("candidateSlots(%q) has slot %d", tt.osm, s)
			}
		}
	}
}

func TestWeekSlot(t *testing.T) {
	paris := hours.LocaleFor("75").Location
	tests := []struct {
		t    time.Time
		want int
	}{
		{time.Date(2026, 12, 7, 0, 0, 0, 0, paris), 0}, // a Monday
		{time.Date(2026, 12, 6, 23, 59, 59, 0, paris), weekSlots - 1},
		{time.Date(2026, 12, 2, 12, 30, 0, 0, paris), 2*96 + 50},
		// Both 02:30 of the autumn change read the same wall clock.
		{time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), 6*96 + 10},
		{time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), 6*96 + 10},
	}
	for _, tt := range tests {
		if got := weekSlot(tt.t, paris); got != tt.want {
			t.Errorf("weekSlot(%v) = %d, want %d", tt.t, got, tt.want)
		}
	}
	if got := weekSlot(time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC), time.UTC); got != 2*96+92 {
		t.Errorf("weekSlot(1969-12-31 23:00 UTC) = %d, want %d", got, 2*96+92)
	}
}

// TestOpenIndexMemory logs the size of the open index on the national data.
func TestOpenIndexMemory(t *testing.T) {
	d := nationalDataset(t)
	var ms runtimeMemStats
	before := ms.heapInuseAfterGC()
	ix := buildOpenIndex(d.stations)
	after := ms.heapInuseAfterGC()
	slots := 0
	for z := range ix.zones {
		for _, pi := range ix.zones[z].slots {
			if pi != nil {
				slots += pi.Len()
			}
		}
	}
	t.Logf("open index: %d zones, %d distinct point indexes holding %d points (%d over all %d slots × zones); heap %.1f MiB",
		len(ix.zones), ix.indexes, ix.entries, slots, weekSlots, float64(int64(after)-int64(before))/(1<<20))
	if ix.zones == nil {
		t.Fatal("no zones")
	}
}

// BenchmarkNearestOpenAt times Nearest with OpenAt over the national data
// at fixed instants of 2026, with plain Nearest as the baseline, and
// reports the median time per query.
func BenchmarkNearestOpenAt(b *testing.B) {
	d := nationalDataset(b)
	paris := hours.LocaleFor("75").Location
	rng := rand.New(rand.NewSource(1))
	points := make([]orb.Point, 1024)
	for i := range points {
		points[i] = orb.Point{-4.5 + rng.Float64()*12, 42.5 + rng.Float64()*8}
	}
	cases := []struct {
		name string
		at   time.Time
	}{
		{"plain", time.Time{}},
		{"wednesday-10:00", time.Date(2026, 12, 2, 10, 0, 0, 0, paris)},
		{"wednesday-12:30", time.Date(2026, 12, 2, 12, 30, 0, 0, paris)},
		{"sunday-23:30", time.Date(2026, 12, 6, 23, 30, 0, 0, paris)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			buf := make([]StationHit, 0, 5)
			lat := make([]time.Duration, 0, 1<<16)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				start := time.Now()
				var err error
				buf, _, err = d.Nearest(NearestQuery{Point: points[i%len(points)], Limit: 5, OpenAt: c.at}, buf)
				if len(lat) < cap(lat) {
					lat = append(lat, time.Since(start))
				}
				if err != nil || len(buf) != 5 {
					b.Fatalf("Nearest = %d hits, %v", len(buf), err)
				}
				i++
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
		})
	}
}
