package api

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"guichet/data"
	"guichet/data/load"
	"guichet/geo/geotest"
)

// mustConfiguredServer returns a server on the data fixtures whose JSON
// logs go to logs when it is not nil.
func mustConfiguredServer(tb testing.TB, cfg Config, logs io.Writer) *Server {
	tb.Helper()
	ds, err := load.Dir("../data/testdata/stations", load.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	var log *slog.Logger
	if logs != nil {
		log = slog.New(slog.NewJSONHandler(logs, nil))
	}
	return New(cfg, ds, log)
}

func do(tb testing.TB, h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// logLines decodes the JSON log lines whose msg is "request".
func requestLogs(tb testing.TB, buf *bytes.Buffer) []map[string]any {
	tb.Helper()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			tb.Fatalf("log line %q: %v", line, err)
		}
		if m["msg"] == "request" {
			out = append(out, m)
		}
	}
	return out
}

func TestRequestID(t *testing.T) {
	h := mustConfiguredServer(t, DefaultConfig(), nil).Handler()
	generated := regexp.MustCompile(`^[A-Z2-7]{26}$`)
	tests := []struct {
		name, in string
		echoed   bool
	}{
		{"absent", "", false},
		{"valid", "abc-DEF_1.2", true},
		{"64 chars", strings.Repeat("a", 64), true},
		{"65 chars", strings.Repeat("a", 65), false},
		{"space", "abc def", false},
		{"newline", "abc\nlevel=ERROR", false},
		{"non-ASCII", "é", false},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
			if tt.in != "" {
				req.Header[requestIDHeader] = []string{tt.in}
			}
			got := do(t, h, req).Header().Get(requestIDHeader)
			switch {
			case tt.echoed && got != tt.in:
				t.Errorf("X-Request-Id = %q, want %q echoed", got, tt.in)
			case !tt.echoed && !generated.MatchString(got):
				t.Errorf("X-Request-Id = %q, want a generated id", got)
			case !tt.echoed && seen[got]:
				t.Errorf("generated id %q twice", got)
			}
			seen[got] = true
		})
	}
}

func TestAccessLogPrivacy(t *testing.T) {
	const target = "/v1/stations/nearest?lat=45.18812&lon=5.72431&limit=2&q=12+rue+des+Lilas&note=Mme+Martin"
	tests := []struct {
		name       string
		full       bool
		want, deny []string
	}{
		{"default", false,
			[]string{"lat=45.19", "lon=5.72", "limit=2", "q=-", "-=-"},
			[]string{"45.188", "5.724", "Lilas", "Martin", "note"}},
		{"full queries", true,
			[]string{"lat=45.18812", "lon=5.72431", "Lilas"},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			cfg := DefaultConfig()
			cfg.LogFullQueries = tt.full
			h := mustConfiguredServer(t, cfg, &logs).Handler()
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.Header.Set(requestIDHeader, "req-1")
			rec := do(t, h, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			lines := requestLogs(t, &logs)
			if len(lines) != 1 {
				t.Fatalf("%d request log lines, want 1: %s", len(lines), logs.String())
			}
			l := lines[0]
			if l["route"] != "/v1/stations/nearest" || l["status"] != 200.0 || l["request_id"] != "req-1" ||
				l["bytes"] != float64(rec.Body.Len()) || l["duration_ms"] == nil {
				t.Errorf("log line %v lacks route, status, request id, bytes or duration", l)
			}
			for _, w := range tt.want {
				if !strings.Contains(logs.String(), w) {
					t.Errorf("log %s lacks %q", logs.String(), w)
				}
			}
			for _, d := range tt.deny {
				if strings.Contains(logs.String(), d) {
					t.Errorf("log %s contains %q", logs.String(), d)
				}
			}
		})
	}
}

func TestRedactQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"lat=48.8566&lon=2.3522", "lat=48.86&lon=2.35"},
		{"lat=-0.004&lon=-179.996", "lat=-0.00&lon=-180.00"},
		{"lat=abc+rue+X&lon=NaN", "lat=-&lon=-"},
		{"q=8+bd+du+Port&limit=3", "limit=3&q=-"},
		{"force=police&page=2", "force=police&page=2"},
		{"%zz", "-"},
		{"a=1;b=2", "-"},
		{"&&limit=3&&", "limit=3"},
		{"lon=2&q=x&lat=1&q=y&limit", "lat=1.00&limit=-&lon=2.00&q=-&q=-"},
		{"open=2026-12-02T23%3A30%3A00%2B01%3A00", "open=2026-12-02T23%3A30%3A00%2B01%3A00"},
		// Allow-listed names log their value only once it is what it claims.
		{"departement=38&at=now", "at=now&departement=38"},
		{"departement=12+rue+des+Lilas&at=chez+Mme+Martin&limit=3+rue", "at=-&departement=-&limit=-"},
		{"force=Mme+Martin&format=rue&open=1+rue", "force=-&format=-&open=-"},
		// Unknown names are withheld with their values: a name can carry
		// a position.
		{"45.18812%2C5.72431", "-=-"},
		{"Mme+Martin=1&limit=2", "-=-&limit=2"},
		{strings.Repeat("limit=1&", maxQueryParams+1), "-"},
	}
	for _, tt := range tests {
		if got := redactQuery(tt.in); got != tt.want {
			t.Errorf("redactQuery(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestRedactQueryMatchesParseQuery checks redactQuery against the
// straightforward url.ParseQuery then Encode on random queries.
func TestRedactQueryMatchesParseQuery(t *testing.T) {
	reference := func(raw string) string {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return "-"
		}
		out := url.Values{}
		for k, vs := range q {
			for _, v := range vs {
				k, v := logParam(k, v)
				out[k] = append(out[k], v)
			}
		}
		return out.Encode()
	}
	r := geotest.Rand(t)
	tokens := []string{"lat", "lon", "q", "limit", "at", "open", "=", "=", "&", "&", ";", "%", "%2", "%3D", "%26", "+", "1.5", "48.85", "-2", "rue", "é", "x"}
	for range 20000 {
		var sb strings.Builder
		for range r.Intn(12) {
			sb.WriteString(tokens[r.Intn(len(tokens))])
		}
		raw := sb.String()
		if got, want := redactQuery(raw), reference(raw); got != want {
			t.Fatalf("redactQuery(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestMetricsRouteTemplate(t *testing.T) {
	s := mustConfiguredServer(t, DefaultConfig(), nil)
	h := s.Handler()
	id := s.Dataset().Stations(data.StationFilter{})[0].ID
	for _, target := range []string{"/v1/stations/" + id, "/v1/stations/" + id, "/v1/stations/gn-0", "/no/such/path"} {
		do(t, h, httptest.NewRequest(http.MethodGet, target, nil))
	}
	s.ObserveReload(true)
	s.ObserveReload(false)
	s.ObserveReload(false)
	s.ObserveBatchRows(250)

	rec := do(t, h, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`guichet_http_request_duration_seconds_bucket{route="/v1/stations/:id",status="200",le="0.1"} 2`,
		`guichet_http_requests_total{route="/v1/stations/:id",status="200"} 2`,
		`guichet_http_requests_total{route="/v1/stations/:id",status="404"} 1`,
		`guichet_http_requests_total{route="unmatched",status="404"} 1`,
		`guichet_dataset_reloads_total{outcome="ok"} 1`,
		`guichet_dataset_reloads_total{outcome="error"} 2`,
		`guichet_geocode_batch_rows_total 250`,
		"guichet_dataset_stations " + itoa(s.Dataset().Len()),
		"guichet_dataset_age_seconds ",
		"go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, id) || strings.Contains(body, "/no/such/path") {
		t.Errorf("/metrics labels a raw path:\n%s", body)
	}
}

func TestMetricsBeforeLoad(t *testing.T) {
	s := New(DefaultConfig(), nil, nil)
	body := do(t, s.Handler(), httptest.NewRequest(http.MethodGet, "/metrics", nil)).Body.String()
	if strings.Contains(body, "guichet_dataset_stations") || !strings.Contains(body, `guichet_dataset_reloads_total{outcome="error"} 0`) {
		t.Errorf("before the first load, /metrics should have reload counters and no dataset gauges:\n%s", body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	s := mustConfiguredServer(t, DefaultConfig(), nil)
	const widgetCSP = "default-src 'self'; frame-ancestors *"
	s.engine.GET("/widget/x-test", func(c *gin.Context) {
		c.Header("Content-Security-Policy", widgetCSP)
		c.String(http.StatusOK, "<p>")
	})
	for _, tt := range []struct{ target, csp string }{
		{"/v1/stations/nearest?lat=45&lon=5", contentSecurityPolicy},
		{"/v1/stations/nearest?lat=91&lon=5", contentSecurityPolicy},
		{"/healthz", contentSecurityPolicy},
		{"/metrics", contentSecurityPolicy},
		{"/nowhere", contentSecurityPolicy},
		{"/widget/x-test", widgetCSP},
	} {
		h := do(t, s.Handler(), httptest.NewRequest(http.MethodGet, tt.target, nil)).Header()
		// A data answer makes no request for a referrer policy to
		// govern; everything else may be a document.
		referrer := "no-referrer"
		if strings.HasPrefix(tt.target, "/v1/") {
			referrer = ""
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != referrer {
			t.Errorf("%s: nosniff %q, referrer %q, want %q", tt.target, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"), referrer)
		}
		if got := h.Values("Content-Security-Policy"); len(got) != 1 || got[0] != tt.csp {
			t.Errorf("%s: CSP %q, want %q", tt.target, got, tt.csp)
		}
	}
}

// TestGzip checks compression of answers encoded both ways: from the
// per-dataset fragments (JSON) and through encoding/json (GeoJSON).
func TestGzip(t *testing.T) {
	for _, big := range []string{
		"/v1/stations/nearest?lat=45.3&lon=5.6&limit=10&at=2026-12-02T10:00:00Z",
		"/v1/stations/nearest?lat=45.3&lon=5.6&limit=10&at=2026-12-02T10:00:00Z&format=geojson",
	} {
		t.Run(big, func(t *testing.T) { testGzip(t, big) })
	}
}

func testGzip(t *testing.T, big string) {
	s := mustConfiguredServer(t, DefaultConfig(), nil)
	// A handler that encodes its own answer must not be compressed twice.
	var pre bytes.Buffer
	zw := gzip.NewWriter(&pre)
	zw.Write([]byte(`{"pad":"` + strings.Repeat("x", 4000) + `"}`))
	zw.Close()
	s.engine.GET("/v1/pre-encoded", func(c *gin.Context) {
		c.Header("Content-Encoding", "gzip")
		c.Data(http.StatusOK, "application/json", pre.Bytes())
	})
	h := s.Handler()
	plain := do(t, h, httptest.NewRequest(http.MethodGet, big, nil))
	if plain.Body.Len() < 2*gzipMinBytes || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("plain answer: %d bytes, encoding %q", plain.Body.Len(), plain.Header().Get("Content-Encoding"))
	}
	tests := []struct {
		name, target, accept string
		gzipped              bool
	}{
		{"large JSON", big, "gzip, deflate, br", true},
		{"large JSON, gzip weighted", big, "br;q=1.0, gzip;q=0.5", true},
		{"large JSON, wildcard", big, "*", true},
		{"gzip refused", big, "gzip;q=0", false},
		{"no Accept-Encoding", big, "", false},
		{"small JSON", "/healthz", "gzip", false},
		{"small problem", "/v1/stations/nearest?lat=x&lon=5", "gzip", false},
		{"already encoded", "/v1/pre-encoded", "gzip", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.target, nil)
			if tt.accept != "" {
				req.Header.Set("Accept-Encoding", tt.accept)
			}
			rec := do(t, h, req)
			enc := rec.Header().Get("Content-Encoding")
			// Plain or not, the answer depends on Accept-Encoding.
			if !slices.Contains(varyFields(rec.Header()), "Accept-Encoding") {
				t.Errorf("Vary = %q, want Accept-Encoding", rec.Header().Values("Vary"))
			}
			if !tt.gzipped {
				if tt.target == "/v1/pre-encoded" {
					if !bytes.Equal(rec.Body.Bytes(), pre.Bytes()) {
						t.Errorf("pre-encoded body changed: %d bytes, want %d", rec.Body.Len(), pre.Len())
					}
					return
				}
				if enc != "" || !json.Valid(rec.Body.Bytes()) {
					t.Errorf("Content-Encoding %q, body valid JSON %v; want plain JSON", enc, json.Valid(rec.Body.Bytes()))
				}
				return
			}
			if enc != "gzip" || !slices.Contains(varyFields(rec.Header()), "Accept-Encoding") {
				t.Fatalf("Content-Encoding %q, Vary %q; want gzip, Accept-Encoding", enc, rec.Header().Values("Vary"))
			}
			got := gunzip(t, rec.Body)
			if !bytes.Equal(got, plain.Body.Bytes()) {
				t.Errorf("gunzipped body differs from the plain one:\n%s\n%s", got, plain.Body)
			}
			if rec.Body.Len() >= plain.Body.Len() {
				t.Errorf("gzipped %d bytes, plain %d", rec.Body.Len(), plain.Body.Len())
			}
		})
	}
}

// TestNearestGzipMatchesPlain asks for nearest stations at random points,
// with and without gzip, and checks that the gzipped answers decompress to
// the plain ones byte for byte.
func TestNearestGzipMatchesPlain(t *testing.T) {
	stations, communes := mustServer(t).Handler(), mustJurisdictionServer(t)
	r := geotest.Rand(t)
	for i := range 300 {
		h := stations
		target := fmt.Sprintf("/v1/stations/nearest?lat=%.5f&lon=%.5f&limit=%d&at=2026-12-%02dT%02d:30:00Z",
			42+r.Float64()*9, -5+r.Float64()*13, 1+r.Intn(100), 1+r.Intn(31), r.Intn(24))
		if i%3 == 0 {
			// Where the fixtures have communes: the answer names the
			// competent units after the stations.
			h = communes
			where := []string{"lat=45.05&lon=5.09", "lat=45.15&lon=5.25"}[r.Intn(2)]
			target = fmt.Sprintf("/v1/stations/nearest?%s&limit=%d&competent=true", where, 1+r.Intn(10))
		}
		plain := do(t, h, httptest.NewRequest(http.MethodGet, target, nil))
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		zipped := do(t, h, req)
		if plain.Code != http.StatusOK || zipped.Code != http.StatusOK {
			t.Fatalf("%s: status %d plain, %d gzipped", target, plain.Code, zipped.Code)
		}
		enc := zipped.Header().Get("Content-Encoding")
		if plain.Body.Len() < gzipMinBytes {
			if enc != "" || !bytes.Equal(zipped.Body.Bytes(), plain.Body.Bytes()) {
				t.Fatalf("%s: a %d-byte answer came with Content-Encoding %q", target, plain.Body.Len(), enc)
			}
			continue
		}
		if enc != "gzip" {
			t.Fatalf("%s: Content-Encoding %q", target, enc)
		}
		if cl := zipped.Header().Get("Content-Length"); cl != "" && cl != strconv.Itoa(zipped.Body.Len()) {
			t.Fatalf("%s: Content-Length %s, body %d bytes", target, cl, zipped.Body.Len())
		}
		got := gunzip(t, zipped.Body)
		if !bytes.Equal(got, plain.Body.Bytes()) {
			t.Fatalf("%s: gunzipped answer differs from the plain one:\n%s\n%s", target, got, plain.Body)
		}
	}
}

// echoBody registers a POST route that reads its whole body, as the batch
// upload does, and answers its length.
func echoBody(s *Server, path string, mw ...gin.HandlerFunc) {
	s.engine.POST(path, append(mw, func(c *gin.Context) {
		b, err := io.ReadAll(c.Request.Body)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"bytes": len(b)})
	})...)
}

// chunked hides the length of r, as a chunked upload does.
type chunked struct{ io.Reader }

func TestBodyLimit(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxBodyBytes = 100
	cfg.MaxBatchBytes = 1000
	s := mustConfiguredServer(t, cfg, nil)
	echoBody(s, "/v1/echo")
	tests := []struct {
		name, path string
		size       int
		hideLength bool
		status     int
	}{
		{"at the cap", "/v1/echo", 100, false, 200},
		{"declared over the cap", "/v1/echo", 101, false, 413},
		{"chunked over the cap", "/v1/echo", 101, true, 413},
		{"batch under its cap", batchCSVRoute, 1000, true, 200},
		{"batch declared over its cap", batchCSVRoute, 1001, false, 413},
		{"batch chunked over its cap", batchCSVRoute, 5000, true, 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload := strings.Repeat("a", tt.size)
			contentType := ""
			if tt.path == batchCSVRoute {
				// The real upload route: a multipart body of exactly
				// tt.size bytes whose file is one long header line.
				contentType, payload = multipartOfSize(tt.size)
			}
			var body io.Reader = strings.NewReader(payload)
			if tt.hideLength {
				body = chunked{body}
			}
			req := httptest.NewRequest(http.MethodPost, tt.path, body)
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			rec := do(t, s.Handler(), req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status == 413 {
				if p := decodeProblem(t, rec); p.Type != typeTooLarge {
					t.Errorf("problem type %q, want %q", p.Type, typeTooLarge)
				}
			}
		})
	}
}

// multipartOfSize returns a multipart/form-data body of exactly size
// bytes (size must exceed its framing) with one data part.
func multipartOfSize(size int) (contentType, body string) {
	const boundary = "b0undary"
	head := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"data\"; filename=\"f.csv\"\r\n\r\n"
	tail := "\r\n--" + boundary + "--\r\n"
	return "multipart/form-data; boundary=" + boundary, head + strings.Repeat("a", size-len(head)-len(tail)) + tail
}

func TestBatchSlot(t *testing.T) {
	cfg := DefaultConfig()
	cfg.BatchConcurrency = 1
	s := mustConfiguredServer(t, cfg, nil)
	entered, release := make(chan struct{}), make(chan struct{})
	// The slot does not depend on the path; the real upload route is
	// taken, so the probe gets its own.
	const batchCSVRoute = "/v1/batch-slot-probe"
	s.engine.POST(batchCSVRoute, func(c *gin.Context) {
		done, ok := s.takeBatchSlot(c)
		if !ok {
			return
		}
		defer done()
		if c.Query("hold") != "" {
			close(entered)
			<-release
		}
		c.JSON(http.StatusOK, gin.H{"ok": true})
	})
	post := func(target string) *httptest.ResponseRecorder {
		return do(t, s.Handler(), httptest.NewRequest(http.MethodPost, target, strings.NewReader("a,b\n")))
	}
	var wg sync.WaitGroup
	wg.Add(1)
	var first *httptest.ResponseRecorder
	go func() { defer wg.Done(); first = post(batchCSVRoute + "?hold=1") }()
	<-entered
	busy := post(batchCSVRoute)
	if busy.Code != http.StatusServiceUnavailable || busy.Header().Get("Retry-After") == "" {
		t.Errorf("second batch while one runs: status %d, Retry-After %q; want 503 with Retry-After", busy.Code, busy.Header().Get("Retry-After"))
	} else if p := decodeProblem(t, busy); p.Type != typeBusy {
		t.Errorf("problem type %q, want %q", p.Type, typeBusy)
	}
	close(release)
	wg.Wait()
	if first.Code != http.StatusOK {
		t.Errorf("held batch: status %d", first.Code)
	}
	if rec := post(batchCSVRoute); rec.Code != http.StatusOK {
		t.Errorf("batch after the slot is freed: status %d", rec.Code)
	}
}

// gunzip reads r as exactly one gzip member, as the standard library
// reads it, checking the CRC and length of its trailer.
func gunzip(tb testing.TB, r io.Reader) []byte {
	tb.Helper()
	zr, err := gzip.NewReader(r)
	if err != nil {
		tb.Fatalf("gzip header: %v", err)
	}
	zr.Multistream(false)
	b, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatalf("gzip: %v", err)
	}
	if rest, _ := io.ReadAll(r); len(rest) > 0 {
		tb.Fatalf("%d bytes after the gzip member", len(rest))
	}
	return b
}

// varyFields returns the field names of every Vary line of h.
func varyFields(h http.Header) []string {
	var fields []string
	for _, line := range h.Values("Vary") {
		for f := range strings.SplitSeq(line, ",") {
			fields = append(fields, strings.TrimSpace(f))
		}
	}
	return fields
}

func TestAddVary(t *testing.T) {
	for _, tt := range []struct {
		name string
		add  [][]string
		want []string
	}{
		{"one field", [][]string{varyAcceptEncoding}, []string{"Accept-Encoding"}},
		{"the /v1 pair", [][]string{varyAcceptEncoding, varyOrigin}, []string{"Accept-Encoding, Origin"}},
		{"the other order", [][]string{varyOrigin, varyAcceptEncoding}, []string{"Origin, Accept-Encoding"}},
		{"a field twice", [][]string{varyAcceptEncoding, varyOrigin, varyOrigin}, []string{"Accept-Encoding, Origin"}},
		{"after a handler's own", [][]string{{"Cookie"}, varyOrigin}, []string{"Cookie, Origin"}},
	} {
		h := http.Header{}
		for _, v := range tt.add {
			addVary(h, v)
		}
		if got := h.Values("Vary"); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Vary %q, want %q", tt.name, got, tt.want)
		}
	}
	// The prebuilt values are shared by every answer: adding to a header
	// must never write into them.
	if varyAcceptEncoding[0] != "Accept-Encoding" || varyOrigin[0] != "Origin" || len(varyAcceptEncodingOrigin) != 1 {
		t.Errorf("prebuilt Vary values changed: %q %q %q", varyAcceptEncoding, varyOrigin, varyAcceptEncodingOrigin)
	}
}
