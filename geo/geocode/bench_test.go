package geocode

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/paulmach/orb"
)

// benchAddresses is the size of the benchmark index.
const benchAddresses = 1_000_000

// synthBAN streams n seeded synthetic addresses over about n/30
// made-up communes with skewed sizes, for benchmarks that need no
// national data. Set GUICHET_SYNTHETIC_BAN to a file written by
// scripts/gen-synthetic-ban.go to use real commune names instead.
func synthBAN(n int, seed int64, fn func(Address)) {
	rng := rand.New(rand.NewSource(seed))
	syl := []string{"ba", "ron", "vil", "le", "mont", "sur", "char", "beau", "lis", "tre", "gny", "cour", "val", "pier", "mar", "sainte", "fon", "ta", "ine", "vo"}
	word := func(k int) string {
		var b strings.Builder
		for range 2 + rng.Intn(k) {
			b.WriteString(syl[rng.Intn(len(syl))])
		}
		s := b.String()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	types := []string{"Rue", "Avenue", "Chemin", "Impasse", "Place", "Allée", "Route", "Boulevard", "Rue", "Rue"}
	links := []string{"de la", "du", "des", "de l'", "", "Saint-"}
	names := make([]string, 3000)
	for i := range names {
		names[i] = word(3)
		if i%3 == 0 {
			names[i] += " " + word(2)
		}
	}
	communes := n / 30
	for c, left := 0, n; left > 0; c++ {
		// Zipf-like commune sizes, all communes getting at least a few.
		size := min(left, 5+int(float64(n)/float64(c+20)/8))
		if c >= communes-1 {
			size = left
		}
		left -= size
		code := fmt.Sprintf("%05d", 1000+c)
		city, pc := word(3), fmt.Sprintf("%05d", 1000+10*(c/3))
		center := orb.Point{-4.5 + 12*rng.Float64(), 42.5 + 8*rng.Float64()}
		for s := 0; size > 0; s++ {
			street := types[rng.Intn(len(types))] + " " + links[rng.Intn(len(links))] + " " + names[rng.Intn(len(names))]
			street = strings.ReplaceAll(strings.ReplaceAll(street, "  ", " "), "' ", "'")
			sp := orb.Point{center[0] + rng.NormFloat64()*0.01, center[1] + rng.NormFloat64()*0.01}
			for k := range min(size, 1+rng.Intn(40)) {
				rep := ""
				if rng.Intn(20) == 0 {
					rep = []string{"bis", "ter", "a", "b"}[rng.Intn(4)]
				}
				fn(Address{
					ID: fmt.Sprintf("%s_%04d_%05d", code, s, 1+2*k), Number: strconv.Itoa(1 + 2*k), Rep: rep,
					Street: street, Postcode: pc, Citycode: code, City: city,
					Point: orb.Point{sp[0] + float64(k)*1e-4, sp[1] + float64(k)*5e-5},
				})
				size--
			}
		}
	}
}

// loadBench fills b from GUICHET_SYNTHETIC_BAN when set, else from
// synthBAN; it returns the number of addresses added.
func loadBench(tb testing.TB, b *Builder, n int) int {
	tb.Helper()
	added := 0
	add := func(a Address) {
		if added < n && b.AddAddress(a) == nil {
			added++
		}
	}
	path := os.Getenv("GUICHET_SYNTHETIC_BAN")
	if path == "" {
		synthBAN(n, 1, add)
		return added
	}
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	readTestAddresses(tb, f, func(a Address) error { add(a); return nil })
	return added
}

var bench struct {
	once  sync.Once
	ix    *Index
	build time.Duration
	heap  uint64 // live heap held by the index
}

func benchIndex(tb testing.TB) *Index {
	bench.once.Do(func() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		b := NewBuilder()
		loadBench(tb, b, benchAddresses)
		ix := b.Build()
		bench.build = time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&after)
		bench.ix, bench.heap = ix, after.HeapAlloc-before.HeapAlloc
	})
	return bench.ix
}

// benchQuery is a query derived from an indexed address, with the
// match it should find first.
type benchQuery struct {
	text string
	want Match
}

// benchQueries derives queries from random indexed addresses, in the
// given style.
func benchQueries(ix *Index, style string, n int) []benchQuery {
	rng := rand.New(rand.NewSource(2))
	abbr := strings.NewReplacer("Rue ", "r ", "Avenue ", "av. ", "Boulevard ", "bd ", "Chemin ", "chem ", "Saint-", "St-")
	qs := make([]benchQuery, n)
	for i := range qs {
		m := ix.addressMatch(uint32(rng.Intn(ix.Len())))
		qs[i].want = m
		var text string
		switch style {
		case "exact":
			text = m.Label
		case "abbreviated":
			text = m.HouseNumber + " " + abbr.Replace(m.Street) + " " + strings.ToUpper(m.City)
		case "typo":
			// Swap two adjacent letters inside the longest street word.
			words := strings.Fields(m.Street)
			w := slices.MaxFunc(words, func(a, b string) int { return len(a) - len(b) })
			r := []rune(w)
			j := 1 + rng.Intn(max(1, len(r)-2))
			if len(r) >= 4 && unicode.IsLetter(r[j]) && unicode.IsLetter(r[j+1]) {
				r[j], r[j+1] = r[j+1], r[j]
				w2 := string(r)
				text = m.HouseNumber + " " + strings.Replace(m.Street, w, w2, 1) + " " + m.City
			} else {
				text = m.Label
			}
		case "autocomplete":
			// Typed so far: the label cut inside a word of the city.
			text = m.Label[:len(m.Label)-max(1, len(m.City)/2)]
		case "no-commune":
			// Without a commune every street of that name is a candidate.
			text = m.HouseNumber + " " + m.Street
		case "municipality":
			text = m.Postcode + " " + m.City
			qs[i].want = Match{ID: m.Citycode, Type: TypeMunicipality, Label: m.City}
		}
		qs[i].text = text
	}
	return qs
}

