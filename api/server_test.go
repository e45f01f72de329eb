package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"guichet/data"
	"guichet/data/load"
)

// mustServer returns a server on the data fixtures.
func mustServer(tb testing.TB) *Server {
	tb.Helper()
	ds, err := load.Dir("../data/testdata/stations", load.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return New(DefaultConfig(), ds, nil)
}

func get(tb testing.TB, h http.Handler, target string, header ...string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func decodeProblem(tb testing.TB, rec *httptest.ResponseRecorder) problem {
	tb.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != problemContentType {
		tb.Fatalf("Content-Type = %q, want %q (body %s)", ct, problemContentType, rec.Body)
	}
	var p problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		tb.Fatalf("problem body %q: %v", rec.Body, err)
	}
	if p.Status != rec.Code || p.Title == "" || p.Type == "" {
		tb.Fatalf("problem %+v does not match status %d or lacks type/title", p, rec.Code)
	}
	return p
}

func TestBadInputs(t *testing.T) {
	h := mustServer(t).Handler()
	tests := []struct {
		name, target string
		status       int
		typ, param   string
	}{
		{"missing lat", "/v1/stations/nearest?lon=5.7", 400, typeInvalidParameter, "lat"},
		{"missing lon", "/v1/stations/nearest?lat=45.2", 400, typeInvalidParameter, "lon"},
		{"empty lat", "/v1/stations/nearest?lat=&lon=5.7", 400, typeInvalidParameter, "lat"},
		{"non-numeric lat", "/v1/stations/nearest?lat=abc&lon=5.7", 400, typeInvalidParameter, "lat"},
		{"NaN lat", "/v1/stations/nearest?lat=NaN&lon=5.7", 400, typeInvalidParameter, "lat"},
		{"Inf lon", "/v1/stations/nearest?lat=45&lon=Inf", 400, typeInvalidParameter, "lon"},
		{"-Inf lon", "/v1/stations/nearest?lat=45&lon=-Inf", 400, typeInvalidParameter, "lon"},
		{"hex lat", "/v1/stations/nearest?lat=0x1p4&lon=5", 400, typeInvalidParameter, ""},
		{"lat too big", "/v1/stations/nearest?lat=90.0001&lon=5.7", 400, typeInvalidParameter, "lat"},
		{"lat too small", "/v1/stations/nearest?lat=-91&lon=5.7", 400, typeInvalidParameter, "lat"},
		{"lon too big", "/v1/stations/nearest?lat=45&lon=180.5", 400, typeInvalidParameter, "lon"},
		{"lon too small", "/v1/stations/nearest?lat=45&lon=-1e9", 400, typeInvalidParameter, "lon"},
		{"repeated lat", "/v1/stations/nearest?lat=45&lat=46&lon=5", 400, typeInvalidParameter, "lat"},
		{"unknown force", "/v1/stations/nearest?lat=45&lon=5&force=army", 400, typeInvalidParameter, "force"},
		{"limit zero", "/v1/stations/nearest?lat=45&lon=5&limit=0", 400, typeInvalidParameter, "limit"},
		{"limit negative", "/v1/stations/nearest?lat=45&lon=5&limit=-3", 400, typeInvalidParameter, "limit"},
		{"limit too large", "/v1/stations/nearest?lat=45&lon=5&limit=101", 400, typeInvalidParameter, "limit"},
		{"limit not integer", "/v1/stations/nearest?lat=45&lon=5&limit=2.5", 400, typeInvalidParameter, "limit"},
		{"radius zero", "/v1/stations/nearest?lat=45&lon=5&radius=0", 400, typeInvalidParameter, "radius"},
		{"radius negative", "/v1/stations/nearest?lat=45&lon=5&radius=-1", 400, typeInvalidParameter, "radius"},
		{"radius NaN", "/v1/stations/nearest?lat=45&lon=5&radius=nan", 400, typeInvalidParameter, "radius"},
		{"bad format", "/v1/stations/nearest?lat=45&lon=5&format=xml", 400, typeInvalidParameter, "format"},
		{"unknown id", "/v1/stations/gn-42", 404, typeNotFound, ""},
		{"malformed id", "/v1/stations/%00", 404, typeNotFound, ""},
		{"list bad force", "/v1/stations?force=x", 400, typeInvalidParameter, "force"},
		{"list bad page", "/v1/stations?page=0", 400, typeInvalidParameter, "page"},
		{"list per_page too large", "/v1/stations?per_page=100000", 400, typeInvalidParameter, "per_page"},
		{"unknown route", "/v1/nothing", 404, typeNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, h, tt.target)
			if rec.Code != tt.status {
				t.Fatalf("GET %s = %d, want %d (body %s)", tt.target, rec.Code, tt.status, rec.Body)
			}
			p := decodeProblem(t, rec)
			if p.Type != tt.typ {
				t.Errorf("type = %q, want %q", p.Type, tt.typ)
			}
			if tt.param != "" {
				if len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != tt.param || !strings.Contains(p.Detail, tt.param) {
					t.Errorf("problem %+v does not name parameter %q", p, tt.param)
				}
			}
		})
	}
}

