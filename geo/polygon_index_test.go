package geo

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/golang/geo/s2"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"guichet/data/opendatatest"
	"guichet/geo/geotest"
)

func square(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

func reverseRings(g orb.Geometry) {
	switch g := g.(type) {
	case orb.Polygon:
		for _, r := range g {
			r.Reverse()
		}
	case orb.MultiPolygon:
		for _, p := range g {
			reverseRings(p)
		}
	}
}

func TestLocateBoundaries(t *testing.T) {
	type shape struct {
		name string
		g    orb.Geometry
	}
	tests := []struct {
		name   string
		shapes []shape
		p      orb.Point
		want   string // "" for none
	}{
		{"shared vertical edge goes east", []shape{{"w", orb.Polygon{square(0, 0, 1, 1)}}, {"e", orb.Polygon{square(1, 0, 2, 1)}}}, orb.Point{1, 0.5}, "e"},
		{"shared horizontal edge goes north", []shape{{"s", orb.Polygon{square(0, 0, 1, 1)}}, {"n", orb.Polygon{square(0, 1, 1, 2)}}}, orb.Point{0.5, 1}, "n"},
		{"vertex of four squares goes north-east", []shape{
			{"sw", orb.Polygon{square(0, 0, 1, 1)}}, {"se", orb.Polygon{square(1, 0, 2, 1)}},
			{"nw", orb.Polygon{square(0, 1, 1, 2)}}, {"ne", orb.Polygon{square(1, 1, 2, 2)}},
		}, orb.Point{1, 1}, "ne"},
		{"diagonal of two triangles", []shape{
			{"lower", orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}},
			{"upper", orb.Polygon{{{0, 0}, {1, 1}, {0, 1}, {0, 0}}}},
		}, orb.Point{0.5, 0.5}, "lower"},
		{"west outer edge is outside", []shape{{"a", orb.Polygon{square(0, 0, 1, 1)}}}, orb.Point{1, 0.5}, ""},
		{"east outer edge is inside", []shape{{"a", orb.Polygon{square(0, 0, 1, 1)}}}, orb.Point{0, 0.5}, "a"},
		{"hole is outside", []shape{{"a", orb.Polygon{square(0, 0, 4, 4), square(1, 1, 3, 3)}}}, orb.Point{2, 2}, ""},
		{"enclave filling a hole", []shape{{"a", orb.Polygon{square(0, 0, 4, 4), square(1, 1, 3, 3)}}, {"b", orb.Polygon{square(1, 1, 3, 3)}}}, orb.Point{2, 2}, "b"},
		{"enclave west edge belongs to enclave", []shape{{"a", orb.Polygon{square(0, 0, 4, 4), square(1, 1, 3, 3)}}, {"b", orb.Polygon{square(1, 1, 3, 3)}}}, orb.Point{1, 2}, "b"},
		{"enclave east edge belongs to surround", []shape{{"a", orb.Polygon{square(0, 0, 4, 4), square(1, 1, 3, 3)}}, {"b", orb.Polygon{square(1, 1, 3, 3)}}}, orb.Point{3, 2}, "a"},
		{"second part of a multipolygon", []shape{{"m", orb.MultiPolygon{{square(0, 0, 1, 1)}, {square(5, 5, 6, 6)}}}}, orb.Point{5.5, 5.5}, "m"},
		{"between parts of a multipolygon", []shape{{"m", orb.MultiPolygon{{square(0, 0, 1, 1)}, {square(5, 5, 6, 6)}}}}, orb.Point{3, 3}, ""},
		{"unclosed ring", []shape{{"a", orb.Polygon{{{0, 0}, {1, 0}, {1, 1}}}}}, orb.Point{0.7, 0.2}, "a"},
		{"overlap goes to first added", []shape{{"first", orb.Polygon{square(0, 0, 2, 2)}}, {"second", orb.Polygon{square(1, 1, 3, 3)}}}, orb.Point{1.5, 1.5}, "first"},
	}
	for _, tt := range tests {
		for _, reversed := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/reversed=%v", tt.name, reversed), func(t *testing.T) {
				var ix PolygonIndex[string]
				for _, s := range tt.shapes {
					g := orb.Clone(s.g)
					if reversed { // orientation must not matter
						reverseRings(g)
					}
					if err := ix.Add(g, s.name); err != nil {
						t.Fatal(err)
					}
				}
				got, ok := ix.Locate(tt.p)
				if got != tt.want || ok != (tt.want != "") {
					t.Errorf("Locate(%v) = %q, %v, want %q", tt.p, got, ok, tt.want)
				}
			})
		}
	}
}

