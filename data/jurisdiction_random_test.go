package data

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"guichet/data/opendatatest"
	"guichet/geo"
	"guichet/geo/geotest"
)

var national struct {
	once sync.Once
	ds   *Dataset
	err  error
	took time.Duration
}

// nationalDataset loads the whole national open-data directory once per
// test binary.
func nationalDataset(tb testing.TB) *Dataset {
	tb.Helper()
	dir := opendatatest.Dir(tb)
	national.once.Do(func() {
		start := time.Now()
		national.ds, national.err = loadDir(dir)
		national.took = time.Since(start)
	})
	if national.err != nil {
		tb.Fatalf("load.Dir(%s) = %v", dir, national.err)
	}
	return national.ds
}

// syntheticCommunes builds a dataset of n×n adjoining quadrilaterals whose
// inner vertices are jittered, so that shared edges run in every
// direction, plus a few triangles-with-holes free of neighbours.
func syntheticCommunes(rng *rand.Rand, n int) *Dataset {
	var shapes []CommuneShape
	const x0, y0, step = 2.0, 46.0, 0.01
	v := make([][]orb.Point, n+1)
	for i := range v {
		v[i] = make([]orb.Point, n+1)
		for j := range v[i] {
			p := orb.Point{x0 + float64(i)*step, y0 + float64(j)*step}
			if i > 0 && j > 0 && i < n && j < n {
				p[0] += (rng.Float64() - 0.5) * step * 0.6
				p[1] += (rng.Float64() - 0.5) * step * 0.6
			}
			v[i][j] = p
		}
	}
	k := 0
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			ring := orb.Ring{v[i][j], v[i+1][j], v[i+1][j+1], v[i][j+1], v[i][j]}
			mp := orb.MultiPolygon{{ring}}
			k++
			shapes = append(shapes, CommuneShape{Code: fmt.Sprintf("%05d", k), Name: "Synthétique", Geom: mp, Bound: mp.Bound(), File: "synthetic", Line: k})
		}
	}
	return New(Sources{Version: "synthetic", Shapes: shapes, Report: Report{Files: []FileReport{{File: "synthetic", Kept: len(shapes)}}}})
}

// randomPoint returns a point of the kind named by kind: uniform in a
// territory's box, a vertex, a point on an edge, or just off an edge.
func randomPoint(rng *rand.Rand, shapes []communeShape, boxes []orb.Bound, kind int) orb.Point {
	if kind == 0 {
		bd := boxes[rng.Intn(len(boxes))]
		return orb.Point{bd.Min[0] + rng.Float64()*(bd.Max[0]-bd.Min[0]), bd.Min[1] + rng.Float64()*(bd.Max[1]-bd.Min[1])}
	}
	s := &shapes[rng.Intn(len(shapes))]
	poly := s.geom[rng.Intn(len(s.geom))]
	ring := poly[rng.Intn(len(poly))]
	e := rng.Intn(len(ring) - 1)
	a, c := ring[e], ring[e+1]
	switch kind {
	case 1:
		return a
	case 2:
		t := rng.Float64()
		return orb.Point{a[0] + t*(c[0]-a[0]), a[1] + t*(c[1]-a[1])}
	default:
		t := rng.Float64()
		off := math.Pow(10, -3-4*rng.Float64()) * float64(1-2*rng.Intn(2))
		return orb.Point{a[0] + t*(c[0]-a[0]) - off*(c[1]-a[1]), a[1] + t*(c[1]-a[1]) + off*(c[0]-a[0])}
	}
}

