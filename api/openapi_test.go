package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"guichet/api/widget"
	"guichet/data"
	"guichet/data/load"
)

// The contract tests load api/openapi.json with kin-openapi, which
// supports OpenAPI 3.1: its schemas are validated as JSON Schema 2020-12
// (type arrays with "null", const, examples), by the santhosh-tekuri
// validator that openapi3filter switches on for 3.1 documents. Routing
// uses the legacy router, which needs no module beyond kin-openapi.

var registerDecoders sync.Once

// mustOpenAPI loads and validates the embedded document, examples
// included, and returns it with a router over its operations.
func mustOpenAPI(tb testing.TB) (*openapi3.T, routers.Router) {
	tb.Helper()
	registerDecoders.Do(func() {
		// Bodies that are text, not JSON: the document gives them a
		// string schema, and the decoder hands the text to it.
		for _, ct := range []string{"text/html", "text/javascript", "application/javascript", "text/css"} {
			openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
		}
	})
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openAPIDocument)
	if err != nil {
		tb.Fatalf("load openapi.json: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		tb.Fatalf("openapi.json is version %q, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(loader.Context, openapi3.EnableExamplesValidation()); err != nil {
		tb.Fatalf("openapi.json is invalid: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		tb.Fatalf("router over openapi.json: %v", err)
	}
	return doc, router
}

// contractServer is a server with every optional route switched on; each
// option may change its configuration further.
func contractServer(tb testing.TB, ds *data.Dataset, options ...func(*Config)) *Server {
	tb.Helper()
	cfg := DefaultConfig()
	cfg.AdminToken = "s3cret"
	cfg.Now = func() time.Time { return time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC) }
	cfg.Loader = func(context.Context) (*data.Dataset, error) {
		return load.Dir("../data/testdata/stations", load.Options{})
	}
	for _, o := range options {
		o(&cfg)
	}
	return New(cfg, ds, nil)
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// openAPIPath turns a Gin route path into its OpenAPI template:
// /v1/stations/:id becomes /v1/stations/{id}.
func openAPIPath(ginPath string) string { return ginParam.ReplaceAllString(ginPath, "{$1}") }

// registeredOperations lists "METHOD /path/{param}" for every Gin route.
func registeredOperations(s *Server) []string {
	var ops []string
	for _, r := range s.engine.Routes() {
		ops = append(ops, r.Method+" "+openAPIPath(r.Path))
	}
	slices.Sort(ops)
	return slices.Compact(ops)
}

// documentedOperations lists "METHOD /path/{param}" for every operation of
// the document.
func documentedOperations(doc *openapi3.T) []string {
	var ops []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			ops = append(ops, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(ops)
	return ops
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc, _ := mustOpenAPI(t)
	ds, err := load.Dir("../data/testdata/stations", load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	registered := registeredOperations(contractServer(t, ds))
	documented := documentedOperations(doc)
	for _, op := range registered {
		if path, ok := strings.CutPrefix(op, "HEAD "); ok {
			// HEAD mirrors GET on every route, which the description states
			// once rather than on every path.
			op = "GET " + path
		}
		if !slices.Contains(documented, op) {
			t.Errorf("route %s is served but openapi.json does not describe it", op)
		}
	}
	if !strings.Contains(doc.Info.Description, "HEAD") {
		t.Error("openapi.json does not say that every GET also answers HEAD")
	}
	for _, op := range documented {
		if !slices.Contains(registered, op) {
			t.Errorf("openapi.json describes %s, which no route serves", op)
		}
	}
}

// contractCase is one request whose response must match the document.
type contractCase struct {
	name   string
	method string
	target string
	header map[string]string
	body   string
	status int
	// server picks a server other than the loaded one: "empty" has no
	// dataset yet.
	server string
}

func contractCases() []contractCase {
	get := func(name, target string, status int) contractCase {
		return contractCase{name: name, method: http.MethodGet, target: target, status: status}
	}
	return []contractCase{
		get("index", "/", 200),
		get("healthz", "/healthz", 200),
		get("readyz", "/readyz", 200),
		{name: "readyz before data", method: "GET", target: "/readyz", status: 503, server: "empty"},
		get("meta", "/v1/meta", 200),
		{name: "meta before data", method: "GET", target: "/v1/meta", status: 503, server: "empty"},
		{name: "meta, another method", method: "DELETE", target: "/v1/meta", status: 405},

		get("nearest", "/v1/stations/nearest?lat=45.188&lon=5.724&limit=3", 200),
		get("nearest police at an instant", "/v1/stations/nearest?lat=45.188&lon=5.724&force=police&at=2026-11-27T18:30:00%2B01:00", 200),
		get("nearest open now within a radius", "/v1/stations/nearest?lat=45.188&lon=5.724&open=now&radius=30000", 200),
		get("nearest, none within the radius", "/v1/stations/nearest?lat=48.85&lon=2.35&radius=10", 200),
		get("nearest as GeoJSON", "/v1/stations/nearest?lat=45.188&lon=5.724&format=geojson&limit=2", 200),
		get("nearest without lat", "/v1/stations/nearest?lon=5.7", 400),
		get("nearest with a bad limit", "/v1/stations/nearest?lat=45&lon=5&limit=101", 400),
		{name: "nearest before data", method: "GET", target: "/v1/stations/nearest?lat=45&lon=5", status: 503, server: "empty"},

		get("list", "/v1/stations?departement=38&per_page=2", 200),
		get("list, page past the end", "/v1/stations?page=99", 200),
		get("list by force and commune", "/v1/stations?force=gendarmerie&commune=VOIRON&at=2026-11-27T12:00:00Z", 200),
		get("list with a bad force", "/v1/stations?force=army", 400),
		get("list with a bad page size", "/v1/stations?per_page=0", 400),

		get("station", "/v1/stations/gn-1004321?at=2026-11-27T09:00:00%2B01:00", 200),
		get("station, some fields", "/v1/stations/gn-1004321?fields=name,hours.week", 200),
		get("nearest, some fields", "/v1/stations/nearest?lat=45.188&lon=5.724&fields=hours.week,email", 200),
		get("nearest, every field", "/v1/stations/nearest?lat=45.188&lon=5.724&fields=*", 200),
		get("nearest as GeoJSON, some fields", "/v1/stations/nearest?lat=45.188&lon=5.724&format=geojson&fields=name,hours.today", 200),
		get("list, every field", "/v1/stations?per_page=3&fields=*", 200),
		get("nearest, unknown field", "/v1/stations/nearest?lat=45.188&lon=5.724&fields=hours.weekly", 400),
		get("offline bundle", "/v1/stations/bundle", 200),
		{name: "offline bundle, not modified", method: "GET", target: "/v1/stations/bundle", header: map[string]string{"If-None-Match": "*"}, status: 304},
		get("station, unknown", "/v1/stations/gn-42", 404),
		get("station, bad at", "/v1/stations/gn-1004321?at=yesterday", 400),

		get("hours", "/v1/stations/gn-1004321/hours?from=2026-11-30T00:00:00%2B01:00&to=2026-12-07T00:00:00%2B01:00", 200),
		get("hours, default window", "/v1/stations/gn-1004333/hours", 200),
		get("hours, window too long", "/v1/stations/gn-1004321/hours?from=2026-11-01T00:00:00Z&to=2026-12-31T00:00:00Z", 400),
		get("hours, unknown station", "/v1/stations/gn-42/hours", 404),

		{name: "meta, not modified", method: "GET", target: "/v1/meta", header: map[string]string{"If-None-Match": "*"}, status: 304},
		{name: "openapi, not modified", method: "GET", target: "/openapi.json", header: map[string]string{"If-None-Match": "*"}, status: 304},

		{name: "jurisdiction", method: "GET", target: "/v1/jurisdiction?lat=45.05&lon=5.25", status: 200, server: "jurisdiction"},
		{name: "jurisdiction near a boundary", method: "GET", target: "/v1/jurisdiction?lat=45.05&lon=5.2001&boundary_m=500", status: 200, server: "jurisdiction"},
		{name: "jurisdiction at sea", method: "GET", target: "/v1/jurisdiction?lat=43.0&lon=7.5", status: 404, server: "jurisdiction"},
		{name: "jurisdiction, bad margin", method: "GET", target: "/v1/jurisdiction?lat=45.05&lon=5.25&boundary_m=-1", status: 400, server: "jurisdiction"},
		{name: "nearest competent", method: "GET", target: "/v1/stations/nearest?lat=45.05&lon=5.25&competent=true", status: 200, server: "jurisdiction"},
		{name: "communes by name", method: "GET", target: "/v1/communes?q=Delta", status: 200, server: "jurisdiction"},
		{name: "communes by postcode, none", method: "GET", target: "/v1/communes?postcode=75001", status: 200, server: "jurisdiction"},
		{name: "communes without a query", method: "GET", target: "/v1/communes", status: 400, server: "jurisdiction"},
		{name: "commune", method: "GET", target: "/v1/communes/38004", status: 200, server: "jurisdiction"},
		{name: "commune, unknown", method: "GET", target: "/v1/communes/38999", status: 404, server: "jurisdiction"},
		{name: "commune served by several commissariats", method: "GET", target: "/v1/communes/44143", status: 200, server: "police-territory"},
		{name: "jurisdiction, police zone without commissariat", method: "GET", target: "/v1/jurisdiction?lat=47.17&lon=-1.45", status: 200, server: "police-territory"},
		{name: "nearest competent, police zone without commissariat", method: "GET", target: "/v1/stations/nearest?lat=47.17&lon=-1.45&competent=true", status: 200, server: "police-territory"},
		{name: "nearest competent, several commissariats", method: "GET", target: "/v1/stations/nearest?lat=47.16&lon=-1.56&competent=true", status: 200, server: "police-territory"},
		{name: "meta with a load warning", method: "GET", target: "/v1/meta", status: 200, server: "police-territory"},
		{name: "commune, malformed code", method: "GET", target: "/v1/communes/x", status: 400, server: "jurisdiction"},

		{name: "geocode a commune", method: "GET", target: "/v1/geocode?q=alph&type=municipality", status: 200, server: "jurisdiction"},
		{name: "geocode, nothing found", method: "GET", target: "/v1/geocode?q=zzzzqqq", status: 200, server: "jurisdiction"},
		{name: "geocode, bad type", method: "GET", target: "/v1/geocode?q=alpha&type=city", status: 400, server: "jurisdiction"},
		{name: "reverse", method: "GET", target: "/v1/reverse?lat=45.05&lon=5.25", status: 200, server: "jurisdiction"},
		{name: "reverse without lon", method: "GET", target: "/v1/reverse?lat=45.05", status: 400, server: "jurisdiction"},
		{name: "geocode a CSV file", method: "POST", target: "/v1/geocode/csv", header: map[string]string{"Content-Type": "multipart/form-data; boundary=X"},
			body: "--X\r\nContent-Disposition: form-data; name=\"data\"; filename=\"a.csv\"\r\n\r\nadresse\nAlpha\n\r\n--X--\r\n", status: 200, server: "jurisdiction"},
		{name: "geocode a CSV file without data", method: "POST", target: "/v1/geocode/csv", header: map[string]string{"Content-Type": "multipart/form-data; boundary=X"},
			body: "--X\r\nContent-Disposition: form-data; name=\"columns\"\r\n\r\nadresse\r\n--X--\r\n", status: 400, server: "jurisdiction"},
		{name: "geocode a CSV file, not multipart", method: "POST", target: "/v1/geocode/csv", body: "adresse\nAlpha\n", status: 415, server: "jurisdiction"},

		get("metrics", "/metrics", 200),

		// One request per client at a time: the second is refused.
		{name: "nearest within the rate", method: "GET", target: "/v1/stations/nearest?lat=45.188&lon=5.724", status: 200, server: "limited"},
		{name: "nearest above the rate", method: "GET", target: "/v1/stations/nearest?lat=45.188&lon=5.724", status: 429, server: "limited"},

		{name: "reload", method: "POST", target: "/admin/reload", header: map[string]string{"Authorization": "Bearer s3cret"}, status: 200},
		{name: "reload without a token", method: "POST", target: "/admin/reload", status: 401},
		{name: "reload with a wrong token", method: "POST", target: "/admin/reload", header: map[string]string{"Authorization": "Bearer guess"}, status: 401},
		{name: "reload refused", method: "POST", target: "/admin/reload", header: map[string]string{"Authorization": "Bearer s3cret"}, status: 422, server: "refusing"},

		get("widget", "/widget?lang=en&theme=dark&limit=3&lat=45.19&lon=5.72", 200),
		get("widget, bad theme", "/widget?theme=pink", 400),
		get("widget loader", "/widget.js", 200),
		get("widget script", "/widget/assets/"+hashed(widget.AppScript), 200),
		get("widget style sheet", "/widget/assets/"+hashed(widget.StyleSheet), 200),
		get("widget asset, outdated", "/widget/assets/app.000000000000.js", 404),

		get("openapi", "/openapi.json", 200),
		get("docs", "/docs", 200),
	}
}

// hashed returns the content-hashed name of an embedded widget asset.
func hashed(name string) string {
	b, err := widget.Load(widget.FS())
	if err != nil {
		panic(err)
	}
	a, _ := b.Asset(name)
	return a.Hashed
}

func TestOpenAPIResponses(t *testing.T) {
	doc, router := mustOpenAPI(t)
	ds, err := load.Dir("../data/testdata/stations", load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	jds, err := load.Dir("../data/testdata/jurisdiction", load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pds, err := load.Dir("../data/testdata/police-territory", load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	refusing := contractServer(t, ds, func(cfg *Config) {
		cfg.Loader = func(context.Context) (*data.Dataset, error) {
			return nil, errors.New("the data directory is empty")
		}
	})
	limited := contractServer(t, ds, func(cfg *Config) { cfg.RateLimit, cfg.RateBurst = 0.001, 1 })
	servers := map[string]http.Handler{
		"":                 contractServer(t, ds).Handler(),
		"empty":            contractServer(t, nil).Handler(),
		"jurisdiction":     contractServer(t, jds).Handler(),
		"police-territory": contractServer(t, pds).Handler(),
		"refusing":         refusing.Handler(),
		"limited":          limited.Handler(),
	}
	covered := map[string]bool{}
	for _, tc := range contractCases() {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			servers[tc.server].ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("%s %s = %d, want %d (body %.300s)", tc.method, tc.target, rec.Code, tc.status, rec.Body)
			}
			// Each /v1 handler sets these through its call to
			// Server.dataset; one that skipped it would answer without.
			if h := rec.Header(); strings.HasPrefix(tc.target, "/v1/") && rec.Code < 300 {
				if h.Get("X-Dataset-Version") == "" {
					t.Errorf("%s %s: no X-Dataset-Version", tc.method, tc.target)
				}
				if tc.method == http.MethodGet && (h.Get("ETag") == "" || h.Get("Cache-Control") == "") {
					t.Errorf("%s %s: ETag %q, Cache-Control %q; want both",
						tc.method, tc.target, h.Get("ETag"), h.Get("Cache-Control"))
				}
			}
			// The router needs a method the document knows: an
			// undocumented method is answered by the path's GET
			// operation, whose default response describes the 405.
			method := tc.method
			if rec.Code == http.StatusMethodNotAllowed {
				method = http.MethodGet
			}
			findReq := httptest.NewRequest(method, tc.target, nil)
			route, pathParams, err := router.FindRoute(findReq)
			if err != nil {
				t.Fatalf("openapi.json has no operation for %s %s: %v", method, tc.target, err)
			}
			reqInput := &openapi3filter.RequestValidationInput{
				Request:    req,
				PathParams: pathParams,
				Route:      route,
				Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
			}
			if rec.Code < 300 {
				// A request the server accepted must be one the document
				// accepts too.
				req.Body = io.NopCloser(strings.NewReader(tc.body))
				if err := openapi3filter.ValidateRequest(context.Background(), reqInput); err != nil {
					t.Errorf("request %s %s does not match openapi.json: %v", tc.method, tc.target, err)
				}
			}
			resInput := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: reqInput,
				Status:                 rec.Code,
				Header:                 rec.Header(),
				Body:                   io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
				Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
			}
			if err := openapi3filter.ValidateResponse(context.Background(), resInput); err != nil {
				t.Errorf("response to %s %s (%d %s) does not match openapi.json: %v\nbody: %.500s",
					tc.method, tc.target, rec.Code, rec.Header().Get("Content-Type"), err, rec.Body)
			}
			covered[route.Method+" "+route.Path] = true
		})
	}
	for _, op := range documentedOperations(doc) {
		if !covered[op] {
			t.Errorf("no contract case validates a response of %s", op)
		}
	}
}

// TestOpenAPIRejects checks that the validation above is not vacuous: a
// response that breaks the document fails it.
func TestOpenAPIRejects(t *testing.T) {
	_, router := mustOpenAPI(t)
	station := `{"id":"gn-1","name":"B","force":"gendarmerie","address":{"street":"","postcode":"38500","city":"VOIRON"},"departement":"38","location":{"lat":45.3,"lon":5.5},"hours":{"osm":"","source_text":"","timezone":"Europe/Paris","status":{"state":"unknown","next_change":null},"week":[]},"source":"x.csv"}`
	tests := []struct {
		name, contentType, body string
		status                  int
	}{
		{"the document's own station shape passes", "application/json", station, 200},
		{"missing id", "application/json", strings.Replace(station, `"id":"gn-1",`, "", 1), 200},
		{"unknown force", "application/json", strings.Replace(station, `"force":"gendarmerie"`, `"force":"army"`, 1), 200},
		{"latitude out of range", "application/json", strings.Replace(station, `"lat":45.3`, `"lat":91`, 1), 200},
		{"undocumented status", "application/json", station, 418},
		{"error as plain JSON", "application/json", `{"type":"/problems/not-found","title":"Not found","status":404}`, 404},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/v1/stations/gn-1", nil)
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatal(err)
			}
			err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
				RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
				Status:                 tc.status,
				Header:                 http.Header{"Content-Type": {tc.contentType}},
				Body:                   io.NopCloser(strings.NewReader(tc.body)),
				Options:                &openapi3filter.Options{IncludeResponseStatus: true},
			})
			if wantOK := i == 0; (err == nil) != wantOK {
				t.Errorf("ValidateResponse = %v, want valid %v", err, wantOK)
			}
		})
	}
}

