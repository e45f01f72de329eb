package geo

import (
	"math/rand"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// benchPoints returns the national gendarmerie units when GUICHET_OPENDATA
// is set, else 3,032 seeded synthetic points over French territories.
func benchPoints(b *testing.B) []orb.Point {
	if dir := os.Getenv("GUICHET_OPENDATA"); dir != "" {
		return loadGendarmeries(b, dir)
	}
	return frenchPoints(rand.New(rand.NewSource(1)), 3032)
}

// frenchPoints returns n points, 19 in 20 over metropolitan France and
// the rest over the overseas territories, roughly like the population.
func frenchPoints(r *rand.Rand, n int) []orb.Point {
	pts := make([]orb.Point, n)
	for i := range pts {
		g := regions[0]
		if r.Intn(20) == 0 {
			g = regions[1+r.Intn(len(regions)-1)]
		}
		pts[i] = regionPoint(r, g)
	}
	return pts
}

func benchQueries(n int) []orb.Point {
	return frenchPoints(rand.New(rand.NewSource(2)), n)
}

func BenchmarkNearest(b *testing.B) {
	benchNearest(b, nil)
}

// BenchmarkNearestSparseAccept keeps one point in ten, like "open now" at
// night: the search must reach about ten times as many points.
func BenchmarkNearestSparseAccept(b *testing.B) {
	benchNearest(b, func(v int) bool { return v%10 == 0 })
}

// benchIndex indexes the points of benchPoints.
func benchIndex(b *testing.B) *PointIndex[int] {
	ix := new(PointIndex[int])
	for i, p := range benchPoints(b) {
		ix.Insert(p, i)
	}
	ix.Prepare()
	return ix
}

func benchNearest(b *testing.B, accept func(int) bool) {
	ix := benchIndex(b)
	qs := benchQueries(1024)
	buf := make([]Hit[int], 0, 5)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = ix.Nearest(qs[i%len(qs)], 5, 0, accept, buf)
	}
}

// BenchmarkBruteForce is the baseline for BenchmarkNearest: a full
// haversine scan keeping the 5 nearest.
func BenchmarkBruteForce(b *testing.B) {
	pts := benchPoints(b)
	qs := benchQueries(1024)
	buf := make([]Hit[int], 0, 5)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := qs[i%len(qs)]
		buf = buf[:0]
		for j, q := range pts {
			d := haversineM(p, q)
			if len(buf) == 5 && d >= buf[4].DistanceM {
				continue
			}
			if len(buf) < 5 {
				buf = append(buf, Hit[int]{})
			}
			k := len(buf) - 1
			for ; k > 0 && buf[k-1].DistanceM > d; k-- {
				buf[k] = buf[k-1]
			}
			buf[k] = Hit[int]{Value: j, Point: q, DistanceM: d}
		}
	}
}

// locateSet returns polygons and query points: national communes when
// GUICHET_OPENDATA is set, else a seeded grid of about 35,000 cells over
// metropolitan France.
func locateSet(b *testing.B) ([]orb.Geometry, []orb.Point) {
	var geoms []orb.Geometry
	if dir := os.Getenv("GUICHET_OPENDATA"); dir != "" {
		for _, f := range loadCommunes(b, dir) {
			geoms = append(geoms, f.Geometry)
		}
	} else {
		geoms = newTiling(rand.New(rand.NewSource(1)), -5, 41, 0.05, 300, 105).geoms
	}
	r := rand.New(rand.NewSource(2))
	qs := make([]orb.Point, 1024)
	for i := range qs {
		qs[i] = regionPoint(r, regions[0])
	}
	return geoms, qs
}

// locateIndex indexes the polygons of locateSet.
func locateIndex(b *testing.B) (*PolygonIndex[int], []orb.Point) {
	geoms, qs := locateSet(b)
	ix := new(PolygonIndex[int])
	for i, g := range geoms {
		if err := ix.Add(g, i); err != nil {
			b.Fatal(err)
		}
	}
	return ix, qs
}

func BenchmarkLocate(b *testing.B) {
	ix, qs := locateIndex(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix.Locate(qs[i%len(qs)])
	}
}

// BenchmarkPolygonNearby asks for the polygons within 1 km of each query,
// as a jurisdiction lookup does near a boundary.
func BenchmarkPolygonNearby(b *testing.B) {
	ix, qs := locateIndex(b)
	buf := make([]Near[int], 0, 16)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = ix.Nearby(qs[i%len(qs)], 1000, buf)
	}
}

// BenchmarkLocateBruteForce is the baseline for BenchmarkLocate: a bound
// check then ray casting over every polygon part.
func BenchmarkLocateBruteForce(b *testing.B) {
	ix, qs := locateIndex(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := qs[i%len(qs)]
		for j := range ix.parts {
			if ix.parts[j].bound.Contains(p) && ix.parts[j].contains(p) {
				break
			}
		}
	}
}

// BenchmarkNearestLatency times every query on its own and reports the
// median and 99th percentile per query (k=5), which the mean ns/op of
// BenchmarkNearest hides: queries over the sea need wider searches than
// queries on land. Each timing includes about 40 ns of clock reads.
func BenchmarkNearestLatency(b *testing.B) {
	ix := benchIndex(b)
	qs := benchQueries(1024)
	buf := make([]Hit[int], 0, 5)
	took := make([]time.Duration, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		buf = ix.Nearest(qs[i%len(qs)], 5, 0, nil, buf)
		took[i] = time.Since(start)
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns/query")
	b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds()), "p99-ns/query")
}