// TestLocateBruteForce checks Locate against a test of every polygon with
// orb's planar.MultiPolygonContains, which counts boundary points in:
// a point strictly inside one polygon must be located there, a point in
// none must not be located, and a point on boundaries must be claimed by
// at most one polygon; a shared vertex by the one that holds it displaced
// slightly east then north, the documented boundary rule.
func TestLocateBruteForce(t *testing.T) {
	rng := geotest.Rand(t)
	var ds *Dataset
	var boxes []orb.Bound
	if os.Getenv("GUICHET_OPENDATA") != "" || os.Getenv("CI") == "true" {
		ds = nationalDataset(t)
		boxes = []orb.Bound{metropole.bound}
		for _, dep := range []string{"971", "972", "973", "974", "976"} {
			boxes = append(boxes, overseasBoxes[dep].bound)
		}
	} else {
		t.Log("GUICHET_OPENDATA is not set: checking synthetic communes")
		ds = syntheticCommunes(rng, 40)
		boxes = []orb.Bound{{Min: orb.Point{1.99, 45.99}, Max: orb.Point{2.41, 46.41}}}
	}
	shapes := ds.communes.get().shapes
	grid := newBoxGrid(shapes)
	const n = 20000
	var kinds [4]int
	var onBoundary, outside, shared int
	for i := 0; i < n; i++ {
		kind := i % 4
		kinds[kind]++
		p := randomPoint(rng, shapes, boxes, kind)
		var cands []int32
		for _, k := range grid.covering(p) {
			if shapes[k].bound.Contains(p) && planar.MultiPolygonContains(shapes[k].geom, p) {
				cands = append(cands, k)
			}
		}
		got, ok := ds.communes.get().polygons.Locate(p)
		boundary := false
		for _, k := range cands {
			if flatBoundaryDistance(p, shapes[k].geom) < 1e-3 {
				boundary = true
			}
		}
		switch {
		case len(cands) == 0:
			outside++
			if ok {
				// orb may miss a point that is on a boundary by rounding.
				if flatBoundaryDistance(p, shapes[got].geom) > 1e-3 {
					t.Fatalf("point %v (kind %d): Locate = %s, brute force finds no commune", p, kind, shapes[got].code)
				}
			}
		case boundary:
			onBoundary++
			if len(cands) > 1 {
				shared++
			}
			// The boundary rule gives a point to the polygon holding it
			// displaced by ε east and ε² north: test that with ε = 1e-7°
			// (1 cm, far below the 1e-5° spacing of vertices) and a
			// northward step of about one ulp, so that only edges flatter
			// than 1e-7 could be misjudged.
			q := orb.Point{p[0] + 1e-7, p[1] + 1e-14}
			var want []int32
			for _, k := range grid.covering(q) {
				if shapes[k].bound.Contains(q) && planar.MultiPolygonContains(shapes[k].geom, q) {
					want = append(want, k)
				}
			}
			// Only vertices are exactly on edges; a point interpolated
			// along an edge may be a rounding error off it, on either side.
			exact := kind == 1
			if exact && (len(want) == 0 && ok || len(want) > 0 && (!ok || !containsInt32(want, got))) ||
				!exact && ok && !containsInt32(cands, got) && !containsInt32(want, got) {
				t.Fatalf("point %v (kind %d) on the boundary of %v: Locate = %v (found %v); want one of %v", p, kind, codesOf(shapes, cands), codesOf(shapes, []int32{got}), ok, codesOf(shapes, want))
			}
			inside := 0
			for _, nb := range ds.communes.get().polygons.Nearby(p, 1, nil) {
				if nb.Inside {
					inside++
				}
			}
			if want := btoi(ok); inside != want {
				t.Fatalf("point %v on the boundary of %v: %d polygons claim it, want %d", p, codesOf(shapes, cands), inside, want)
			}
		default:
			if ok {
				// Locate measures on the sphere what the oracle measures
				// on a plane tangent at p: they part by a few thousandths
				// over the kilometres of a commune. geo's tests hold the
				// metric to a millionth.
				j, err := ds.Locate(p, 0)
				want := flatBoundaryDistance(p, shapes[got].geom)
				if err != nil || math.Abs(j.Boundary.DistanceM-want) > 5e-3*want+1e-6 {
					t.Fatalf("point %v: boundary distance %v (%v), want %v by brute force", p, j.Boundary.DistanceM, err, want)
				}
			}
			if !ok || !containsInt32(cands, got) {
				name := "none"
				if ok {
					name = shapes[got].code
				}
				t.Fatalf("point %v (kind %d) inside %v: Locate = %s", p, kind, codesOf(shapes, cands), name)
			}
		}
	}
	t.Logf("%d points (uniform %d, vertices %d, on edges %d, near edges %d): %d in no commune, %d on a boundary (%d shared by several)",
		n, kinds[0], kinds[1], kinds[2], kinds[3], outside, onBoundary, shared)
	if onBoundary == 0 {
		t.Error("no point fell on a boundary: the edge sampler is broken")
	}
}

// boxGrid files each shape under every cell of a uniform grid that its
// bounding box overlaps, so that the brute-force oracle tests only the
// shapes whose box may hold a point instead of all 35,000. It shares no
// code with the index under test: a box holding p has min ≤ p ≤ max on
// each axis, and floor is monotonic, so p's cell is among the box's.
type boxGrid struct {
	cells map[[2]int][]int32
}

const boxGridCell = 0.1 // degrees

