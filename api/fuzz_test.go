package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fuzzRoutes are the GET routes whose query strings (and path parameters)
// FuzzQuery feeds with arbitrary input.
var fuzzRoutes = []string{
	"/v1/stations/nearest",
	"/v1/stations",
	"/v1/stations/gn-1004333",
	"/v1/stations/gn-1004333/hours",
	"/v1/jurisdiction",
	"/v1/communes",
	"/v1/communes/38563",
	"/v1/geocode",
	"/v1/reverse",
	"/v1/meta",
	"/widget",
	"/v1/stations/bundle",
}

// FuzzQuery sends arbitrary query strings, and arbitrary path segments,
// to every GET route: every query decoder must answer 2xx, 304 or a 4xx
// problem, never a 5xx or a panic.
func FuzzQuery(f *testing.F) {
	seeds := []struct {
		route uint8
		query string
	}{
		{0, "lat=45.36&lon=5.59&limit=5&force=gendarmerie&radius=20000&open=now"},
		{0, "lat=45.36&lon=5.59&open=2026-12-02T21:00:00%2B01:00&competent=true&format=geojson"},
		{1, "departement=38&commune=voiron&page=2&per_page=1&force=police"},
		{2, "at=2026-11-11T10:00:00Z"},
		{3, "from=2026-12-01T00:00:00Z&to=2026-12-31T00:00:00Z"},
		{4, "lat=45.1&lon=5.2&boundary_m=500"},
		{5, "q=voiron&limit=3"},
		{5, "postcode=38500"},
		{6, ""},
		{7, "q=2+rue+danton+38500+voiron&limit=2&type=housenumber&autocomplete=0"},
		{7, "q=voir&autocomplete=1&type=municipality&lat=45&lon=5"},
		{8, "lat=45.36&lon=5.59&limit=1"},
		{9, ""},
		{10, "force=police&limit=3&lang=en&theme=dark&open=true&lat=45&lon=5&at=2026-12-02T10:00:00Z"},
		{0, "lat=NaN&lon=Inf&limit=-1"},
		{7, "q=%ff%fe&postcode=%00"},
		{0, "lat=45.36&lon=5.59&fields=hours.week,email"},
		{0, "lat=45.36&lon=5.59&fields=*&format=geojson"},
		{1, "fields=id,hours.status.state,address"},
		{2, "fields=name,,hours.&fields=x"},
		{4, "lat=45.1&lon=5.2&fields=hours.today"},
	}
	for _, s := range seeds {
		f.Add(s.route, s.query, "")
	}
	f.Add(uint8(2), "", "pn-1/../x")
	h := mustJurisdictionServer(f)
	f.Fuzz(func(t *testing.T, route uint8, query, segment string) {
		path := fuzzRoutes[int(route)%len(fuzzRoutes)]
		if segment != "" && strings.Count(path, "/") >= 3 {
			// Replace the last path segment: ids and codes are decoded too.
			path = path[:strings.LastIndex(path, "/")+1] + segment
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.Path = path
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch {
		case rec.Code == http.StatusOK && strings.Contains(rec.Header().Get("Content-Type"), "json") && rec.Header().Get("Content-Encoding") == "":
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("GET %s?%s = 200 with invalid JSON %q", path, query, rec.Body)
			}
		case rec.Code >= 500:
			t.Fatalf("GET %s?%s = %d: %s", path, query, rec.Code, rec.Body)
		case rec.Code >= 400 && rec.Code != http.StatusMovedPermanently:
			if ct := rec.Header().Get("Content-Type"); ct != problemContentType {
				t.Fatalf("GET %s?%s = %d with Content-Type %q, want a problem", path, query, rec.Code, ct)
			}
			var p problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code || p.Type == "" {
				t.Fatalf("GET %s?%s = %d with body %q", path, query, rec.Code, rec.Body)
			}
		}
	})
}
