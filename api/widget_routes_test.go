package api

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"guichet/api/widget"
)

func TestWidgetPage(t *testing.T) {
	h := mustServer(t).Handler()
	rec := get(t, h, "/widget?force=gendarmerie&limit=3&lang=en&open=1&theme=dark&lat=45.364&lon=5.59&at=2026-03-02T10:00:00%2B01:00")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /widget = %d, want 200 (body %s)", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q, want text/html; charset=utf-8", ct)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control = %q, want no-cache", cc)
	}
	if rec.Header().Get("Set-Cookie") != "" {
		t.Errorf("the widget sets a cookie: %q", rec.Header().Get("Set-Cookie"))
	}
	body := rec.Body.String()
	for _, want := range []string{
		`<html lang="en" data-theme="dark">`,
		`"force":"gendarmerie"`, `"limit":3`, `"open":true`, `"lat":45.364`, `"lon":5.59`,
		`"at":"2026-03-02T10:00:00+01:00"`,
		"<title>Find a police or gendarmerie station</title>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(body, "tile_url") {
		t.Error("page names a tile server although none is configured")
	}
	// No inline script may run: the only script elements are the external
	// app script and the JSON configuration.
	for _, m := range regexp.MustCompile(`<script[^>]*>`).FindAllString(body, -1) {
		if !strings.Contains(m, ` src="widget/assets/`) && !strings.Contains(m, `type="application/json"`) {
			t.Errorf("inline script element %s", m)
		}
	}
}

func TestWidgetSecurityHeaders(t *testing.T) {
	tests := []struct {
		name      string
		cfg       func(*Config)
		target    string
		wantCSP   []string
		forbidCSP []string
	}{
		{"page, any ancestor by default", nil, "/widget",
			[]string{"default-src 'self'", "script-src 'self'", "img-src 'self' data:;", "frame-ancestors *"}, []string{"unsafe-inline", "unsafe-eval"}},
		{"page, ancestor allowlist", func(c *Config) {
			c.WidgetFrameAncestors = []string{"https://mairie.example.fr", "https://x.fr; script-src *"}
		}, "/widget",
			[]string{"frame-ancestors https://mairie.example.fr"}, []string{"frame-ancestors *", "x.fr", "script-src *"}},
		{"page, tile host allowed in img-src", func(c *Config) { c.WidgetTileURL = "https://{s}.tile.example.org/{z}/{x}/{y}.png" }, "/widget",
			[]string{"img-src 'self' data: https://*.tile.example.org;"}, nil},
		{"page, invalid tile URL ignored", func(c *Config) { c.WidgetTileURL = "javascript:alert(1)" }, "/widget",
			[]string{"img-src 'self' data:;"}, []string{"javascript"}},
		{"API may not be framed", nil, "/v1/stations/nearest?lat=45&lon=5",
			[]string{"frame-ancestors 'none'"}, nil},
		{"health may not be framed", nil, "/healthz",
			[]string{"frame-ancestors 'none'"}, nil},
		{"unknown route may not be framed", nil, "/nowhere",
			[]string{"frame-ancestors 'none'"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			h := New(cfg, mustServer(t).Dataset(), nil).Handler()
			rec := get(t, h, tt.target)
			csp := rec.Header().Get("Content-Security-Policy")
			for _, w := range tt.wantCSP {
				if !strings.Contains(csp+";", w) {
					t.Errorf("GET %s: CSP %q lacks %q", tt.target, csp, w)
				}
			}
			for _, f := range tt.forbidCSP {
				if strings.Contains(csp, f) {
					t.Errorf("GET %s: CSP %q contains %q", tt.target, csp, f)
				}
			}
			if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("GET %s: X-Content-Type-Options = %q, want nosniff", tt.target, got)
			}
		})
	}
}