func TestAddErrors(t *testing.T) {
	tests := []struct {
		name string
		g    orb.Geometry
		want error
	}{
		{"point", orb.Point{1, 2}, ErrUnsupportedGeometry},
		{"ring", square(0, 0, 1, 1), ErrUnsupportedGeometry},
		{"empty polygon", orb.Polygon{}, ErrInvalidRing},
		{"empty multipolygon", orb.MultiPolygon{}, ErrInvalidRing},
		{"two points", orb.Polygon{{{0, 0}, {1, 1}}}, ErrInvalidRing},
		{"closed triangle of 3 points", orb.Polygon{{{0, 0}, {1, 1}, {0, 0}}}, ErrInvalidRing},
		{"nan", orb.Polygon{{{0, 0}, {1, math.NaN()}, {1, 1}, {0, 0}}}, ErrInvalidCoordinate},
		{"inf", orb.Polygon{{{0, 0}, {math.Inf(1), 0}, {1, 1}, {0, 0}}}, ErrInvalidCoordinate},
		{"latitude 91", orb.Polygon{{{0, 0}, {1, 91}, {1, 1}, {0, 0}}}, ErrInvalidCoordinate},
		{"bad second part", orb.MultiPolygon{{square(0, 0, 1, 1)}, {{{0, 0}}}}, ErrInvalidRing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ix PolygonIndex[int]
			if err := ix.Add(tt.g, 1); !errors.Is(err, tt.want) {
				t.Errorf("Add(%v) = %v, want %v", tt.g, err, tt.want)
			}
			if ix.Len() != 0 {
				t.Errorf("Len() = %d after a failed Add, want 0", ix.Len())
			}
		})
	}
}

// tiling is a random partition of a lon/lat box into polygons: a grid of
// cells with jittered shared vertices, some split into two triangles, some
// joined into multipolygons, some with a hole filled by an enclave.
type tiling struct {
	geoms []orb.Geometry
	edges [][2]orb.Point
	verts []orb.Point
}

func newTiling(r *rand.Rand, x0, y0, step float64, nx, ny int) *tiling {
	v := make([][]orb.Point, nx+1)
	for i := range v {
		v[i] = make([]orb.Point, ny+1)
		for j := range v[i] {
			// Below a quarter of a step per axis, no vertex can cross the
			// line through its two neighbours: every cell stays convex, so
			// its triangles stay inside it and no polygons overlap.
			jx, jy := (r.Float64()-0.5)*step*0.4, (r.Float64()-0.5)*step*0.4
			if i == 0 || i == nx {
				jx = 0
			}
			if j == 0 || j == ny {
				jy = 0
			}
			v[i][j] = orb.Point{x0 + float64(i)*step + jx, y0 + float64(j)*step + jy}
		}
	}
	tl := &tiling{}
	for i := 0; i < nx; i++ {
		for j := 0; j < ny; j++ {
			a, b, c, d := v[i][j], v[i+1][j], v[i+1][j+1], v[i][j+1]
			tl.verts = append(tl.verts, a)
			tl.edges = append(tl.edges, [2]orb.Point{a, b}, [2]orb.Point{b, c}, [2]orb.Point{a, c})
			switch r.Intn(4) {
			case 0: // two triangles sharing the diagonal
				tl.geoms = append(tl.geoms, orb.Polygon{{a, b, c, a}}, orb.Polygon{{a, c, d, a}})
			case 1: // a hole with its enclave: the inner quad at a quarter of the way in
				in := func(p orb.Point) orb.Point {
					m := orb.Point{(a[0] + b[0] + c[0] + d[0]) / 4, (a[1] + b[1] + c[1] + d[1]) / 4}
					return orb.Point{m[0] + (p[0]-m[0])/2, m[1] + (p[1]-m[1])/2}
				}
				hole := orb.Ring{in(a), in(d), in(c), in(b), in(a)}
				tl.geoms = append(tl.geoms, orb.Polygon{{a, b, c, d, a}, hole}, orb.Polygon{{in(a), in(b), in(c), in(d), in(a)}})
				tl.edges = append(tl.edges, [2]orb.Point{in(a), in(b)}, [2]orb.Point{in(b), in(c)})
				tl.verts = append(tl.verts, in(a), in(c))
			default:
				tl.geoms = append(tl.geoms, orb.Polygon{{a, b, c, d, a}})
			}
		}
	}
	// Join some pairs of polygons into multipolygons.
	var joined []orb.Geometry
	for i := 0; i < len(tl.geoms); i++ {
		if i+2 < len(tl.geoms) && r.Intn(10) == 0 {
			joined = append(joined, orb.MultiPolygon{tl.geoms[i].(orb.Polygon), tl.geoms[i+2].(orb.Polygon)})
			tl.geoms = append(tl.geoms[:i+2], tl.geoms[i+3:]...)
			continue
		}
		joined = append(joined, tl.geoms[i])
	}
	tl.geoms = joined
	return tl
}