func gridCell(x, y float64) [2]int {
	return [2]int{int(math.Floor(x / boxGridCell)), int(math.Floor(y / boxGridCell))}
}

func newBoxGrid(shapes []communeShape) *boxGrid {
	g := &boxGrid{cells: map[[2]int][]int32{}}
	for k, s := range shapes {
		lo, hi := gridCell(s.bound.Min[0], s.bound.Min[1]), gridCell(s.bound.Max[0], s.bound.Max[1])
		for i := lo[0]; i <= hi[0]; i++ {
			for j := lo[1]; j <= hi[1]; j++ {
				g.cells[[2]int{i, j}] = append(g.cells[[2]int{i, j}], int32(k))
			}
		}
	}
	return g
}

// covering returns the shapes whose bounding box may contain p, in index
// order: every shape whose box does is among them.
func (g *boxGrid) covering(p orb.Point) []int32 { return g.cells[gridCell(p[0], p[1])] }

// TestBoxGridMissesNoShape checks the oracle's filter itself against a
// scan of every box, on random points, vertices and box corners.
func TestBoxGridMissesNoShape(t *testing.T) {
	rng := geotest.Rand(t)
	ds := syntheticCommunes(rng, 40)
	shapes := ds.communes.get().shapes
	grid := newBoxGrid(shapes)
	box := orb.Bound{Min: orb.Point{1.99, 45.99}, Max: orb.Point{2.41, 46.41}}
	for i := range 20000 {
		p := randomPoint(rng, shapes, []orb.Bound{box}, i%4)
		if i%5 == 0 { // exactly on a box corner, where floor and bounds meet
			b := shapes[rng.Intn(len(shapes))].bound
			p = orb.Point{b.Min[0], b.Max[1]}
		}
		got := grid.covering(p)
		for k := range shapes {
			if shapes[k].bound.Contains(p) && !containsInt32(got, int32(k)) {
				t.Fatalf("point %v is in the box of shape %d, which the grid does not return", p, k)
			}
		}
	}
}