// assetURLs returns the hashed asset paths the page links to.
func assetURLs(tb testing.TB, page string) []string {
	tb.Helper()
	m := regexp.MustCompile(`(?:href|src)="(widget/assets/[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(m) != 2 {
		tb.Fatalf("page links to %d assets, want 2 (script and style sheet)", len(m))
	}
	return []string{"/" + m[0][1], "/" + m[1][1]}
}

func TestWidgetTileURLReachesThePage(t *testing.T) {
	cfg := DefaultConfig()
	cfg.WidgetTileURL = "https://tile.example.org/{z}/{x}/{y}.png"
	h := New(cfg, mustServer(t).Dataset(), nil).Handler()
	body := get(t, h, "/widget").Body.String()
	if !strings.Contains(body, `"tile_url":"https://tile.example.org/{z}/{x}/{y}.png"`) {
		t.Errorf("page does not pass the tile URL to its script:\n%s", body)
	}
	// The map's bundle is named for the script to load on demand, and
	// served; the page itself does not link it.
	m := regexp.MustCompile(`"map_script":"(widget/assets/map\.[0-9a-f]+\.js)","map_style":"(widget/assets/map\.[0-9a-f]+\.css)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("page does not name the map bundle:\n%s", body)
	}
	for _, u := range m[1:] {
		if rec := get(t, h, "/"+u); rec.Code != http.StatusOK || rec.Body.Len() < 1000 {
			t.Errorf("GET /%s = %d, %d bytes", u, rec.Code, rec.Body.Len())
		}
		if strings.Contains(body, `src="`+u) || strings.Contains(body, `href="`+u) {
			t.Errorf("page loads %s before the reader asks for the map", u)
		}
	}
}

// Without a tile server the page names no map bundle: no map, no request.
func TestWidgetNoTilesNoMap(t *testing.T) {
	body := get(t, mustServer(t).Handler(), "/widget").Body.String()
	for _, s := range []string{"tile_url", "map_script", "map_style"} {
		if strings.Contains(body, s) {
			t.Errorf("page without a tile server names %s", s)
		}
	}
}

func TestWidgetAssetsAreCacheBusted(t *testing.T) {
	h := mustServer(t).Handler()
	page := get(t, h, "/widget").Body.String()
	for _, p := range assetURLs(t, page) {
		if !regexp.MustCompile(`/app\.[0-9a-f]{12}\.(js|css)$`).MatchString(p) {
			t.Errorf("asset %s has no content hash in its name", p)
		}
		rec := get(t, h, p)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200", p, rec.Code)
		}
		if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
			t.Errorf("GET %s: Cache-Control = %q, want a year, immutable", p, cc)
		}
		etag := rec.Header().Get("ETag")
		if etag == "" {
			t.Fatalf("GET %s: no ETag", p)
		}
		if rec := get(t, h, p, "If-None-Match", etag); rec.Code != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match %s = %d, want 304", p, etag, rec.Code)
		}
	}
	for _, p := range []string{"/widget/assets/app.000000000000.js", "/widget/assets/app.js", "/widget/assets/index.html"} {
		rec := get(t, h, p)
		if rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, rec.Code)
			continue
		}
		decodeProblem(t, rec)
	}
	// The template itself is never served, even under its hashed name.
	b, err := widget.Load(widget.FS())
	if err != nil {
		t.Fatal(err)
	}
	tmpl, _ := b.Asset(widget.PageTemplate)
	if rec := get(t, h, "/widget/assets/"+tmpl.Hashed); rec.Code != http.StatusNotFound {
		t.Errorf("GET the page template = %d, want 404", rec.Code)
	}
}

func TestWidgetGzip(t *testing.T) {
	h := mustServer(t).Handler()
	page := get(t, h, "/widget").Body.String()
	targets := append([]string{"/widget", "/widget.js"}, assetURLs(t, page)...)
	for _, p := range targets {
		plain := get(t, h, p, "Accept-Encoding", "identity")
		if plain.Header().Get("Content-Encoding") != "" {
			t.Errorf("GET %s without gzip: Content-Encoding %q", p, plain.Header().Get("Content-Encoding"))
		}
		if got := get(t, h, p, "Accept-Encoding", "gzip;q=0, br"); got.Header().Get("Content-Encoding") != "" {
			t.Errorf("GET %s with gzip;q=0: Content-Encoding %q", p, got.Header().Get("Content-Encoding"))
		}
		rec := get(t, h, p, "Accept-Encoding", "br, gzip, deflate")
		if rec.Header().Get("Content-Encoding") != "gzip" {
			t.Errorf("GET %s accepting gzip: Content-Encoding %q, want gzip", p, rec.Header().Get("Content-Encoding"))
			continue
		}
		if v := rec.Header().Get("Vary"); !strings.Contains(v, "Accept-Encoding") {
			t.Errorf("GET %s: Vary = %q, want Accept-Encoding", p, v)
		}
		unzipped := gunzip(t, rec.Body)
		if !bytes.Equal(unzipped, plain.Body.Bytes()) {
			t.Errorf("GET %s: gzip body differs from the plain one", p)
		}
		if rec.Body.Len() >= plain.Body.Len() {
			t.Errorf("GET %s: gzip %d bytes, plain %d", p, rec.Body.Len(), plain.Body.Len())
		}
	}
}