func TestMethodNotAllowed(t *testing.T) {
	h := mustServer(t).Handler()
	req := httptest.NewRequest(http.MethodDelete, "/v1/stations/nearest?lat=45&lon=5", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("DELETE = %d, want 405", rec.Code)
	}
	decodeProblem(t, rec)
}

// TestHead asks every kind of route with HEAD through a real net/http
// server, which drops the body: status and headers must be GET's.
func TestHead(t *testing.T) {
	srv := httptest.NewServer(mustServer(t).Handler())
	defer srv.Close()
	// Headers that differ between any two requests.
	volatile := map[string]bool{"Date": true, "X-Request-Id": true}
	for _, target := range []string{
		"/healthz", "/readyz", "/openapi.json", "/docs", "/metrics",
		"/v1/meta", "/v1/stations/nearest?lat=45.3&lon=5.6&at=2026-12-02T10:00:00Z",
		"/v1/stations/gn-1004321", "/v1/stations/gn-42", "/v1/stations/nearest?lat=x&lon=5",
		"/widget", "/widget.js", "/nowhere",
	} {
		// Both accept gzip, as browsers do; set by hand, it also stops the
		// client from decompressing, and from asking for gzip on GET only.
		do := func(method string) (*http.Response, []byte) {
			req, _ := http.NewRequest(method, srv.URL+target, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp, body
		}
		get, getBody := do(http.MethodGet)
		head, headBody := do(http.MethodHead)
		if head.StatusCode != get.StatusCode || len(headBody) != 0 {
			t.Errorf("HEAD %s: status %d with %d body bytes; GET gives %d", target, head.StatusCode, len(headBody), get.StatusCode)
		}
		if len(getBody) == 0 {
			t.Errorf("GET %s: empty body", target)
		}
		for k, v := range get.Header {
			if !volatile[k] && k != "Content-Length" && strings.Join(head.Header[k], ",") != strings.Join(v, ",") {
				t.Errorf("HEAD %s: %s = %q, GET gives %q", target, k, head.Header[k], v)
			}
		}
	}
}

func TestNearest(t *testing.T) {
	h := mustServer(t).Handler()
	rec := get(t, h, "/v1/stations/nearest?lat=45.30&lon=5.60&limit=3")
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var got nearestJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, s := range got.Stations {
		ids = append(ids, s.ID)
	}
	// Voiron (5.58963,45.36421) is 7.2 km away, Rives (5.50212,45.35261) 9.7 km,
	// then Bourg-en-Bresse police (105 km) before Ornex (117 km).
	want := []string{"gn-1004321", "gn-1004333", "pn-h30064d18"}
	if strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Fatalf("ids = %v, want %v", ids, want)
	}
	for i := 1; i < len(got.Stations); i++ {
		if *got.Stations[i].DistanceM < *got.Stations[i-1].DistanceM {
			t.Errorf("results not sorted by distance: %v", got.Stations)
		}
	}
	if d := *got.Stations[0].DistanceM; d < 7000 || d > 7400 {
		t.Errorf("distance to Voiron = %.1f m, want about 7.2 km", d)
	}

	rec = get(t, h, "/v1/stations/nearest?lat=45.30&lon=5.60&force=police&limit=1")
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || len(got.Stations) != 1 || got.Stations[0].Force != "police" {
		t.Errorf("force=police gave %s", rec.Body)
	}
	rec = get(t, h, "/v1/stations/nearest?lat=45.30&lon=5.60&radius=8000&limit=10")
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || len(got.Stations) != 1 {
		t.Errorf("radius=8000 gave %s, want only Voiron", rec.Body)
	}
}

