package data

import (
	"errors"
	"reflect"
	"testing"

	"github.com/paulmach/orb"

	"guichet/geo/geotest"
)

const jurisdictionFixtures = "testdata/jurisdiction"

func TestLocateFixtures(t *testing.T) {
	ds := mustLoad(t, jurisdictionFixtures)
	tests := []struct {
		name      string
		p         orb.Point
		commune   string
		shape     string
		zone      Zone
		precision Precision
		units     []string
		stations  []string
	}{
		{"gendarmerie commune", orb.Point{5.05, 45.05}, "38001", "38001", ZoneGendarmerie, PrecisionCommune, []string{"3002739"}, []string{"gn-1004321"}},
		{"mixed commune", orb.Point{5.15, 45.05}, "38002", "38002", ZoneMixed, PrecisionCommune, []string{"60050", "3002741"}, []string{"", "gn-1004333"}},
		{"merged commune keeps its own row", orb.Point{5.1, 45.15}, "38002", "38099", ZoneGendarmerie, PrecisionCommune, []string{"3002741"}, []string{"gn-1004333"}},
		{"second part of a multipolygon", orb.Point{5.305, 45.305}, "38002", "38099", ZoneGendarmerie, PrecisionCommune, []string{"3002741"}, []string{"gn-1004333"}},
		{"etalab layout", orb.Point{5.25, 45.05}, "38004", "38004", ZoneGendarmerie, PrecisionCommune, []string{"3002741"}, []string{"gn-1004333"}},
		{"police commune from ANFSI", orb.Point{5.25, 45.15}, "38007", "38007", ZonePolice, PrecisionCommune, []string{"60050"}, []string{""}},
		{"Paris west", orb.Point{2.28, 48.85}, "75101", "75056", ZonePolice, PrecisionArrondissementApproximate, []string{"68809"}, []string{"pn-68809"}},
		{"Paris east", orb.Point{2.42, 48.85}, "75102", "75056", ZonePolice, PrecisionArrondissementApproximate, []string{"72903"}, []string{""}},
		{"Paris box overlap, nearest centre", orb.Point{2.3505, 48.85}, "75102", "75056", ZonePolice, PrecisionArrondissementApproximate, []string{"72903"}, []string{""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j, err := ds.Locate(tc.p, DefaultBoundaryM)
			if err != nil {
				t.Fatalf("Locate(%v) = %v", tc.p, err)
			}
			if j.Commune.Code != tc.commune || j.ShapeCode != tc.shape || j.Competence.Zone != tc.zone || j.Precision != tc.precision {
				t.Errorf("Locate(%v) = commune %s shape %s zone %v precision %v, want %s %s %v %v",
					tc.p, j.Commune.Code, j.ShapeCode, j.Competence.Zone, j.Precision, tc.commune, tc.shape, tc.zone, tc.precision)
			}
			if len(j.Competence.Units) != len(tc.units) {
				t.Fatalf("units = %+v, want %v", j.Competence.Units, tc.units)
			}
			for i, u := range j.Competence.Units {
				st := ""
				if u.Station != nil {
					st = u.Station.ID
				}
				if u.ServiceID != tc.units[i] || st != tc.stations[i] {
					t.Errorf("unit %d = %s (station %q), want %s (station %q)", i, u.ServiceID, st, tc.units[i], tc.stations[i])
				}
			}
		})
	}
}

func TestLocateNotFound(t *testing.T) {
	ds := mustLoad(t, jurisdictionFixtures)
	for _, p := range []orb.Point{{-3, 47}, {5.05, 44.9}, {6.05, 45.05}} {
		if _, err := ds.Locate(p, DefaultBoundaryM); !errors.Is(err, ErrNotFound) {
			t.Errorf("Locate(%v) error = %v, want ErrNotFound", p, err)
		}
	}
	for _, tc := range []struct {
		p     orb.Point
		nearM float64
	}{{orb.Point{5, 91}, 50}, {orb.Point{181, 45}, 50}, {orb.Point{5.05, 45.05}, -1}, {orb.Point{5.05, 45.05}, MaxBoundaryM + 1}} {
		if _, err := ds.Locate(tc.p, tc.nearM); !errors.Is(err, ErrInvalid) {
			t.Errorf("Locate(%v, %v) error = %v, want ErrInvalid", tc.p, tc.nearM, err)
		}
	}
}