// BenchmarkGeocode reports the mean (ns/op), median (p50-µs) and 99th
// percentile (p99-µs) latency of one query on the 1M-address index, by
// query style; TestSyntheticAccuracy checks what these queries find.
func BenchmarkGeocode(b *testing.B) {
	ix := benchIndex(b)
	for _, style := range []string{"exact", "abbreviated", "typo", "autocomplete", "no-commune", "municipality"} {
		b.Run(style, func(b *testing.B) {
			qs := benchQueries(ix, style, 1024)
			lat := make([]time.Duration, 0, b.N)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				t := time.Now()
				_, err := ix.Geocode(ctx, Query{Text: qs[i%len(qs)].text, Autocomplete: style == "autocomplete"})
				lat = append(lat, time.Since(t))
				if err != nil {
					b.Fatalf("Geocode(%q): %v", qs[i%len(qs)].text, err)
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
		})
	}
}

// BenchmarkGeocodeParallel reports throughput on all cores with the
// mixed query styles.
func BenchmarkGeocodeParallel(b *testing.B) {
	ix := benchIndex(b)
	var qs []string
	for _, style := range []string{"exact", "abbreviated", "typo", "municipality"} {
		for _, q := range benchQueries(ix, style, 256) {
			qs = append(qs, q.text)
		}
	}
	rand.New(rand.NewSource(3)).Shuffle(len(qs), func(i, j int) { qs[i], qs[j] = qs[j], qs[i] })
	ctx := context.Background()
	b.ResetTimer()
	start, cpu := time.Now(), cpuSeconds()
	b.RunParallel(func(pb *testing.PB) {
		i := rand.Intn(len(qs))
		for pb.Next() {
			ix.Geocode(ctx, Query{Text: qs[i%len(qs)]})
			i++
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "queries/s")
	b.ReportMetric(float64(b.N)/(cpuSeconds()-cpu), "queries/cpu-s")
}

// BenchmarkNaiveScan is the baseline: score every normalised address
// label against the query tokens, on a tenth of the index.
func BenchmarkNaiveScan(b *testing.B) {
	ix := benchIndex(b)
	n := ix.Len() / 10
	labels := make([][]string, n)
	for a := range n {
		labels[a] = tokenize(ix.addressMatch(uint32(a)).Label, nil)
	}
	rng := rand.New(rand.NewSource(2))
	qs := make([]string, 64)
	for i := range qs {
		qs[i] = ix.addressMatch(uint32(rng.Intn(n))).Label
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := tokenize(qs[i%len(qs)], nil)
		best, bestA := -1, 0
		for a, l := range labels {
			hit := 0
			for _, t := range q {
				if slices.Contains(l, t) {
					hit++
				}
			}
			if hit > best {
				best, bestA = hit, a
			}
		}
		_ = bestA
	}
}

// BenchmarkBuild reports the index build rate and its memory per
// address, measured from the live heap and estimated by Bytes.
func BenchmarkBuild(b *testing.B) {
	ix := benchIndex(b)
	for b.Loop() {
		// The build runs once for all benchmarks; its timing is reported
		// as metrics rather than ns/op.
	}
	n := float64(ix.Len())
	b.ReportMetric(n/bench.build.Seconds(), "addr/s")
	b.ReportMetric(float64(bench.heap)/n, "heap-B/addr")
	b.ReportMetric(float64(ix.Bytes())/n, "Bytes-B/addr")
	b.ReportMetric(n, "addresses")
}

// TestSyntheticAccuracy checks on a 100k-address synthetic index (from
// GUICHET_SYNTHETIC_BAN when set) that
// the benchmark queries find what they were derived from: the same
// address (or one with the same label, as synthetic streets may repeat
// within a commune), or the commune.
func TestSyntheticAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 100k-address index")
	}
	b := NewBuilder()
	if n := loadBench(t, b, 100_000); n != 100_000 {
		t.Fatalf("loaded %d addresses, want 100000", n)
	}
	ix := b.Build()
	for _, tt := range []struct {
		style   string
		minRate float64
	}{{"exact", 1}, {"abbreviated", 1}, {"typo", 0.95}, {"autocomplete", 0.9}, {"municipality", 0.95}} {
		qs := benchQueries(ix, tt.style, 300)
		found := 0
		for _, q := range qs {
			got, err := ix.Geocode(context.Background(), Query{Text: q.text, Autocomplete: tt.style == "autocomplete"})
			if err != nil {
				t.Errorf("%s: Geocode(%q): %v", tt.style, q.text, err)
				continue
			}
			g := got[0]
			if g.ID == q.want.ID || g.Type == q.want.Type && g.Label == q.want.Label ||
				// Without a postcode, a street split between postcodes
				// is ambiguous.
				tt.style != "exact" && g.Type == q.want.Type && g.HouseNumber == q.want.HouseNumber && g.Street == q.want.Street && g.Citycode == q.want.Citycode {
				found++
			} else if testing.Verbose() || tt.minRate == 1 {
				t.Logf("%s: Geocode(%q)[0] = %q, want %q", tt.style, q.text, got[0].Label, q.want.Label)
			}
		}
		rate := float64(found) / float64(len(qs))
		t.Logf("%s: %d/%d found first", tt.style, found, len(qs))
		if rate < tt.minRate {
			t.Errorf("%s: %.3f found first, want >= %.2f", tt.style, rate, tt.minRate)
		}
	}
}