// samplePoint returns a random point of the tiling's area, one snapped onto
// an edge, or a vertex.
// uniform reports whether the point was drawn uniformly (so it is almost
// surely off every boundary).
func (tl *tiling) samplePoint(r *rand.Rand, min, max orb.Point) (p orb.Point, uniform bool) {
	switch r.Intn(3) {
	case 0:
		e := tl.edges[r.Intn(len(tl.edges))]
		f := r.Float64()
		return orb.Point{e[0][0] + f*(e[1][0]-e[0][0]), e[0][1] + f*(e[1][1]-e[0][1])}, false
	case 1:
		return tl.verts[r.Intn(len(tl.verts))], false
	}
	return orb.Point{min[0] + r.Float64()*(max[0]-min[0]), min[1] + r.Float64()*(max[1]-min[1])}, true
}

func TestLocateBruteForce(t *testing.T) {
	r := geotest.Rand(t)
	const nx, ny, step = 30, 25, 0.02
	x0, y0 := 2.0+r.Float64(), 45+r.Float64()
	tl := newTiling(r, x0, y0, step, nx, ny)
	var ix PolygonIndex[int]
	for i, g := range tl.geoms {
		if err := ix.Add(g, i); err != nil {
			t.Fatal(err)
		}
	}
	min, max := orb.Point{x0, y0}, orb.Point{x0 + nx*step, y0 + ny*step}
	for n := 0; n < 30000; n++ {
		p, uniform := tl.samplePoint(r, min, max)
		// Reference: scan every part, count those containing p.
		var containing []int
		for i := range ix.parts {
			if ix.parts[i].contains(p) {
				containing = append(containing, int(ix.parts[i].value))
			}
		}
		inside := p[0] > min[0] && p[0] < max[0] && p[1] > min[1] && p[1] < max[1]
		if inside && len(containing) != 1 {
			t.Fatalf("%v is in %d polygons %v, want exactly 1", p, len(containing), containing)
		}
		if len(containing) > 1 {
			t.Fatalf("%v is in %d polygons %v, want at most 1", p, len(containing), containing)
		}
		got, ok := ix.Locate(p)
		if ok != (len(containing) == 1) || ok && got != containing[0] {
			t.Fatalf("Locate(%v) = %v, %v, want %v", p, got, ok, containing)
		}
		// Independent check away from boundaries: orb's ray casting.
		if ok && uniform {
			inOrb := false
			switch g := tl.geoms[got].(type) {
			case orb.Polygon:
				inOrb = planar.PolygonContains(g, p)
			case orb.MultiPolygon:
				inOrb = planar.MultiPolygonContains(g, p)
			}
			if !inOrb {
				t.Fatalf("Locate(%v) = %v, but orb/planar says it is outside", p, got)
			}
		}
	}
	t.Logf("%d points checked", 30000)
}

func TestLocateAllocs(t *testing.T) {
	r := geotest.Rand(t)
	tl := newTiling(r, 2, 45, 0.02, 20, 20)
	var ix PolygonIndex[int]
	for i, g := range tl.geoms {
		if err := ix.Add(g, i); err != nil {
			t.Fatal(err)
		}
	}
	p := orb.Point{2.15, 45.15}
	if n := testing.AllocsPerRun(100, func() { ix.Locate(p) }); n != 0 {
		t.Errorf("Locate allocates %v times per call, want 0", n)
	}
	buf := make([]Near[int], 0, 16)
	if n := testing.AllocsPerRun(100, func() { buf = ix.Nearby(p, 1000, buf) }); n != 0 {
		t.Errorf("Nearby allocates %v times per call, want 0", n)
	}
	if len(buf) < 2 {
		t.Errorf("Nearby(%v, 1 km) = %v, want several cells", p, buf)
	}
}

