package hours

import (
	"testing"
	"time"
)

func benchTimes(b *testing.B) ([]time.Time, *Schedule, Locale) {
	loc := LocaleFor("38")
	sc := mustParse(b, typicalFrench)
	// A week of instants every 7 minutes, holidays included.
	start := time.Date(2026, 7, 10, 0, 0, 0, 0, loc.Location)
	var ts []time.Time
	for at := start; at.Before(start.Add(7 * 24 * time.Hour)); at = at.Add(7 * time.Minute) {
		ts = append(ts, at)
	}
	return ts, sc, loc
}

func BenchmarkAt(b *testing.B) {
	ts, sc, loc := benchTimes(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		sc.At(ts[i%len(ts)], loc)
	}
}

// typicalOSM is a station's hours as OpenStreetMap writes them.
const typicalOSM = "Mo-Fr 08:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off"

func BenchmarkAtOSM(b *testing.B) {
	ts, _, loc := benchTimes(b)
	sc := mustParse(b, typicalOSM)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		sc.At(ts[i%len(ts)], loc)
	}
}

func BenchmarkIsOpen(b *testing.B) {
	ts, sc, loc := benchTimes(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		sc.IsOpen(ts[i%len(ts)], loc)
	}
}

func BenchmarkParseFrench(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseFrench(typicalFrench); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAtDoesNotAllocate(t *testing.T) {
	loc := LocaleFor("38")
	sc := mustParse(t, typicalFrench)
	at := time.Date(2026, 7, 14, 10, 0, 0, 0, loc.Location)
	if n := testing.AllocsPerRun(100, func() { sc.At(at, loc) }); n != 0 {
		t.Errorf("At allocates %v times, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { sc.IsOpen(at, loc) }); n != 0 {
		t.Errorf("IsOpen allocates %v times, want 0", n)
	}
	osm := mustParse(t, typicalOSM)
	if n := testing.AllocsPerRun(100, func() { osm.At(at, loc) }); n != 0 {
		t.Errorf("At of %q allocates %v times, want 0", typicalOSM, n)
	}
}
