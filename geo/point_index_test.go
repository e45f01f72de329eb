package geo

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/golang/geo/s2"
	"github.com/paulmach/orb"

	"guichet/data/opendatatest"
	"guichet/geo/geotest"
)

func TestDistance(t *testing.T) {
	deg := EarthRadius * math.Pi / 180
	tests := []struct {
		name string
		a, b orb.Point
		want float64
	}{
		{"same point", orb.Point{2.35, 48.85}, orb.Point{2.35, 48.85}, 0},
		{"one degree of equator", orb.Point{0, 0}, orb.Point{1, 0}, deg},
		{"one degree of meridian", orb.Point{5, 45}, orb.Point{5, 46}, deg},
		{"across the antimeridian", orb.Point{179.5, 0}, orb.Point{-179.5, 0}, deg},
		{"pole to pole", orb.Point{0, 90}, orb.Point{123, -90}, math.Pi * EarthRadius},
		{"longitude is periodic", orb.Point{-190, 10}, orb.Point{170, 11}, deg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Distance(tt.a, tt.b); math.Abs(got-tt.want) > 1e-6 {
				t.Errorf("Distance(%v, %v) = %.9f, want %.9f", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

// TestDistanceVsS2 checks the haversine against golang/geo's independent
// implementation (angle between unit vectors).
func TestDistanceVsS2(t *testing.T) {
	r := geotest.Rand(t)
	for i := 0; i < 10000; i++ {
		a, b := randomPoint(r), randomPoint(r)
		want := s2.LatLngFromDegrees(a[1], a[0]).Distance(s2.LatLngFromDegrees(b[1], b[0])).Radians() * EarthRadius
		if got := Distance(a, b); math.Abs(got-want) > 1e-3 {
			t.Fatalf("Distance(%v, %v) = %.6f, want %.6f", a, b, got, want)
		}
		if got, rev := Distance(a, b), Distance(b, a); got != rev {
			t.Fatalf("Distance is not symmetric: %v vs %v", got, rev)
		}
	}
}

// TestLowerBound checks that the rectangle bound never exceeds the metric
// of any point inside the rectangle, including rectangles on the other
// side of the antimeridian from the query.
func TestLowerBound(t *testing.T) {
	r := geotest.Rand(t)
	for i := 0; i < 200000; i++ {
		q := randomPoint(r)
		c := randomPoint(r)
		if r.Intn(4) == 0 { // rectangles hugging the antimeridian
			c[0] = 180 - r.Float64()*3
			if r.Intn(2) == 0 {
				c[0] = -c[0]
			}
		}
		w, h := r.ExpFloat64()*2, r.ExpFloat64()*2
		min := [2]float64{math.Max(-180, c[0]-w), math.Max(-90, c[1]-h)}
		max := [2]float64{math.Min(180, c[0]+w), math.Min(90, c[1]+h)}
		in := orb.Point{min[0] + r.Float64()*(max[0]-min[0]), min[1] + r.Float64()*(max[1]-min[1])}
		switch r.Intn(4) { // corners and edges are where the bound is tight
		case 0:
			in = orb.Point{min[0], max[1]}
		case 1:
			in[0] = max[0]
		}
		rb := newRectBound(q)
		uq, ui := unitVector(q), unitVector(in)
		if lb, got := rb.lowerBound(min, max), chordHav(&uq, &ui); lb > got {
			t.Fatalf("lowerBound(%v; %v..%v) = %g > hav %g of %v", q, min, max, lb, got, in)
		}
	}
}

// bruteNearest is the reference: a full haversine scan, sorted by
// distance then insertion order.
func bruteNearest(pts []orb.Point, p orb.Point, k int, maxM float64, accept func(int) bool) []Hit[int] {
	var all []Hit[int]
	for i, q := range pts {
		d := haversineM(p, q)
		if (maxM > 0 && d > maxM) || (accept != nil && !accept(i)) {
			continue
		}
		all = append(all, Hit[int]{Value: i, Point: q, DistanceM: d})
	}
	// Stable: equal distances keep index order. slices' generic sort, not
	// sort.SliceStable, whose reflective swaps make this test several
	// times slower under the race detector.
	slices.SortStableFunc(all, func(a, b Hit[int]) int { return cmp.Compare(a.DistanceM, b.DistanceM) })
	if len(all) > k {
		all = all[:k]
	}
	return all
}

func checkSameHits(t *testing.T, what string, got, want []Hit[int]) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d hits, want %d\ngot  %v\nwant %v", what, len(got), len(want), got, want)
	}
	for i := range got {
		if got[i].Value != want[i].Value || math.Abs(got[i].DistanceM-want[i].DistanceM) > 0.5 {
			t.Fatalf("%s: hit %d = %v, want %v\ngot  %v\nwant %v", what, i, got[i], want[i], got, want)
		}
	}
}

// randomItems returns clustered points over French territories, with some
// exact duplicates to exercise tie-breaking.
func randomItems(r *rand.Rand, n int) []orb.Point {
	pts := make([]orb.Point, 0, n)
	for len(pts) < n {
		switch {
		case len(pts) > 0 && r.Intn(20) == 0:
			pts = append(pts, pts[r.Intn(len(pts))])
		case r.Intn(3) == 0: // tight cluster around a previous point
			var c orb.Point
			if len(pts) > 0 {
				c = pts[r.Intn(len(pts))]
			} else {
				c = randomPoint(r)
			}
			pts = append(pts, orb.Point{c[0] + r.NormFloat64()*0.01, math.Max(-90, math.Min(90, c[1]+r.NormFloat64()*0.01))})
		default:
			pts = append(pts, randomPoint(r))
		}
	}
	return pts
}

func randomQuery(r *rand.Rand) orb.Point {
	switch r.Intn(6) {
	case 0: // around the antimeridian, e.g. Fiji
		lon := 175 + r.Float64()*10
		if lon > 180 {
			lon -= 360
		}
		return orb.Point{lon, -25 + r.Float64()*20}
	case 1: // exactly on it
		return orb.Point{180 * float64(1-2*r.Intn(2)), r.Float64()*180 - 90}
	default:
		return randomPoint(r)
	}
}

func TestNearestBruteForce(t *testing.T) {
	skipUnderRace(t)
	r := geotest.Rand(t)
	for round := 0; round < 30; round++ {
		n := 1 + r.Intn(3000)
		if round < 5 {
			n = 1 + r.Intn(10)
		}
		pts := randomItems(r, n)
		var ix PointIndex[int]
		for i, p := range pts {
			ix.Insert(p, i)
		}
		if ix.Len() != n {
			t.Fatalf("Len() = %d, want %d", ix.Len(), n)
		}
		prepared := round%2 == 1
		if prepared {
			ix.Prepare()
		}
		var buf []Hit[int]
		for q := 0; q < 200; q++ {
			p := randomQuery(r)
			k := 1 + r.Intn(12)
			var maxM float64
			if r.Intn(2) == 0 {
				maxM = r.ExpFloat64() * 200e3
			}
			var accept func(int) bool
			if r.Intn(2) == 0 {
				mod := 2 + r.Intn(4)
				accept = func(v int) bool { return v%mod == 0 }
			}
			buf = ix.Nearest(p, k, maxM, accept, buf)
			want := bruteNearest(pts, p, k, maxM, accept)
			checkSameHits(t, fmt.Sprintf("round %d n=%d prepared=%v Nearest(%v, k=%d, maxM=%g, accept=%v)", round, n, prepared, p, k, maxM, accept != nil), buf, want)
		}
	}
}

// TestNearestPolesAndSparseAcceptBruteForce checks, against brute force, points
// around the poles (where caps span every longitude) and accept functions
// that keep few points, so that the search widens its caps and then walks
// the tree best-first.
func TestNearestPolesAndSparseAcceptBruteForce(t *testing.T) {
	skipUnderRace(t)
	r := geotest.Rand(t)
	for round := 0; round < 10; round++ {
		pts := randomItems(r, 500+r.Intn(2500))
		for i := 0; i < 300; i++ {
			pole := 90 - r.ExpFloat64()*2
			if r.Intn(2) == 0 {
				pole = -pole
			}
			pts = append(pts, orb.Point{r.Float64()*360 - 180, math.Max(-90, math.Min(90, pole))})
		}
		var ix PointIndex[int]
		for i, p := range pts {
			ix.Insert(p, i)
		}
		prepared := round%2 == 1
		if prepared {
			ix.Prepare()
		}
		var buf []Hit[int]
		for q := 0; q < 200; q++ {
			p := randomQuery(r)
			if q%3 == 0 {
				p = orb.Point{r.Float64()*360 - 180, (90 - r.ExpFloat64()*3) * float64(1-2*r.Intn(2))}
			}
			k := 1 + r.Intn(10)
			mod := []int{1, 10, 50, 1000}[r.Intn(4)]
			var accept func(int) bool
			if mod > 1 || r.Intn(2) == 0 { // mod 1 keeps all: half of those go without accept, to use the radii
				accept = func(v int) bool { return v%mod == 0 }
			}
			var maxM float64
			if r.Intn(3) == 0 {
				maxM = r.ExpFloat64() * 1000e3
			}
			buf = ix.Nearest(p, k, maxM, accept, buf)
			want := bruteNearest(pts, p, k, maxM, accept)
			checkSameHits(t, fmt.Sprintf("round %d prepared=%v Nearest(%v, k=%d, maxM=%g, 1 in %d)", round, prepared, p, k, maxM, mod), buf, want)
		}
	}
}

func TestNearestAntimeridian(t *testing.T) {
	places := []struct {
		name string
		p    orb.Point
	}{
		{"wallis", orb.Point{-176.2, -13.3}},
		{"noumea", orb.Point{165.8, -21.7}},
		{"papeete", orb.Point{-149.5, -17.5}},
		{"paris", orb.Point{2.35, 48.85}},
	}
	var ix PointIndex[string]
	for _, pl := range places {
		ix.Insert(pl.p, pl.name)
	}
	tests := []struct {
		name  string
		query orb.Point
		want  []string
	}{
		{"fiji", orb.Point{178, -17}, []string{"wallis", "noumea", "papeete", "paris"}},
		{"east of the antimeridian", orb.Point{-179.9, -15}, []string{"wallis", "noumea", "papeete", "paris"}},
		{"tahiti", orb.Point{-149.4, -17.6}, []string{"papeete", "wallis", "noumea", "paris"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := ix.Nearest(tt.query, 4, 0, nil, nil)
			var got []string
			for _, h := range hits {
				got = append(got, h.Value)
				if want := Distance(tt.query, h.Point); h.DistanceM != want {
					t.Errorf("%s: DistanceM = %v, want %v", h.Value, h.DistanceM, want)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Nearest(%v) = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
	// Wallis is 700-800 km from Fiji: a 1,000 km radius keeps only it.
	if hits := ix.Nearest(orb.Point{178, -17}, 4, 1000e3, nil, nil); len(hits) != 1 || hits[0].Value != "wallis" {
		t.Errorf("Nearest(fiji, maxM=1000km) = %v, want only wallis", hits)
	}
}

func TestNearestEdgeCases(t *testing.T) {
	var empty PointIndex[int]
	if got := empty.Nearest(orb.Point{2, 48}, 3, 0, nil, nil); len(got) != 0 {
		t.Errorf("empty index: Nearest = %v, want none", got)
	}
	var ix PointIndex[int]
	ix.Insert(orb.Point{2, 48}, 0)
	ix.Insert(orb.Point{2, 48}, 1) // duplicate: insertion order decides
	ix.Insert(orb.Point{3, 48}, 2)
	for _, tt := range []struct {
		name string
		p    orb.Point
		k    int
		want string
	}{
		{"k=0", orb.Point{2, 48}, 0, "[]"},
		{"nan", orb.Point{math.NaN(), 48}, 3, "[]"},
		{"latitude beyond pole", orb.Point{2, 91}, 3, "[]"},
		{"ties by insertion", orb.Point{2, 48}, 2, "[0 1]"},
		{"k beyond len", orb.Point{3, 48}, 10, "[2 0 1]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []int
			for _, h := range ix.Nearest(tt.p, tt.k, 0, nil, nil) {
				got = append(got, h.Value)
			}
			if g := fmt.Sprint(got); g != tt.want && !(g == "[]" && tt.want == "[]") {
				t.Errorf("Nearest(%v, %d) = %v, want %v", tt.p, tt.k, g, tt.want)
			}
		})
	}
}

func TestNearestAllocs(t *testing.T) {
	if raceEnabled {
		// A search that walks the tree takes its queue from a sync.Pool,
		// which the race detector empties at random.
		t.Skip("allocations are counted without the race detector: scripts/test.sh runs the Allocs tests again without it")
	}
	r := geotest.Rand(t)
	var ix PointIndex[int]
	for i, p := range randomItems(r, 3000) {
		ix.Insert(p, i)
	}
	buf := make([]Hit[int], 0, 10)
	p := randomPoint(r)
	accept := func(v int) bool { return v%2 == 0 }
	if n := testing.AllocsPerRun(100, func() { buf = ix.Nearest(p, 10, 50e3, accept, buf) }); n != 0 {
		t.Errorf("Nearest allocates %v times per call, want 0", n)
	}
	ix.Prepare()
	if n := testing.AllocsPerRun(100, func() { buf = ix.Nearest(p, 5, 0, nil, buf) }); n != 0 {
		t.Errorf("Nearest on a prepared index allocates %v times per call, want 0", n)
	}
	// One point in a thousand: the caps give up and the tree is walked,
	// with rtree's pooled queue.
	rare := func(v int) bool { return v%1000 == 0 }
	if n := testing.AllocsPerRun(100, func() { buf = ix.Nearest(p, 3, 0, rare, buf) }); n != 0 {
		t.Errorf("Nearest with a rare accept allocates %v times per call, want 0", n)
	}
}

// loadGendarmeries reads the lon/lat of every gendarmerie unit of the
// national file, skipping the units without coordinates (0, 0).
func loadGendarmeries(tb testing.TB, dir string) []orb.Point {
	tb.Helper()
	f, err := os.Open(filepath.Join(dir, "forces-de-l-ordre", "pel-referentiels", "pwb_ref_unite_gn.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	header, err := cr.Read()
	if err != nil {
		tb.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	latCol, okLat := col["latitude_wgs84"]
	lonCol, okLon := col["longitude_wgs84"]
	if !okLat || !okLon {
		tb.Fatalf("missing coordinate columns in header %v", header)
	}
	var pts []orb.Point
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		lat, err1 := strconv.ParseFloat(rec[latCol], 64)
		lon, err2 := strconv.ParseFloat(rec[lonCol], 64)
		if err1 != nil || err2 != nil {
			tb.Fatalf("line %d: bad coordinates %q, %q", len(pts)+2, rec[latCol], rec[lonCol])
		}
		if lat == 0 && lon == 0 {
			continue
		}
		pts = append(pts, orb.Point{lon, lat})
	}
	return pts
}

func TestNearestGendarmeries(t *testing.T) {
	pts := loadGendarmeries(t, opendatatest.Dir(t))
	if len(pts) < 3000 {
		t.Fatalf("loaded %d units, want about 3,030", len(pts))
	}
	var ix PointIndex[int]
	for i, p := range pts {
		ix.Insert(p, i)
	}
	ix.Prepare()
	r := geotest.Rand(t)
	var buf []Hit[int]
	for q := 0; q < 1000; q++ {
		p := randomQuery(r)
		// k = 10 searches without the radii (k > radiusK), k = 5 with them.
		for _, k := range []int{10, 5} {
			buf = ix.Nearest(p, k, 0, nil, buf)
			checkSameHits(t, fmt.Sprintf("Nearest(%v, k=%d)", p, k), buf, bruteNearest(pts, p, k, 0, nil))
		}
	}
}

// TestRadiusTableHoldsK checks the promise Nearest's single round rests on:
// around any query the table answers for, the cap of radius angle(p, k)
// holds at least k points.
func TestRadiusTableHoldsK(t *testing.T) {
	r := geotest.Rand(t)
	for round := 0; round < 10; round++ {
		pts := randomItems(r, radiusK+r.Intn(2000))
		for range 50 + r.Intn(200) {
			pts = append(pts, orb.Point{r.Float64()*360 - 180, math.Max(-90, math.Min(90, (90-r.ExpFloat64()*2)*float64(1-2*r.Intn(2))))})
		}
		var ix PointIndex[int]
		for i, p := range pts {
			ix.Insert(p, i)
		}
		ix.Prepare()
		table := ix.radii
		answered := 0
		for q := 0; q < 500; q++ {
			// Near a point, so that most queries fall in the table.
			c := pts[r.Intn(len(pts))]
			if q%5 == 0 { // and near the poles, where cells are narrow
				c = orb.Point{r.Float64()*360 - 180, (89.5 - r.ExpFloat64()) * float64(1-2*r.Intn(2))}
			}
			p := orb.Point{wrapLon(c[0] + r.NormFloat64()), math.Max(-90, math.Min(90, c[1]+r.NormFloat64()))}
			k := 1 + r.Intn(radiusK)
			a, ok := table.angle(p, k)
			if !ok {
				continue
			}
			answered++
			inside := 0
			for _, pt := range pts {
				if Distance(p, pt) <= a*EarthRadius {
					inside++
				}
			}
			if inside < k {
				t.Fatalf("round %d: cap of %.1f m around %v holds %d points, want at least k=%d", round, a*EarthRadius, p, inside, k)
			}
		}
		if answered < 250 {
			t.Fatalf("round %d: the table answered %d of 500 queries near the points, want most", round, answered)
		}
	}
}

// TestNearestAfterInsert checks that an Insert after queries drops the
// radii computed for the earlier points (stale radii would only slow the
// search down, as the rounds correct any radius) and that the results
// stay exact.
func TestNearestAfterInsert(t *testing.T) {
	r := geotest.Rand(t)
	pts := randomItems(r, 500)
	var ix PointIndex[int]
	for i, p := range pts {
		ix.Insert(p, i)
	}
	ix.Prepare()
	var buf []Hit[int]
	for q := 0; q < 100; q++ {
		p := randomQuery(r)
		buf = ix.Nearest(p, 5, 0, nil, buf)
		checkSameHits(t, fmt.Sprintf("before: Nearest(%v)", p), buf, bruteNearest(pts, p, 5, 0, nil))
	}
	for _, p := range randomItems(r, 2000) {
		ix.Insert(p, len(pts))
		pts = append(pts, p)
	}
	if ix.radii != nil {
		t.Fatal("Insert kept the radii of the smaller index")
	}
	for q := 0; q < 200; q++ {
		p := randomQuery(r)
		buf = ix.Nearest(p, 5, 0, nil, buf)
		checkSameHits(t, fmt.Sprintf("after: Nearest(%v)", p), buf, bruteNearest(pts, p, 5, 0, nil))
	}
}
