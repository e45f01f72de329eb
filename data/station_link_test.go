package data

import (
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

const policeTerritoryFixtures = "testdata/police-territory"

// unitOf returns the unit serviceID of comp, failing when absent.
func unitOf(tb testing.TB, comp Competence, serviceID string) *CompetentUnit {
	tb.Helper()
	for i := range comp.Units {
		if comp.Units[i].ServiceID == serviceID {
			return &comp.Units[i]
		}
	}
	tb.Fatalf("units %+v lack service %s", comp.Units, serviceID)
	return nil
}

func stationIDs(hits []StationHit) []string {
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.Station.ID)
	}
	return ids
}

func TestServiceWithSeveralCommissariats(t *testing.T) {
	ds := mustLoad(t, policeTerritoryFixtures)
	nantes := stationNamed(t, ds, "Commissariat de police de Nantes").ID
	sud := stationNamed(t, ds, "Commissariat de police de Nantes - Secteur Sud").ID
	herblain := stationNamed(t, ds, "Bureau de police de Saint-Herblain").ID

	// A point in Rezé, whose commissariat is the southern sector office.
	reze := orb.Point{-1.56, 47.16}
	j, err := ds.Locate(reze, DefaultBoundaryM)
	if err != nil {
		t.Fatal(err)
	}
	if j.Commune.Code != "44143" || j.Competence.Zone != ZonePolice {
		t.Fatalf("Locate(Rezé) = %s %v, want 44143 in police zone", j.Commune.Code, j.Competence.Zone)
	}
	u := unitOf(t, j.Competence, "63317")
	if got, want := stationIDs(u.StationsNear(reze, nil)), []string{sud, nantes, herblain}; !slices.Equal(got, want) {
		t.Errorf("stations of 63317 from Rezé = %v, want %v (nearest first)", got, want)
	}
	if u.Station == nil || u.Station.ID != nantes {
		t.Errorf("main station = %v, want %s: the others' names extend its name", u.Station, nantes)
	}
	if len(j.Competence.StationlessForces()) != 0 {
		t.Errorf("StationlessForces = %v in a served police zone", j.Competence.StationlessForces())
	}

	// nearest?competent=true lists the three, nearest first, and never the
	// gendarmerie brigade, competent elsewhere.
	hits, _, err := ds.Nearest(NearestQuery{Point: reze, Limit: 10, Competent: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stationIDs(hits), []string{sud, nantes, herblain}; !slices.Equal(got, want) {
		t.Errorf("competent nearest from Rezé = %v, want %v", got, want)
	}

	// The same link from the commune alone.
	cm, err := ds.Commune("44162")
	if err != nil {
		t.Fatal(err)
	}
	if got := unitOf(t, cm.Competence, "63317").Stations; len(got) != 3 || got[0].ID != nantes {
		t.Errorf("Commune(44162) stations = %v, want the three of 63317, main first", got)
	}
}

func TestCommissariatOutsideItsServiceTerritory(t *testing.T) {
	ds := mustLoad(t, policeTerritoryFixtures)
	var warned []Rejection
	for _, w := range ds.Report().Warnings() {
		if w.Reason == ReasonOutsideServiceTerritory {
			warned = append(warned, w)
		}
	}
	if len(warned) != 1 || warned[0].File != "police-referential.csv" || warned[0].Line != 2 ||
		!strings.Contains(warned[0].Detail, "63400") || !strings.Contains(warned[0].Detail, "63317") {
		t.Fatalf("warnings %v, want police-referential.csv:2 naming its code 63400 and the territory's service 63317", warned)
	}
	if _, err := ds.Station("pn-63400"); err != nil {
		t.Errorf("the misplaced station must stay listed: %v", err)
	}
	// Linked neither to its code's service nor to the one of its position.
	saintNazaire, err := ds.Commune("44184")
	if err != nil {
		t.Fatal(err)
	}
	if u := unitOf(t, saintNazaire.Competence, "63400"); len(u.Stations) != 0 || u.Station != nil {
		t.Errorf("63400 has stations %v, want none: its only coded station lies elsewhere", u.Stations)
	}
	nantes, err := ds.Commune("44109")
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range unitOf(t, nantes.Competence, "63317").Stations {
		if st.ID == "pn-63400" {
			t.Errorf("pn-63400 linked to 63317 although its code names 63400")
		}
	}
}

func TestPoliceZoneWithoutCommissariat(t *testing.T) {
	ds := mustLoad(t, policeTerritoryFixtures)
	for _, p := range []orb.Point{{-1.45, 47.17}, {-2.25, 47.27}} { // Saint-Sébastien, Saint-Nazaire
		j, err := ds.CommuneAt(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := j.Competence.StationlessForces(); !slices.Equal(got, []Force{Police}) {
			t.Errorf("%s: StationlessForces = %v, want [police]", j.Commune.Code, got)
		}
		hits, _, err := ds.Nearest(NearestQuery{Point: p, Limit: 5, Competent: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 0 {
			t.Errorf("%s: competent nearest = %v, want none rather than the other force's stations", j.Commune.Code, stationIDs(hits))
		}
		all, _, _ := ds.Nearest(NearestQuery{Point: p, Limit: 10, Force: Gendarmerie}, nil)
		if len(all) == 0 {
			t.Fatalf("%s: the fixture must hold a gendarmerie brigade for this test to mean anything", j.Commune.Code)
		}
	}
}

func TestParisArrondissementCommissariats(t *testing.T) {
	ds := mustLoad(t, policeTerritoryFixtures)
	centre := stationNamed(t, ds, "Commissariat central du Centre").ID
	fifth := stationNamed(t, ds, "Commissariat central du 5e arrondissement").ID
	boulogne := stationNamed(t, ds, "Commissariat de police de Boulogne-Billancourt").ID
	tests := []struct {
		code, service, station string
	}{
		// The station's position and commune code (75056) name the city;
		// its postcode 75003 gives the arrondissement, in 78686's territory.
		{"75102", "78686", centre},
		{"75101", "78686", centre},
		{"75105", "54863", fifth}, // commune code 75105 given
		{"92012", "54600", boulogne},
	}
	for _, tc := range tests {
		cm, err := ds.Commune(tc.code)
		if err != nil {
			t.Fatal(err)
		}
		u := unitOf(t, cm.Competence, tc.service)
		if len(u.Stations) != 1 || u.Stations[0].ID != tc.station {
			t.Errorf("%s: stations of %s = %v, want [%s]", tc.code, tc.service, u.Stations, tc.station)
		}
	}
	// A point in the 2e arrondissement gets the central commissariat.
	p := orb.Point{2.40, 48.88}
	j, err := ds.CommuneAt(p)
	if err != nil {
		t.Fatal(err)
	}
	hits, _, err := ds.Nearest(NearestQuery{Point: p, Limit: 5, Competent: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if j.Commune.Code != "75102" || !slices.Equal(stationIDs(hits), []string{centre}) {
		t.Errorf("point in the 2e: commune %s, competent %v; want 75102 and %s", j.Commune.Code, stationIDs(hits), centre)
	}
	// Paris as a whole answers with every arrondissement's services.
	paris, err := ds.Commune("75056")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(paris.Competence.Units); n != 2 || len(paris.Competence.StationlessForces()) != 0 {
		t.Errorf("Paris: %d units, stationless %v; want 78686 and 54863, both served", n, paris.Competence.StationlessForces())
	}
}

func TestMainByName(t *testing.T) {
	st := func(name string) *Station { return &Station{ID: name, Name: name} }
	root, east, west := st("Commissariat de police de Nîmes"), st("Commissariat de police de Nîmes - Secteur Est"), st("Commissariat de police de Nimes - Secteur Ouest")
	central, bureau := st("Commissariat central de Lille"), st("Bureau de police de Lille Sud")
	tests := []struct {
		name string
		sts  []*Station
		want *Station
	}{
		{"root of the sector offices, accents ignored", []*Station{east, root, west}, root},
		{"single station: the source says nothing", []*Station{root}, nil},
		{"sectors only", []*Station{east, west}, nil},
		{"commissariat central", []*Station{bureau, central}, central},
		{"two centrals", []*Station{central, st("Commissariat central de Roubaix")}, nil},
	}
	for _, tc := range tests {
		if got := mainByName(tc.sts); got != tc.want {
			t.Errorf("%s: mainByName = %v, want %v", tc.name, got, tc.want)
		}
	}
}