func TestWidgetLoader(t *testing.T) {
	h := mustServer(t).Handler()
	rec := get(t, h, "/widget.js")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /widget.js = %d, want 200", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("Content-Type = %q, want JavaScript", ct)
	}
	if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=3600") {
		t.Errorf("Cache-Control = %q, want an hour: partners reference the unhashed name", cc)
	}
	if got := rec.Header().Get("Cross-Origin-Resource-Policy"); got != "cross-origin" {
		t.Errorf("Cross-Origin-Resource-Policy = %q, want cross-origin", got)
	}
	for _, want := range []string{`"allow", "geolocation"`, "frame.title", "e.origin !== src.origin", "e.source !== frame.contentWindow"} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("loader lacks %s", want)
		}
	}
}

func TestWidgetBadParams(t *testing.T) {
	h := mustServer(t).Handler()
	tests := []struct{ query, param string }{
		{"force=army", "force"},
		{"limit=0", "limit"},
		{"limit=21", "limit"},
		{"limit=two", "limit"},
		{"lang=de", "lang"},
		{"theme=blue", "theme"},
		{"open=maybe", "open"},
		{"lat=45", "lon"},
		{"lon=5", "lat"},
		{"lat=91&lon=5", "lat"},
		{"lat=45&lon=NaN", "lon"},
		{"lat=45&lon=", "lon"},
		{"at=yesterday", "at"},
		{"at=2026-03-02T10:00:00", "at"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			rec := get(t, h, "/widget?"+tt.query)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("GET /widget?%s = %d, want 400", tt.query, rec.Code)
			}
			p := decodeProblem(t, rec)
			if p.Type != typeInvalidParameter || len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != tt.param {
				t.Errorf("GET /widget?%s: problem %+v, want invalid parameter %s", tt.query, p, tt.param)
			}
			if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors *") {
				t.Errorf("error page CSP = %q, want the widget's", csp)
			}
		})
	}
	for _, q := range []string{"", "lang=fr&theme=light&open=false&limit=20&force=police", "lat=-21.1&lon=55.5", "at=2026-07-14T12:00:00Z"} {
		if rec := get(t, h, "/widget?"+q); rec.Code != http.StatusOK {
			t.Errorf("GET /widget?%s = %d, want 200 (%s)", q, rec.Code, rec.Body)
		}
	}
}