// flatBoundaryDistance is the distance in metres from p to the nearest
// edge of mp on the equirectangular projection centred on p, every edge
// measured: an oracle independent of geo.
func flatBoundaryDistance(p orb.Point, mp orb.MultiPolygon) float64 {
	ky := geo.EarthRadius * math.Pi / 180
	kx := ky * math.Cos(p[1]*math.Pi/180)
	best := math.Inf(1)
	for _, poly := range mp {
		for _, ring := range poly {
			for k := 1; k < len(ring); k++ {
				ax, ay := (ring[k-1][0]-p[0])*kx, (ring[k-1][1]-p[1])*ky
				bx, by := (ring[k][0]-p[0])*kx, (ring[k][1]-p[1])*ky
				dx, dy := bx-ax, by-ay
				t := 0.0
				if l2 := dx*dx + dy*dy; l2 > 0 {
					t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
				}
				x, y := ax+t*dx, ay+t*dy
				best = math.Min(best, x*x+y*y)
			}
		}
	}
	return math.Sqrt(best)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func containsInt32(s []int32, v int32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func codesOf(shapes []communeShape, idx []int32) []string {
	var out []string
	for _, k := range idx {
		out = append(out, shapes[k].code)
	}
	return out
}

// TestNationalUnitsInOwnCommune checks the join of boundaries, competence
// table and stations: a gendarmerie unit usually sits in a commune it has
// jurisdiction over. The exceptions are logged by category.
func TestNationalUnitsInOwnCommune(t *testing.T) {
	ds := nationalDataset(t)
	cats := map[string]int{}
	examples := map[string][]string{}
	total := 0
	for i := range ds.stations {
		st := &ds.stations[i]
		if st.Force != Gendarmerie {
			continue
		}
		total++
		cat := unitCategory(ds, st)
		cats[cat]++
		if len(examples[cat]) < 3 {
			examples[cat] = append(examples[cat], st.ID+" "+st.Name)
		}
	}
	for cat, n := range cats {
		t.Logf("%-55s %5d  e.g. %v", cat, n, examples[cat])
	}
	self := cats["own commune's competent unit"]
	t.Logf("%d of %d gendarmerie units (%.1f %%) lie in a commune they have jurisdiction over", self, total, 100*float64(self)/float64(total))
	if total == 0 || float64(self) < 0.9*float64(total) {
		t.Errorf("only %d of %d units lie in their own commune, want at least 90 %%", self, total)
	}
}

func unitCategory(ds *Dataset, st *Station) string {
	j, err := ds.Locate(st.Location, 0)
	switch {
	case errors.Is(err, ErrNotFound):
		if _, overseas := overseasBoxes[st.Departement]; overseas && !hasBoundaries(st.Departement) {
			return "outside any polygon (collectivity without boundaries)"
		}
		return "outside any polygon"
	case err != nil:
		return "error: " + err.Error()
	}
	for _, u := range j.Competence.Units {
		if u.Station == st {
			return "own commune's competent unit"
		}
	}
	switch j.Competence.Zone {
	case ZonePolice:
		return "PN-zone commune"
	case ZoneUnknown:
		if j.ShapeCode != j.Commune.Code {
			return "merged code absent from the competence table"
		}
		return "commune absent from the competence table"
	}
	for _, u := range j.Competence.Units {
		if u.Force == Gendarmerie && u.Station == nil {
			return "other GN unit, not in the unit list"
		}
	}
	return "other GN unit"
}

// hasBoundaries reports whether the national layer covers département dep.
func hasBoundaries(dep string) bool {
	switch dep {
	case "975", "977", "978", "986", "987", "988":
		return false
	}
	return true
}

// BenchmarkLocate measures one lookup over every national commune, the
// polygon index alone being the baseline. Points are drawn inside
// communes so that every lookup finds one.
func BenchmarkLocate(b *testing.B) {
	ds := nationalDataset(b)
	rng := rand.New(rand.NewSource(1))
	pts := make([]orb.Point, 0, 4096)
	for len(pts) < cap(pts) {
		p := orb.Point{-5 + rng.Float64()*13, 42.5 + rng.Float64()*8.5}
		if _, ok := ds.communes.get().polygons.Locate(p); ok {
			pts = append(pts, p)
		}
	}
	b.Run("index", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			ds.communes.get().polygons.Locate(pts[i%len(pts)])
		}
	})
	b.Run("dataset/commune", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := ds.CommuneAt(pts[i%len(pts)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, margin := range []float64{0, DefaultBoundaryM} {
		b.Run(fmt.Sprintf("dataset/margin=%gm", margin), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := ds.Locate(pts[i%len(pts)], margin); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadCommunes measures reading the 101 national boundary files
// and building the polygon index, and reports the heap the loaded
// national dataset holds.
func BenchmarkLoadCommunes(b *testing.B) {
	dir := opendatatest.Dir(b) + "/geo/france-geojson-2018/communes"
	for b.Loop() {
		ds, err := loadDir(dir)
		if !errors.Is(err, errNoStations) || ds.BoundaryCount() != 35357 {
			b.Fatalf("load.Dir(%s) = %d boundaries, %v", dir, ds.BoundaryCount(), err)
		}
	}
	b.StopTimer()
	ds := nationalDataset(b)
	var ms runtimeMemStats
	heap := ms.heapInuseAfterGC()
	b.ReportMetric(float64(heap)/(1<<20), "MiB-heap-national")
	b.Logf("national dataset: %d stations, %d communes, %d boundaries; heap in use after GC %.0f MiB; first full load took %v",
		ds.Len(), ds.CommuneCount(), ds.BoundaryCount(), float64(heap)/(1<<20), national.took)
}

// TestNationalCoverage checks that the join leaves few boundaries without
// jurisdiction, and logs which.
func TestNationalCoverage(t *testing.T) {
	ds := nationalDataset(t)
	zones := map[Zone]int{}
	var unknown []string
	merged, resolved, units := 0, 0, 0
	for _, s := range ds.communes.get().shapes {
		zones[s.competence.Zone]++
		if s.competence.Zone == ZoneUnknown && len(unknown) < 10 {
			unknown = append(unknown, s.code+" "+s.name)
		}
		if s.code != s.commune.Code {
			merged++
		}
		for _, u := range s.competence.Units {
			units++
			if len(u.Stations) > 0 {
				resolved++
			}
		}
	}
	t.Logf("%d boundaries: %d gendarmerie, %d police, %d mixed, %d unknown (e.g. %v); %d under a code merged since; %d of %d competent units resolve to a station",
		len(ds.communes.get().shapes), zones[ZoneGendarmerie], zones[ZonePolice], zones[ZoneMixed], zones[ZoneUnknown], unknown, merged, resolved, units)
	if zones[ZoneUnknown] > len(ds.communes.get().shapes)/100 {
		t.Errorf("%d boundaries have no jurisdiction, want at most 1 %%", zones[ZoneUnknown])
	}
}