func TestNearestGeoJSON(t *testing.T) {
	h := mustServer(t).Handler()
	rec := get(t, h, "/v1/stations/nearest?lat=-17.0&lon=178.0&limit=1&format=geojson")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/geo+json" {
		t.Fatalf("status %d, content type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var fc struct {
		Type     string
		Features []struct {
			Type     string
			Geometry struct {
				Type        string
				Coordinates []float64
			}
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 1 {
		t.Fatalf("body %s", rec.Body)
	}
	f := fc.Features[0]
	// From Fiji the nearest fixture station is Wallis, across the antimeridian.
	if f.Properties["id"] != "gn-1007001" || f.Geometry.Type != "Point" || f.Geometry.Coordinates[0] != -176.1745 {
		t.Errorf("feature %+v, want Wallis (gn-1007001) at lon -176.1745", f)
	}
}

func TestStationAndList(t *testing.T) {
	h := mustServer(t).Handler()
	rec := get(t, h, "/v1/stations/pn-68809")
	var st stationJSON
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &st) != nil || st.Name != "Commissariat de police de Nîmes" || st.Location.Lat != 43.826187 {
		t.Fatalf("GET station = %d %s", rec.Code, rec.Body)
	}
	rec = get(t, h, "/v1/stations?departement=38&per_page=1&page=2")
	var list stationListJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	if list.Total != 2 || len(list.Stations) != 1 || list.Stations[0].ID != "gn-1004333" {
		t.Errorf("list = %+v, want 2 stations in 38 and Rives on page 2", list)
	}
	rec = get(t, h, "/v1/stations?commune=voiron")
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || list.Total != 1 {
		t.Errorf("commune=voiron gave %s", rec.Body)
	}
}

func TestMetaAndHealth(t *testing.T) {
	s := New(DefaultConfig(), nil, nil)
	h := s.Handler()
	if rec := get(t, h, "/healthz"); rec.Code != 200 {
		t.Errorf("healthz = %d", rec.Code)
	}
	rec := get(t, h, "/readyz")
	if rec.Code != 503 || rec.Header().Get("Retry-After") == "" {
		t.Errorf("readyz before load = %d, want 503 with Retry-After", rec.Code)
	}
	decodeProblem(t, rec)
	if rec := get(t, h, "/v1/stations/nearest?lat=45&lon=5"); rec.Code != 503 {
		t.Errorf("nearest before load = %d, want 503", rec.Code)
	}
	const loading = "downloading gendarmerie-units (2 of 7), 1.0 MB of 4.0 MB"
	s.SetLoading(loading)
	if p := decodeProblem(t, get(t, h, "/readyz")); !strings.HasSuffix(p.Detail, ": "+loading) {
		t.Errorf("readyz while loading says %q, want it to end with %q", p.Detail, loading)
	}
	s.SetDataset(mustServer(t).Dataset())
	if rec := get(t, h, "/readyz"); rec.Code != 200 {
		t.Errorf("readyz after load = %d", rec.Code)
	}
	rec = get(t, h, "/v1/meta")
	var m metaJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m.Counts["stations"] != 12 || m.Report.Kept != 12 || m.Report.RejectedByReason[data.ReasonZeroCoordinates] != 1 || len(m.Report.Skipped) != 2 {
		t.Errorf("meta = %+v", m)
	}
}

// TestIndex: the server's root points to the documentation rather than
// answering a bare 404.
func TestIndex(t *testing.T) {
	rec := get(t, New(DefaultConfig(), nil, nil).Handler(), "/")
	var links map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &links); rec.Code != 200 || err != nil {
		t.Fatalf("GET / = %d %s (%v)", rec.Code, rec.Body, err)
	}
	if links["docs"] != "/docs" || links["openapi"] != "/openapi.json" {
		t.Errorf("GET / = %v, want links to /docs and /openapi.json", links)
	}
}