func TestWidgetDir(t *testing.T) {
	dir := t.TempDir()
	src := widget.FS()
	for _, name := range []string{widget.PageTemplate, widget.LoaderScript, widget.AppScript, widget.StyleSheet} {
		f, err := src.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(f)
		f.Close()
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := DefaultConfig()
	cfg.WidgetDir = dir
	h := New(cfg, mustServer(t).Dataset(), nil).Handler()
	// assetURLs lists the style sheet first, then the script.
	before := assetURLs(t, get(t, h, "/widget").Body.String())
	if err := os.WriteFile(filepath.Join(dir, widget.StyleSheet), []byte("body { color: red }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	after := assetURLs(t, get(t, h, "/widget").Body.String())
	if !strings.HasSuffix(after[0], ".css") || before[0] == after[0] {
		t.Errorf("style sheet URL %s did not change after an edit", after[0])
	}
	if before[1] != after[1] {
		t.Errorf("script URL changed from %s to %s without an edit", before[1], after[1])
	}
	if rec := get(t, h, after[0]); rec.Body.String() != "body { color: red }\n" {
		t.Errorf("GET %s = %q, want the edited file", after[0], rec.Body)
	}
	if err := os.Remove(filepath.Join(dir, widget.AppScript)); err != nil {
		t.Fatal(err)
	}
	if rec := get(t, h, "/widget"); rec.Code != http.StatusInternalServerError {
		t.Errorf("GET /widget with a missing script = %d, want 500", rec.Code)
	}
}

func TestTileSource(t *testing.T) {
	tests := []struct {
		tmpl, want string
		ok         bool
	}{
		{"https://tile.example.org/{z}/{x}/{y}.png", "https://tile.example.org", true},
		{"https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org", true},
		{"http://127.0.0.1:8081/tiles/{z}/{x}/{y}.png", "http://127.0.0.1:8081", true},
		{"https://tile.example.org/{z}/{x}.png", "", false},
		{"ftp://tile.example.org/{z}/{x}/{y}.png", "", false},
		{"https://u:p@tile.example.org/{z}/{x}/{y}.png", "", false},
		{"/{z}/{x}/{y}.png", "", false},
	}
	for _, tt := range tests {
		got, ok := tileSource(tt.tmpl)
		if got != tt.want || ok != tt.ok {
			t.Errorf("tileSource(%q) = %q, %v, want %q, %v", tt.tmpl, got, ok, tt.want, tt.ok)
		}
	}
}

func TestWidgetAcceptsGzip(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"deflate, gzip;q=0.5", true},
		{"gzip;q=0", false},
		{"gzip; q=0.0", false},
		{"*", true},
		{"br", false},
		{"*, gzip;q=0", false}, // gzip named: its own quality wins over *'s
		{"*;q=0, gzip", true},
	}
	for _, tt := range tests {
		if got := acceptsGzip(tt.header); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

// The loader carries the origins allowed to frame the widget, the same as
// the page's frame-ancestors, so that it refuses before inserting a frame
// the browser would block; an expression that could break out of the
// script is dropped.
func TestWidgetLoaderAllowlist(t *testing.T) {
	for _, tt := range []struct {
		ancestors []string
		want      string
	}{
		{nil, `var ALLOWED = ["*"];`},
		{[]string{"https://mairie.example.fr", "'self'", `x"];alert(1);//`, "https://*.example.org:8443"},
			`var ALLOWED = ["https://mairie.example.fr","'self'","https://*.example.org:8443"];`},
	} {
		cfg := DefaultConfig()
		cfg.WidgetFrameAncestors = tt.ancestors
		h := New(cfg, mustServer(t).Dataset(), nil).Handler()
		rec := get(t, h, "/widget.js")
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.Contains(body, tt.want) {
			t.Errorf("%v: loader %d lacks %s", tt.ancestors, rec.Code, tt.want)
		}
		if strings.Contains(body, "alert(1)") {
			t.Errorf("%v: loader carries an injected expression", tt.ancestors)
		}
		page := get(t, h, "/widget")
		if csp := page.Header().Get("Content-Security-Policy"); tt.ancestors != nil && !strings.Contains(csp, "frame-ancestors https://mairie.example.fr 'self' https://*.example.org:8443") {
			t.Errorf("page CSP %q does not match the loader's list", csp)
		}
	}
}

// A browser loading the page with bad parameters (an iframe) gets a
// neutral sentence and the reason in a comment, never a problem JSON body.
func TestWidgetBadParamsInFrame(t *testing.T) {
	h := mustServer(t).Handler()
	for _, lang := range []string{"fr", "en"} {
		rec := get(t, h, "/widget?limit=50&lang="+lang, "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
		body := rec.Body.String()
		if rec.Code != http.StatusBadRequest || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("%s: %d %s, want 400 text/html", lang, rec.Code, rec.Header().Get("Content-Type"))
		}
		if strings.Contains(body, "{") || strings.Contains(body, "invalid_params") || !strings.Contains(body, "<p>") || !strings.Contains(body, "limit") {
			t.Errorf("%s: body %s, want a sentence and the reason, no JSON", lang, body)
		}
	}
}