// bruteNearby is the reference for Nearby: every edge of every part, each
// edge a straight line in longitude/latitude whose nearest point to p is
// found by ternary search on golang/geo's distance, not by projection.
func bruteNearby(ix *PolygonIndex[int], p orb.Point, maxM float64) map[int]float64 {
	out := map[int]float64{}
	for _, pp := range ix.parts {
		start := 0
		for _, end := range pp.ends {
			for j := start + 1; j < int(end); j++ {
				a, b := pp.pts[j-1], pp.pts[j]
				// Every point of the edge is within its length in degrees,
				// on the ground, of a: a safe cut before the search.
				reach := EarthRadius * radPerDeg * math.Hypot(b[1]-a[1], b[0]-a[0])
				if haversineM(p, a)-reach > maxM {
					continue
				}
				d := bruteSegmentDistance(p, a, b)
				if d <= maxM {
					if old, ok := out[int(pp.value)]; !ok || d < old {
						out[int(pp.value)] = d
					}
				}
			}
			start = int(end)
		}
	}
	return out
}

// bruteSegmentDistance minimises the distance from p to the points of the
// lon/lat segment ab; along an edge much shorter than the Earth's radius
// that distance has a single minimum.
func bruteSegmentDistance(p, a, b orb.Point) float64 {
	// The edge's longitudes on p's side of the antimeridian.
	shift := func(lon float64) float64 {
		for lon-p[0] > 180 {
			lon -= 360
		}
		for lon-p[0] < -180 {
			lon += 360
		}
		return lon
	}
	ax, bx := shift(a[0]), shift(b[0])
	q := s2.LatLngFromDegrees(p[1], p[0])
	at := func(t float64) float64 {
		return q.Distance(s2.LatLngFromDegrees(a[1]+t*(b[1]-a[1]), ax+t*(bx-ax))).Radians() * EarthRadius
	}
	lo, hi := 0.0, 1.0
	for range 100 {
		m1, m2 := lo+(hi-lo)/3, hi-(hi-lo)/3
		if at(m1) <= at(m2) {
			hi = m2
		} else {
			lo = m1
		}
	}
	return math.Min(at((lo+hi)/2), math.Min(at(0), at(1)))
}

func TestNearbyBruteForce(t *testing.T) {
	r := geotest.Rand(t)
	const nx, ny, step = 12, 10, 0.05
	tl := newTiling(r, 178, -18, step, nx, ny) // reaches the antimeridian
	var ix PolygonIndex[int]
	for i, g := range tl.geoms {
		if err := ix.Add(g, i); err != nil {
			t.Fatal(err)
		}
	}
	var buf []Near[int]
	for n := 0; n < 2000; n++ {
		p, _ := tl.samplePoint(r, orb.Point{177.9, -18.1}, orb.Point{178.7, -17.4})
		if r.Intn(5) == 0 { // the other side of the antimeridian
			p = orb.Point{-180 + r.Float64()*0.05, -18 + r.Float64()*0.5}
		}
		maxM := r.ExpFloat64() * 2000
		buf = ix.Nearby(p, maxM, buf)
		// Nearby's distances are exact to a millionth (segmentHav);
		// a value that close to maxM may be in or out.
		tol := func(d float64) float64 { return 1e-6 * math.Max(1, d) }
		want := bruteNearby(&ix, p, maxM+tol(maxM))
		reported := map[int]bool{}
		for _, nb := range buf {
			reported[nb.Value] = true
		}
		for v, d := range want {
			if !reported[v] && d < maxM-tol(maxM) {
				t.Fatalf("Nearby(%v, %g) = %v lacks %d at %v m", p, maxM, buf, v, d)
			}
		}
		loc, locOK := ix.Locate(p)
		for i, nb := range buf {
			if w, ok := want[nb.Value]; !ok || math.Abs(w-nb.DistanceM) > tol(w) {
				t.Fatalf("Nearby(%v, %g)[%d] = %+v, want distance %v (present %v)", p, maxM, i, nb, w, ok)
			}
			if i > 0 && buf[i-1].DistanceM > nb.DistanceM {
				t.Fatalf("Nearby(%v, %g) not sorted: %v", p, maxM, buf)
			}
			if nb.Inside != (locOK && loc == nb.Value) {
				t.Fatalf("Nearby(%v)[%d].Inside = %v, Locate = %v, %v", p, i, nb.Inside, loc, locOK)
			}
		}
	}
}

