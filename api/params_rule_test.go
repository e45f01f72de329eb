package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"guichet/data/load"
)

// ruleRoutes lists every route with a query it answers, and the query
// parameters it reads. A route missing here fails TestRepeatedParameter.
var ruleRoutes = []struct {
	method, path, base string
	params             []string
}{
	{"GET", "/", "", nil},
	{"GET", "/healthz", "", nil},
	{"GET", "/readyz", "", nil},
	{"GET", "/metrics", "", nil},
	{"GET", "/openapi.json", "", nil},
	{"GET", "/docs", "", nil},
	{"GET", "/widget", "lang=fr", []string{"lang", "theme", "force", "limit", "open", "lat", "lon", "at"}},
	{"GET", "/widget.js", "", nil},
	{"GET", "/widget/assets/:file", "", nil},
	{"GET", "/v1/meta", "", nil},
	{"GET", "/v1/stations/nearest", "lat=45.36&lon=5.59", []string{"lat", "lon", "limit", "radius", "force", "open", "at", "competent", "format", "fields"}},
	{"GET", "/v1/stations/bundle", "", nil},
	{"GET", "/v1/stations", "departement=38", []string{"commune", "departement", "force", "page", "per_page", "at", "fields"}},
	{"GET", "/v1/stations/:id", "", []string{"at", "fields"}},
	{"GET", "/v1/stations/:id/hours", "from=2026-11-23T00:00:00Z", []string{"from", "to"}},
	{"GET", "/v1/jurisdiction", "lat=45.05&lon=5.05", []string{"lat", "lon", "boundary_m", "fields"}},
	{"GET", "/v1/communes", "postcode=38500", []string{"q", "postcode", "limit", "fields"}},
	{"GET", "/v1/communes/:code", "", []string{"fields"}},
	{"GET", "/v1/geocode", "q=voir", []string{"q", "postcode", "citycode", "type", "lat", "lon", "limit", "autocomplete"}},
	{"GET", "/v1/reverse", "lat=45.364&lon=5.589", []string{"lat", "lon", "limit"}},
	{"POST", "/v1/geocode/csv", "", nil},
	{"POST", "/admin/reload", "", nil},
}

// pathArgs fills the route's path parameters with values the fixtures hold.
var pathArgs = strings.NewReplacer(":id", "gn-1004321", ":code", "38001", ":file", "nothing.js")

func ruleServer(t *testing.T) *Server {
	t.Helper()
	ds, err := load.FS(fixtureFS(t), load.Options{Now: func() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Now = func() time.Time { return time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC) }
	cfg.AdminToken = "secret"
	return New(cfg, ds, nil)
}

func serveRule(h http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func withParam(base, kv string) string {
	if base == "" {
		return kv
	}
	return base + "&" + kv
}

// TestRepeatedParameter checks that a repeated parameter, known to the
// route or not, gets the same 400 on every route, whatever the method.
func TestRepeatedParameter(t *testing.T) {
	s := ruleServer(t)
	h := s.Handler()
	listed := map[string]bool{}
	for _, r := range ruleRoutes {
		listed[r.method+" "+r.path] = true
	}
	for _, r := range s.engine.Routes() {
		if r.Method != http.MethodHead && !listed[r.Method+" "+r.Path] {
			t.Errorf("route %s %s is not in ruleRoutes", r.Method, r.Path)
		}
	}
	for _, r := range ruleRoutes {
		names := append([]string{"unknown"}, r.params...)
		for _, name := range names {
			target := pathArgs.Replace(r.path) + "?" + withParam(r.base, name+"=1&"+name+"=2")
			rec := serveRule(h, r.method, target)
			if rec.Code != http.StatusBadRequest {
				t.Errorf("%s %s = %d, want 400", r.method, target, rec.Code)
				continue
			}
			p := decodeProblem(t, rec)
			want := invalidParam{name, "is given more than once"}
			if p.Type != typeInvalidParameter || len(p.InvalidParams) != 1 || p.InvalidParams[0] != want || p.Detail != name+": is given more than once" {
				t.Errorf("%s %s = %+v, want the same refusal of %s on every route", r.method, target, p, name)
			}
		}
	}
}

// TestEmptyValueIsAbsence checks the rest of the rule on every GET route
// and every parameter it reads: an empty or blank value answers exactly
// as the parameter's absence, and an unknown parameter changes nothing.
// fields is the exception the rule names: an empty list asks for nothing
// and is refused.
func TestEmptyValueIsAbsence(t *testing.T) {
	h := ruleServer(t).Handler()
	for _, r := range ruleRoutes {
		if r.method != http.MethodGet {
			continue
		}
		path := pathArgs.Replace(r.path)
		without := serveRule(h, r.method, path+"?"+r.base)
		if r.path != "/widget/assets/:file" && without.Code != http.StatusOK {
			t.Errorf("GET %s?%s = %d %s, want a 200 to compare with", path, r.base, without.Code, without.Body)
		}
		// An unknown parameter changes nothing. /metrics counts requests:
		// only its status can be compared.
		if rec := serveRule(h, r.method, path+"?"+withParam(r.base, "unknown=1")); rec.Code != without.Code ||
			r.path != "/metrics" && !bytes.Equal(rec.Body.Bytes(), without.Body.Bytes()) {
			t.Errorf("GET %s with unknown=1 = %d %.200s\nwithout it: %d %.200s", path, rec.Code, rec.Body, without.Code, without.Body)
		}
		for _, name := range r.params {
			// A parameter of the base query is compared with its removal.
			kept := []string{}
			for kv := range strings.SplitSeq(r.base, "&") {
				if kv != "" && !strings.HasPrefix(kv, name+"=") {
					kept = append(kept, kv)
				}
			}
			base := serveRule(h, r.method, path+"?"+strings.Join(kept, "&"))
			for _, v := range []string{"", "%20", "+%09"} {
				target := path + "?" + withParam(strings.Join(kept, "&"), name+"="+v)
				rec := serveRule(h, r.method, target)
				if name == "fields" {
					if p := decodeProblem(t, rec); rec.Code != http.StatusBadRequest || len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != "fields" {
						t.Errorf("GET %s = %d %s, want fields refused", target, rec.Code, rec.Body)
					}
					continue
				}
				if rec.Code != base.Code || !bytes.Equal(rec.Body.Bytes(), base.Body.Bytes()) {
					t.Errorf("GET %s = %d %.200s\nwithout it: %d %.200s", target, rec.Code, rec.Body, base.Code, base.Body)
				}
			}
		}
	}
}