func TestCORS(t *testing.T) {
	ds := mustServer(t).Dataset()
	cfg := DefaultConfig()
	cfg.CORSOrigins = []string{"https://mairie.example"}
	s := New(cfg, ds, nil)
	rec := get(t, s.Handler(), "/v1/stations/gn-1004321", "Origin", "https://mairie.example")
	if rec.Header().Get("Access-Control-Allow-Origin") != "https://mairie.example" {
		t.Errorf("allowed origin got %q", rec.Header().Get("Access-Control-Allow-Origin"))
	}
	rec = get(t, s.Handler(), "/v1/stations/gn-1004321", "Origin", "https://evil.example")
	if rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin got %q", rec.Header().Get("Access-Control-Allow-Origin"))
	}
	// With a list of origins, every answer varies on Origin, including the
	// one to a request without it, which a cache may store and reuse.
	for _, origin := range []string{"https://mairie.example", "https://evil.example", ""} {
		var rec *httptest.ResponseRecorder
		if origin == "" {
			rec = get(t, s.Handler(), "/v1/stations/gn-1004321")
		} else {
			rec = get(t, s.Handler(), "/v1/stations/gn-1004321", "Origin", origin)
		}
		// One line: each costs every client a header to parse.
		if vary := rec.Header().Values("Vary"); len(vary) != 1 || !slices.Contains(varyFields(rec.Header()), "Origin") || !slices.Contains(varyFields(rec.Header()), "Accept-Encoding") {
			t.Errorf("Origin %q: Vary = %q, want Origin and Accept-Encoding on one line", origin, vary)
		}
	}
	// Any origin gets "*", the same answer for all: Vary: Origin would only
	// split caches.
	cfg.CORSOrigins = nil
	open := New(cfg, ds, nil)
	rec = get(t, open.Handler(), "/v1/stations/gn-1004321", "Origin", "https://mairie.example")
	if rec.Header().Get("Access-Control-Allow-Origin") != "*" || slices.Contains(varyFields(rec.Header()), "Origin") {
		t.Errorf("open CORS: Allow-Origin %q, Vary %q", rec.Header().Get("Access-Control-Allow-Origin"), rec.Header().Values("Vary"))
	}
}

func FuzzNearestQuery(f *testing.F) {
	for _, s := range []string{"lat=45.19&lon=5.72", "lat=45&lon=5&limit=5&force=police&radius=1000", "lat=NaN&lon=1", "lat=1e400&lon=0", "lat=-13.28&lon=-176.17&limit=100", "lat=%zz"} {
		f.Add(s)
	}
	h := mustServer(f).Handler()
	f.Fuzz(func(t *testing.T, raw string) {
		req := httptest.NewRequest(http.MethodGet, "/v1/stations/nearest", nil)
		req.URL.RawQuery = raw
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch {
		case rec.Code == 200:
			var got nearestJSON
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.Stations == nil {
				t.Fatalf("200 with body %q", rec.Body)
			}
		case rec.Code == 400:
			decodeProblem(t, rec)
		default:
			t.Fatalf("query %q: status %d, want 200 or 400", raw, rec.Code)
		}
	})
}

// TestCORSPreflight checks that a browser app sending a non-simple header
// can call the API: the preflight gets 204 with the methods, headers and
// lifetime, and a 429 still carries the CORS headers, so that the browser
// shows it, Retry-After included, rather than a network error.
func TestCORSPreflight(t *testing.T) {
	ds := mustServer(t).Dataset()
	cfg := DefaultConfig()
	cfg.CORSOrigins = []string{"https://mairie.example"}
	cfg.RateLimit, cfg.RateBurst = 1, 1
	h := New(cfg, ds, nil).Handler()
	preflight := func(origin string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodOptions, "/v1/stations/nearest?lat=45&lon=5", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "GET")
		req.Header.Set("Access-Control-Request-Headers", "x-request-id, if-none-match")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for range 3 { // preflights are not rate limited
		rec := preflight("https://mairie.example")
		hd := rec.Header()
		if rec.Code != http.StatusNoContent || hd.Get("Access-Control-Allow-Origin") != "https://mairie.example" ||
			!strings.Contains(hd.Get("Access-Control-Allow-Methods"), "GET") ||
			!strings.Contains(strings.ToLower(hd.Get("Access-Control-Allow-Headers")), "x-request-id") ||
			!strings.Contains(strings.ToLower(hd.Get("Access-Control-Allow-Headers")), "if-none-match") ||
			hd.Get("Access-Control-Max-Age") == "" {
			t.Fatalf("preflight = %d %v, want 204 with the CORS headers", rec.Code, hd)
		}
	}
	if rec := preflight("https://evil.example"); rec.Header().Get("Access-Control-Allow-Origin") != "" || rec.Header().Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("preflight from another origin got CORS headers: %v", rec.Header())
	}
	var last *httptest.ResponseRecorder
	for range 3 {
		last = get(t, h, "/v1/stations/gn-1004321", "Origin", "https://mairie.example")
	}
	if last.Code != http.StatusTooManyRequests || last.Header().Get("Retry-After") == "" ||
		last.Header().Get("Access-Control-Allow-Origin") != "https://mairie.example" ||
		!strings.Contains(last.Header().Get("Access-Control-Expose-Headers"), "Retry-After") {
		t.Errorf("429 = %d %v, want the CORS headers and Retry-After exposed", last.Code, last.Header())
	}
}