func TestNearbyDistance(t *testing.T) {
	var ix PolygonIndex[string]
	if err := ix.Add(orb.Polygon{square(0, 0, 1, 1)}, "north"); err != nil {
		t.Fatal(err)
	}
	if err := ix.Add(orb.Polygon{square(0, -1, 1, 0)}, "south"); err != nil {
		t.Fatal(err)
	}
	// The shared edge lies on the equator, a great circle: the distance
	// from (0.5, lat) is exactly the arc of lat degrees.
	lat := 0.003
	want := lat * radPerDeg * EarthRadius
	got := ix.Nearby(orb.Point{0.5, lat}, 1000, nil)
	if len(got) != 2 || got[0].Value != "north" || !got[0].Inside || got[1].Inside ||
		math.Abs(got[0].DistanceM-want) > 1e-6 || math.Abs(got[1].DistanceM-want) > 1e-6 {
		t.Errorf("Nearby = %+v, want north (inside) and south at %.3f m", got, want)
	}
	if got := ix.Nearby(orb.Point{0.5, lat}, want*0.99, nil); len(got) != 0 {
		t.Errorf("Nearby with maxM below the distance = %+v, want none", got)
	}
}

// TestNearbyPlanarEdges: an edge along the 45th parallel is the border
// Locate applies, though the great circle between its ends runs about
// 120 m north of it at mid-length. A point on it is at 0 m from both
// sides, and a point 10 m north is 10 m from it.
func TestNearbyPlanarEdges(t *testing.T) {
	var ix PolygonIndex[string]
	if err := ix.Add(orb.Polygon{square(0, 45, 1, 46)}, "north"); err != nil {
		t.Fatal(err)
	}
	if err := ix.Add(orb.Polygon{square(0, 44, 1, 45)}, "south"); err != nil {
		t.Fatal(err)
	}
	tenMetres := 10 / (EarthRadius * radPerDeg)
	for _, tt := range []struct {
		p    orb.Point
		want float64
	}{
		{orb.Point{0.5, 45}, 0},
		{orb.Point{0.5, 45 + tenMetres}, 10},
	} {
		got := ix.Nearby(tt.p, 50, nil)
		if len(got) != 2 || got[0].Value != "north" || !got[0].Inside || got[1].Inside {
			t.Fatalf("Nearby(%v, 50 m) = %+v, want north (inside) then south", tt.p, got)
		}
		for _, nb := range got {
			if math.Abs(nb.DistanceM-tt.want) > 1e-3 {
				t.Errorf("Nearby(%v): %s at %v m, want %v m", tt.p, nb.Value, nb.DistanceM, tt.want)
			}
		}
	}
}

// loadCommunes reads every commune polygon of the national files.
func loadCommunes(tb testing.TB, dir string) []*geojson.Feature {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "geo", "france-geojson-2018", "communes", "*.geojson"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no commune files in %s: %v", dir, err)
	}
	var out []*geojson.Feature
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		fc, err := geojson.UnmarshalFeatureCollection(b)
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		out = append(out, fc.Features...)
	}
	return out
}

// TestLocateCommunesBruteForce locates random points among the national
// communes and checks each against a scan of every polygon.
func TestLocateCommunesBruteForce(t *testing.T) {
	skipUnderRace(t)
	feats := loadCommunes(t, opendatatest.Dir(t))
	var ix PolygonIndex[int]
	for i, f := range feats {
		if err := ix.Add(f.Geometry, i); err != nil {
			t.Fatalf("commune %v: %v", f.Properties["code"], err)
		}
	}
	if ix.Len() < 35000 {
		t.Fatalf("Len() = %d, want about 35,357", ix.Len())
	}
	r := geotest.Rand(t)
	found := 0
	for n := 0; n < 2000; n++ {
		p := regionPoint(r, regions[r.Intn(5)]) // metro and the DROM
		want := -1
		for i := range ix.parts {
			if ix.parts[i].bound.Contains(p) && ix.parts[i].contains(p) {
				want = int(ix.parts[i].value)
				break
			}
		}
		got, ok := ix.Locate(p)
		if ok != (want >= 0) || ok && got != want {
			t.Fatalf("Locate(%v) = %v, %v, want %v", p, got, ok, want)
		}
		if ok {
			found++
		}
	}
	t.Logf("%d of 2000 points fell in a commune", found)
	if found == 0 {
		t.Error("no point fell in any commune")
	}
}