// TestSharedEdge checks the boundary rule on two fixture communes that
// share the meridian 5.1: a point on it is in exactly one of them, and is
// flagged near the other, both at 0 m: distances are to the same straight
// lon/lat edges that decide containment, east-west ones included.
func TestSharedEdge(t *testing.T) {
	const onEdgeM = 1e-3
	ds := mustLoad(t, jurisdictionFixtures)
	for _, p := range []orb.Point{{5.1, 45.05}, {5.1, 45.0000001}, {5.1, 45.1}, {5.05, 45.1}} {
		j, err := ds.Locate(p, DefaultBoundaryM)
		if err != nil {
			t.Fatalf("Locate(%v) = %v, want a commune", p, err)
		}
		if !j.Boundary.Near || j.Boundary.DistanceM > onEdgeM {
			t.Errorf("Locate(%v).Boundary = %+v, want near with distance 0", p, j.Boundary)
		}
		if len(j.Boundary.Neighbours) == 0 {
			t.Fatalf("Locate(%v) in %s lists no neighbour", p, j.ShapeCode)
		}
		for _, n := range j.Boundary.Neighbours {
			if n.Commune == j.Commune {
				t.Errorf("Locate(%v) lists its own commune %s as neighbour", p, n.Commune.Code)
			}
			if n.DistanceM > onEdgeM {
				t.Errorf("Locate(%v): neighbour %s at %.1f m, want 0", p, n.Commune.Code, n.DistanceM)
			}
		}
		in := 0
		for _, s := range ds.communes.get().shapes {
			if s.code == j.ShapeCode {
				in++
			}
		}
		if in != 1 {
			t.Errorf("shape %s found %d times", j.ShapeCode, in)
		}
	}
	// 30 m inside Alpha, away from every other commune but Bêta.
	p := orb.Point{5.1 - 30/(111195*0.7071), 45.05}
	j, err := ds.Locate(p, DefaultBoundaryM)
	if err != nil {
		t.Fatal(err)
	}
	if j.Commune.Code != "38001" || !j.Boundary.Near || len(j.Boundary.Neighbours) != 1 || j.Boundary.Neighbours[0].Commune.Code != "38002" {
		t.Fatalf("Locate(%v) = %s boundary %+v, want 38001 near 38002", p, j.Commune.Code, j.Boundary)
	}
	if d := j.Boundary.DistanceM; d < 29 || d > 31 {
		t.Errorf("boundary distance = %.2f m, want 30 ± 1", d)
	}
	far, err := ds.Locate(orb.Point{5.05, 45.05}, DefaultBoundaryM)
	if err != nil {
		t.Fatal(err)
	}
	if far.Boundary.Near || len(far.Boundary.Neighbours) != 0 {
		t.Errorf("centre of Alpha flagged near a boundary: %+v", far.Boundary)
	}
}

