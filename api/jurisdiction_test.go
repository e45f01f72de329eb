package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"guichet/data/load"
)

// mustJurisdictionServer returns a server on the commune and jurisdiction
// fixtures of package data.
func mustJurisdictionServer(tb testing.TB) http.Handler {
	tb.Helper()
	ds, err := load.Dir("../data/testdata/jurisdiction", load.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return New(DefaultConfig(), ds, nil).Handler()
}

func TestJurisdictionBadInputs(t *testing.T) {
	h := mustJurisdictionServer(t)
	tests := []struct {
		name, target string
		status       int
		typ, param   string
	}{
		{"missing lat", "/v1/jurisdiction?lon=5.05", 400, typeInvalidParameter, "lat"},
		{"missing lon", "/v1/jurisdiction?lat=45.05", 400, typeInvalidParameter, "lon"},
		{"NaN lat", "/v1/jurisdiction?lat=NaN&lon=5.05", 400, typeInvalidParameter, "lat"},
		{"lat out of range", "/v1/jurisdiction?lat=95&lon=5.05", 400, typeInvalidParameter, "lat"},
		{"lon not a number", "/v1/jurisdiction?lat=45&lon=5,05", 400, typeInvalidParameter, "lon"},
		{"negative margin", "/v1/jurisdiction?lat=45.05&lon=5.05&boundary_m=-1", 400, typeInvalidParameter, "boundary_m"},
		{"margin too large", "/v1/jurisdiction?lat=45.05&lon=5.05&boundary_m=1e9", 400, typeInvalidParameter, "boundary_m"},
		{"at sea", "/v1/jurisdiction?lat=47&lon=-3", 404, typeNotFound, ""},
		{"abroad", "/v1/jurisdiction?lat=52.52&lon=13.40", 404, typeNotFound, ""},
		{"malformed code", "/v1/communes/38X01", 400, typeInvalidParameter, ""},
		{"short code", "/v1/communes/123", 400, typeInvalidParameter, ""},
		{"unknown code", "/v1/communes/38555", 404, typeNotFound, ""},
		{"no filter", "/v1/communes", 400, typeInvalidParameter, "postcode"},
		{"both filters", "/v1/communes?postcode=38140&q=delta", 400, typeInvalidParameter, "q"},
		{"bad postcode", "/v1/communes?postcode=3814", 400, typeInvalidParameter, "postcode"},
		{"letters in postcode", "/v1/communes?postcode=38l40", 400, typeInvalidParameter, "postcode"},
		{"punctuation only", "/v1/communes?q=--", 400, typeInvalidParameter, "q"},
		{"repeated q", "/v1/communes?q=a&q=b", 400, typeInvalidParameter, "q"},
		{"limit zero", "/v1/communes?q=paris&limit=0", 400, typeInvalidParameter, "limit"},
		{"limit too large", "/v1/communes?q=paris&limit=101", 400, typeInvalidParameter, "limit"},
		{"bad competent", "/v1/stations/nearest?lat=45.05&lon=5.05&competent=yes", 400, typeInvalidParameter, "competent"},
		{"competent at sea", "/v1/stations/nearest?lat=47&lon=-3&competent=true", 404, typeNotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, h, tc.target)
			if rec.Code != tc.status {
				t.Fatalf("GET %s = %d, want %d (body %s)", tc.target, rec.Code, tc.status, rec.Body)
			}
			p := decodeProblem(t, rec)
			if p.Type != tc.typ {
				t.Errorf("type = %q, want %q", p.Type, tc.typ)
			}
			if tc.param != "" && (len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != tc.param) {
				t.Errorf("invalid_params = %+v, want %s", p.InvalidParams, tc.param)
			}
		})
	}
}