// star returns a ring of n vertices around c whose radius (in degrees)
// wanders between r/2 and r, so that its blocks of edges face every way.
func star(rng *rand.Rand, c orb.Point, r float64, n int, reverse bool) orb.Ring {
	ring := make(orb.Ring, 0, n+1)
	for k := range n {
		a := 2 * math.Pi * float64(k) / float64(n)
		if reverse {
			a = -a
		}
		rad := r * (0.5 + 0.5*rng.Float64())
		ring = append(ring, orb.Point{c[0] + rad*math.Cos(a), c[1] + rad*math.Sin(a)})
	}
	return append(ring, ring[0])
}

// TestLocateBoundaryBruteForce checks LocateBoundary's distance against
// every edge of the value found, measured by ternary search on golang/geo's
// distance, and against Nearby's distance for the same value: one metric.
func TestLocateBoundaryBruteForce(t *testing.T) {
	skipUnderRace(t)
	r := geotest.Rand(t)
	tl := newTiling(r, 178, -18, 0.05, 12, 10) // reaches the antimeridian
	var ix PolygonIndex[int]
	for i, g := range tl.geoms {
		if err := ix.Add(g, i); err != nil {
			t.Fatal(err)
		}
	}
	// Polygons of hundreds of edges, so that blocks are pruned: one with a
	// hole, and a multipolygon of two.
	big := []orb.Geometry{
		orb.Polygon{star(r, orb.Point{5, 45}, 0.2, 300, false), star(r, orb.Point{5, 45}, 0.06, 80, true)},
		orb.MultiPolygon{{star(r, orb.Point{5.6, 45}, 0.1, 200, false)}, {star(r, orb.Point{5.6, 45.3}, 0.08, 150, false)}},
	}
	for i, g := range big {
		if err := ix.Add(g, len(tl.geoms)+i); err != nil {
			t.Fatal(err)
		}
	}
	var buf []Near[int]
	var found int
	for n := 0; n < 1500; n++ {
		var p orb.Point
		switch n % 3 {
		case 0:
			p, _ = tl.samplePoint(r, orb.Point{177.9, -18.1}, orb.Point{178.7, -17.4})
		default:
			p = orb.Point{4.7 + r.Float64()*1.1, 44.75 + r.Float64()*0.7}
		}
		v, d, ok := ix.LocateBoundary(p)
		lv, lok := ix.Locate(p)
		if ok != lok || v != lv {
			t.Fatalf("LocateBoundary(%v) = %d, %v; Locate = %d, %v", p, v, ok, lv, lok)
		}
		if !ok {
			continue
		}
		found++
		want := math.Inf(1)
		for _, pp := range ix.parts {
			if int(pp.value) != v {
				continue
			}
			start := 0
			for _, end := range pp.ends {
				for j := start + 1; j < int(end); j++ {
					a, b := pp.pts[j-1], pp.pts[j]
					reach := EarthRadius * radPerDeg * math.Hypot(b[1]-a[1], b[0]-a[0])
					if haversineM(p, a)-reach > want {
						continue
					}
					want = math.Min(want, bruteSegmentDistance(p, a, b))
				}
				start = int(end)
			}
		}
		if math.Abs(d-want) > 1e-6*math.Max(1, want) {
			t.Fatalf("LocateBoundary(%v) = %d at %v m, want %v m", p, v, d, want)
		}
		buf = ix.Nearby(p, d+1, buf)
		same := false
		for _, nb := range buf {
			if nb.Value == v {
				same = nb.DistanceM == d
			}
		}
		if !same {
			t.Fatalf("LocateBoundary(%v) = %d at %v m; Nearby says %+v", p, v, d, buf)
		}
	}
	if found == 0 {
		t.Fatal("no point located")
	}
}
