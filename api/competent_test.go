package api

import (
	"net/http"
	"testing"

	"guichet/data"
	"guichet/data/load"
)

// mustPoliceTerritoryServer returns a server on the police territory
// fixtures of package data: a service with several commissariats, one
// with none, a commissariat outside its service's territory and Paris.
func mustPoliceTerritoryServer(tb testing.TB) http.Handler {
	tb.Helper()
	ds, err := load.Dir("../data/testdata/police-territory", load.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return New(DefaultConfig(), ds, nil).Handler()
}

func stationNames(sts []stationJSON) []string {
	var out []string
	for _, st := range sts {
		out = append(out, st.Name)
	}
	return out
}

func TestCompetentStationsNearestFirst(t *testing.T) {
	h := mustPoliceTerritoryServer(t)
	var j jurisdictionJSON
	getJSON(t, h, "/v1/jurisdiction?lat=47.16&lon=-1.56", &j) // Rezé
	if len(j.Competent) != 1 || j.NoStation != nil {
		t.Fatalf("Rezé: competent %+v, no_station %+v; want service 63317 and no no_station", j.Competent, j.NoStation)
	}
	u := j.Competent[0]
	stations := decodeStations(t, u.Stations)
	want := []string{"Commissariat de police de Nantes - Secteur Sud", "Commissariat de police de Nantes", "Bureau de police de Saint-Herblain"}
	got := stationNames(stations)
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("stations = %v, want %v", got, want)
	}
	if u.Station == nil || decodeStation(t, u.Station).Name != want[0] || u.MainStationID != stations[1].ID {
		t.Errorf("station %s, main %q; want the nearest as station and %s as main", u.Station, u.MainStationID, stations[1].ID)
	}
	for i := 1; i < len(stations); i++ {
		if stations[i].DistanceM == nil || *stations[i].DistanceM < *stations[i-1].DistanceM {
			t.Errorf("stations not ordered by distance_m: %+v", stations)
		}
	}

	var near nearestJSON
	getJSON(t, h, "/v1/stations/nearest?lat=47.16&lon=-1.56&competent=true&limit=10", &near)
	if got := stationNames(near.Stations); len(got) != 3 || got[0] != want[0] || len(near.Competent) != 1 || len(near.Competent[0].StationIDs) != 3 || near.Competent[0].StationID != near.Stations[0].ID {
		t.Errorf("competent nearest = %v, refs %+v; want the three stations of 63317, nearest first", got, near.Competent)
	}
}

func TestNoStationAnswer(t *testing.T) {
	h := mustPoliceTerritoryServer(t)
	check := func(what string, none []noStationJSON) {
		t.Helper()
		if len(none) != 1 || none[0].Force != "police" || none[0].Message == "" || len(none[0].Alternatives) != 2 {
			t.Fatalf("%s: no_station = %+v, want one for the police", what, none)
		}
		call, online := none[0].Alternatives[0], none[0].Alternatives[1]
		if call.Kind != "emergency_call" || call.Phone != "17" || online.Kind != "online_pre_complaint" || online.URL != preComplaintURL {
			t.Errorf("%s: alternatives %+v, want 17 and the online pre-complaint", what, none[0].Alternatives)
		}
	}
	var cm communeFactsJSON
	getJSON(t, h, "/v1/communes/44190", &cm) // Saint-Sébastien-sur-Loire, service 63500
	check("commune", cm.NoStation)
	if len(cm.Competent) != 1 || cm.Competent[0].Station != nil || cm.Competent[0].Stations == nil || len(cm.Competent[0].Stations) != 0 {
		t.Errorf("commune: competent %+v, want 63500 with an empty station list", cm.Competent)
	}
	var j jurisdictionJSON
	getJSON(t, h, "/v1/jurisdiction?lat=47.27&lon=-2.25", &j) // Saint-Nazaire, whose coded station lies in Nantes
	check("jurisdiction", j.NoStation)
	for _, format := range []string{"", "&format=json"} {
		var near nearestJSON
		getJSON(t, h, "/v1/stations/nearest?lat=47.17&lon=-1.45&competent=true"+format, &near)
		check("nearest", near.NoStation)
		if len(near.Stations) != 0 {
			t.Errorf("nearest: %v, want no station rather than the gendarmerie's", stationNames(near.Stations))
		}
	}
}

func TestParisArrondissementCommune(t *testing.T) {
	h := mustPoliceTerritoryServer(t)
	var cm communeFactsJSON
	getJSON(t, h, "/v1/communes/75102", &cm)
	if len(cm.Competent) != 1 || cm.Competent[0].ServiceID != "78686" || len(cm.Competent[0].Stations) != 1 ||
		decodeStation(t, cm.Competent[0].Stations[0]).Name != "Commissariat central du Centre" || cm.NoStation != nil {
		t.Errorf("75102: %+v, want service 78686 and its commissariat central", cm)
	}
}

func TestMetaReportsStationOutsideItsTerritory(t *testing.T) {
	h := mustPoliceTerritoryServer(t)
	var meta metaJSON
	getJSON(t, h, "/v1/meta", &meta)
	found := false
	for _, f := range meta.Report.Files {
		for _, w := range f.Warnings {
			if f.File == "police-referential.csv" && w.Line == 2 && w.Reason == data.ReasonOutsideServiceTerritory {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("meta report %+v lacks the warning for police-referential.csv:2", meta.Report.Files)
	}
}