func TestCommuneLookup(t *testing.T) {
	ds := mustLoad(t, jurisdictionFixtures)
	for _, tc := range []struct{ code, want string }{
		{"38001", "38001"}, {"38099", "38002"}, {"75056", "75056"}, {"75101", "75101"}, {" 38002 ", "38002"},
	} {
		cm, err := ds.Commune(tc.code)
		if err != nil || cm.Code != tc.want {
			t.Errorf("Commune(%q) = %v, %v, want %s", tc.code, cm, err, tc.want)
		}
	}
	paris, _ := ds.Commune("75056")
	if paris.Competence.Zone != ZonePolice || len(paris.Competence.Units) != 2 || len(paris.Arrondissements) != 2 {
		t.Errorf("Paris competence %+v with %d arrondissements, want police with 2 units and 2 arrondissements", paris.Competence, len(paris.Arrondissements))
	}
	for _, code := range []string{"38X01", "1234", ""} {
		if _, err := ds.Commune(code); !errors.Is(err, ErrInvalid) {
			t.Errorf("Commune(%q) error = %v, want ErrInvalid", code, err)
		}
	}
	if _, err := ds.Commune("38555"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Commune(38555) error = %v, want ErrNotFound", err)
	}
	codes := func(cs []*Commune) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Code)
		}
		return out
	}
	for _, tc := range []struct {
		q    CommuneQuery
		want []string
	}{
		{CommuneQuery{Postcode: "38140"}, []string{"38002", "38004", "38007"}},
		{CommuneQuery{Postcode: "99999"}, nil},
		{CommuneQuery{Name: "BETA LES BAINS"}, []string{"38002"}},
		{CommuneQuery{Name: "bêta"}, []string{"38002"}},
		{CommuneQuery{Name: "epsilon"}, []string{"38007"}},
		{CommuneQuery{Name: "paris"}, []string{"75056", "75102", "75101"}},
		{CommuneQuery{Name: "  - "}, nil},
	} {
		if got := codes(ds.Communes(tc.q)); !equalStrings(got, tc.want) {
			t.Errorf("Communes(%+v) = %v, want %v", tc.q, got, tc.want)
		}
	}
}

func TestNearestCompetent(t *testing.T) {
	ds := mustLoad(t, jurisdictionFixtures)
	p := orb.Point{5.09, 45.05} // in Alpha, 12 km from Rives's unit in Delta
	all, _, err := ds.Nearest(NearestQuery{Point: p, Limit: 5}, nil)
	if err != nil || len(all) != 3 {
		t.Fatalf("Nearest = %d hits, %v; want 3", len(all), err)
	}
	hits, comp, err := ds.Nearest(NearestQuery{Point: p, Limit: 5, Competent: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].Station.ID != "gn-1004321" {
		t.Errorf("Nearest competent = %v, want only gn-1004321", hits)
	}
	// The competence found is the one CommuneAt gives, so that callers
	// need not locate the point again.
	if j, err := ds.CommuneAt(p); err != nil || comp == nil || !reflect.DeepEqual(*comp, j.Competence) {
		t.Errorf("Nearest competent gave competence %+v, CommuneAt %+v (%v)", comp, j.Competence, err)
	}
	if _, comp, _ := ds.Nearest(NearestQuery{Point: p, Limit: 5}, nil); comp != nil {
		t.Errorf("Nearest without Competent gave competence %+v", comp)
	}
	if _, _, err := ds.Nearest(NearestQuery{Point: orb.Point{-3, 47}, Limit: 5, Competent: true}, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("Nearest competent at sea: error %v, want ErrNotFound", err)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestCommuneAtAgreesWithLocate checks that the boundary-free lookup used
// for routing names the same commune, precision and units as Locate.
func TestCommuneAtAgreesWithLocate(t *testing.T) {
	ds := mustLoad(t, jurisdictionFixtures)
	rng := geotest.Rand(t)
	found := 0
	for range 2000 {
		p := orb.Point{4.9 + rng.Float64()*0.5, 44.9 + rng.Float64()*0.4}
		want, wantErr := ds.Locate(p, 0)
		got, err := ds.CommuneAt(p)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("at %v: CommuneAt error %v, Locate error %v", p, err, wantErr)
		}
		if err != nil {
			continue
		}
		found++
		if got.Commune != want.Commune || got.Precision != want.Precision || len(got.Competence.Units) != len(want.Competence.Units) || got.Boundary.DistanceM != 0 {
			t.Fatalf("at %v: CommuneAt = %+v, Locate = %+v", p, got, want)
		}
	}
	if found == 0 {
		t.Fatal("no random point fell in a fixture commune: the test proved nothing")
	}
}