// TestOpenAPIServed checks the document served is the embedded one and
// honours its validator.
func TestOpenAPIServed(t *testing.T) {
	h := mustServer(t).Handler()
	rec := get(t, h, "/openapi.json")
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), openAPIDocument) {
		t.Fatalf("GET /openapi.json = %d with %d bytes, want 200 with the embedded %d bytes", rec.Code, rec.Body.Len(), len(openAPIDocument))
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || doc.OpenAPI != "3.1.0" {
		t.Fatalf("served document: openapi %q, err %v; want 3.1.0", doc.OpenAPI, err)
	}
	etag := rec.Header().Get("ETag")
	if etag == "" {
		t.Fatal("GET /openapi.json has no ETag")
	}
	if again := get(t, h, "/openapi.json", "If-None-Match", etag); again.Code != http.StatusNotModified || again.Body.Len() != 0 {
		t.Errorf("GET /openapi.json with If-None-Match %s = %d with %d bytes, want 304 and no body", etag, again.Code, again.Body.Len())
	}
}

// TestDocsPage checks the reference page lists every operation and every
// parameter, and loads nothing from elsewhere.
func TestDocsPage(t *testing.T) {
	doc, _ := mustOpenAPI(t)
	rec := get(t, mustServer(t).Handler(), "/docs")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET /docs = %d %q, want 200 text/html", rec.Code, rec.Header().Get("Content-Type"))
	}
	page := rec.Body.String()
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			want := `<section id="` + op.OperationID + `"`
			if !strings.Contains(page, want) || !strings.Contains(page, "<code>"+path+"</code>") {
				t.Errorf("/docs lacks %s %s (operation %s)", method, path, op.OperationID)
			}
			for _, p := range op.Parameters {
				if !strings.Contains(page, "<code>"+p.Value.Name+"</code>") {
					t.Errorf("/docs lacks parameter %s of %s", p.Value.Name, op.OperationID)
				}
			}
			if op.RequestBody != nil {
				for _, mt := range op.RequestBody.Value.Content {
					if mt.Schema == nil {
						continue
					}
					for name := range mt.Schema.Value.Properties {
						if !strings.Contains(page, "<code>"+name+"</code>") {
							t.Errorf("/docs lacks body field %s of %s", name, op.OperationID)
						}
					}
				}
			}
		}
	}
	for _, external := range []string{"<script", "http://", "https://", "@import"} {
		if strings.Contains(page, external) {
			t.Errorf("/docs contains %q: it must be self-contained", external)
		}
	}
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("/docs Content-Security-Policy = %q, want default-src 'none' and frame-ancestors 'none'", csp)
	}
}

func TestProse(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "<p>plain</p>"},
		{"a `b<c>` d", "<p>a <code>b&lt;c&gt;</code> d</p>"},
		{"one\n\ntwo", "<p>one</p>\n<p>two</p>"},
		{"<script>", "<p>&lt;script&gt;</p>"},
	}
	for _, tc := range tests {
		if got := string(prose(tc.in)); got != tc.want {
			t.Errorf("prose(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestExampleText(t *testing.T) {
	tests := []struct {
		raw   string
		block bool
		want  string
	}{
		{`"now"`, false, "now"},
		{`"# TYPE x gauge\nx 1\n"`, true, "# TYPE x gauge\nx 1\n"},
		{`45.188`, false, "45.188"},
		{`{"b":1,"a":[2]}`, false, `{"b":1,"a":[2]}`},
		{`{"b":1,"a":[2]}`, true, "{\n  \"b\": 1,\n  \"a\": [\n    2\n  ]\n}"},
		{``, true, ""},
	}
	for _, tc := range tests {
		if got := exampleText(json.RawMessage(tc.raw), tc.block); got != tc.want {
			t.Errorf("exampleText(%s, %v) = %q, want %q", tc.raw, tc.block, got, tc.want)
		}
	}
}