func TestJurisdictionResponse(t *testing.T) {
	h := mustJurisdictionServer(t)
	var got jurisdictionJSON
	getJSON(t, h, "/v1/jurisdiction?lat=45.05&lon=5.1", &got)
	if got.Commune.Code != "38002" || got.Force != "mixed" || got.Precision != "commune" {
		t.Errorf("on the Alpha/Bêta edge: %+v, want 38002 mixed commune", got)
	}
	if !got.Boundary.Near || len(got.Boundary.Neighbours) == 0 || got.Boundary.Neighbours[0].Code != "38001" {
		t.Errorf("boundary = %+v, want near with neighbour 38001", got.Boundary)
	}
	if len(got.Competent) != 2 || got.Competent[0].Station != nil || decodeStation(t, got.Competent[1].Station).ID != "gn-1004333" {
		t.Errorf("competent = %+v, want police 60050 without station, then gn-1004333", got.Competent)
	}

	getJSON(t, h, "/v1/jurisdiction?lat=48.85&lon=2.28", &got)
	if got.Commune.Code != "75101" || got.Commune.City != "75056" || got.Precision != "arrondissement-approximate" || got.Force != "police" {
		t.Errorf("in Paris: %+v, want 75101 arrondissement-approximate police", got)
	}

	var cm communeFactsJSON
	getJSON(t, h, "/v1/communes/38099", &cm)
	if cm.Commune.Code != "38002" || cm.Force != "mixed" || len(cm.Commune.Postcodes) != 2 {
		t.Errorf("old code 38099: %+v, want current commune 38002", cm)
	}
	getJSON(t, h, "/v1/communes/75056", &cm)
	if len(cm.Arrondissements) != 2 || cm.Force != "police" {
		t.Errorf("Paris: %+v, want 2 arrondissements, police", cm)
	}

	var list communeListJSON
	getJSON(t, h, "/v1/communes?postcode=38140", &list)
	if list.Total != 3 || len(list.Communes) != 3 {
		t.Errorf("postcode 38140: %+v, want 3 communes", list)
	}
	getJSON(t, h, "/v1/communes?q=B%C3%8ATA-les-bains", &list)
	if list.Total != 1 || list.Communes[0].Commune.Code != "38002" {
		t.Errorf("q=BÊTA-les-bains: %+v, want 38002", list)
	}
	getJSON(t, h, "/v1/communes?q=paris&limit=1", &list)
	if list.Total != 3 || len(list.Communes) != 1 || list.Communes[0].Commune.Code != "75056" {
		t.Errorf("q=paris&limit=1: %+v, want Paris first of 3", list)
	}
	getJSON(t, h, "/v1/communes?q=nowhere", &list)
	if list.Total != 0 || list.Communes == nil {
		t.Errorf("q=nowhere: %+v, want an empty list", list)
	}

	var near nearestJSON
	getJSON(t, h, "/v1/stations/nearest?lat=45.05&lon=5.09&competent=true", &near)
	if len(near.Stations) != 1 || near.Stations[0].ID != "gn-1004321" {
		t.Errorf("competent nearest = %+v, want only gn-1004321", near.Stations)
	}

	if len(near.Competent) != 1 || !reflect.DeepEqual(near.Competent[0], competentRefJSON{ServiceID: "3002739", Force: "gendarmerie", StationID: "gn-1004321", StationIDs: []string{"gn-1004321"}, MainStationID: "gn-1004321"}) {
		t.Errorf("competent nearest names %+v, want the unit gn-1004321", near.Competent)
	}
	// A police commune whose service has no published station: no station
	// to list, but the competent service is named rather than left out.
	near = nearestJSON{}
	getJSON(t, h, "/v1/stations/nearest?lat=45.15&lon=5.25&competent=true", &near)
	if len(near.Stations) != 0 || len(near.Competent) != 1 || !reflect.DeepEqual(near.Competent[0], competentRefJSON{ServiceID: "60050", Force: "police", StationIDs: []string{}}) {
		t.Errorf("competent nearest in a police commune = %+v, want no station and service 60050 named", near)
	}
	if len(near.NoStation) != 1 || near.NoStation[0].Force != "police" || len(near.NoStation[0].Alternatives) != 2 {
		t.Errorf("competent nearest in a police commune says %+v, want an explicit no_station for the police with its alternatives", near.NoStation)
	}

	var meta metaJSON
	getJSON(t, h, "/v1/meta", &meta)
	if meta.Counts["communes"] != 7 {
		t.Errorf("meta counts = %v, want 7 communes", meta.Counts)
	}
}

func getJSON(tb testing.TB, h http.Handler, target string, v any) {
	tb.Helper()
	rec := get(tb, h, target)
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET %s = %d: %s", target, rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		tb.Fatalf("GET %s: %v", target, err)
	}
}
