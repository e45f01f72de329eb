package api

import (
	"bufio"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	// klauspost/compress: the same gzip API, about three times faster at
	// BestSpeed than compress/gzip, which matters on every large answer.
	"github.com/klauspost/compress/gzip"
)

// useMiddleware installs the middlewares every route goes through and the
// /metrics route. New calls it before registering any route, since Gin
// applies Use only to routes registered after it.
func (s *Server) useMiddleware(e *gin.Engine) {
	if s.cfg.RateLimit > 0 {
		s.limiter = newLimiter(s.cfg.RateLimit, s.cfg.RateBurst, s.cfg.RateClients)
	}
	s.batchSem = make(chan struct{}, s.cfg.BatchConcurrency)
	s.metrics = newMetrics(s)
	// observe comes first to log and count every answer, recoverProblem
	// next so that a panic is still logged as a 500, compress last so that
	// refusals are not compressed for nothing.
	e.Use(s.observe, s.recoverProblem, s.secureHeaders, s.cors, s.rateLimit, s.checkQuery, s.limitBody, s.compress)
	getAndHead(e, "/metrics", s.metricsHandler())
}

// batchCSVRoute is the batch geocoding upload: the one route allowed a
// body of MaxBatchBytes rather than MaxBodyBytes.
const batchCSVRoute = "/v1/geocode/csv"

// requestIDHeader carries the request id in both directions, so that a
// client or proxy can quote it and find our log line.
const requestIDHeader = "X-Request-Id"

// validRequestID reports whether an incoming id is short and made of
// characters that cannot break a log line or a header.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		if !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '.' || b == '_' || b == '-') {
			return false
		}
	}
	return true
}

// observe assigns the request id, then logs and counts the request once it
// is answered. It runs first so that it sees every answer, including the
// 429s and 413s of the middlewares after it.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	id := c.GetHeader(requestIDHeader)
	if !validRequestID(id) {
		id = s.requestIDs.next()
	}
	// Assigned, not Set: the key is canonical already.
	c.Writer.Header()[requestIDHeader] = []string{id}
	c.Next()
	took := time.Since(start)
	route := c.FullPath()
	status := c.Writer.Status()
	s.metrics.observe(route, status, took)
	ctx := c.Request.Context()
	h := s.log.Handler()
	if !h.Enabled(ctx, slog.LevelInfo) {
		return
	}
	// A record without a caller's pc: the source line of an access log is
	// always this one, and finding it costs a stack walk per request.
	rec := slog.NewRecord(start.Add(took), slog.LevelInfo, "request", 0)
	// Added in one call: a record holds five attributes in place and
	// allocates for more, once per call.
	var attrsArr [8]slog.Attr
	attrs := append(attrsArr[:0],
		slog.String("request_id", id),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(took.Microseconds())/1000),
		slog.Int("bytes", max(c.Writer.Size(), 0)),
	)
	if s.cfg.LogFullQueries {
		attrs = append(attrs, slog.String("path", c.Request.URL.Path), slog.String("query", c.Request.URL.RawQuery))
	} else if c.Request.URL.RawQuery != "" {
		attrs = append(attrs, slog.String("query", redactQuery(c.Request.URL.RawQuery)))
	}
	rec.AddAttrs(attrs...)
	// A handler that cannot write has nowhere to report it either.
	_ = h.Handle(ctx, rec)
}

// requestIDs generates the ids of requests that come without one: a
// random prefix drawn at start, then a counter. They only need to be
// unique, and a counter is a fraction of the cost of 16 random bytes per
// request.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	return &requestIDs{prefix: rand.Text()[:14]}
}

// next returns a new id: the prefix and the counter in base 32, 26
// characters of [A-Z2-7] like crypto/rand.Text's.
func (g *requestIDs) next() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var b [26]byte
	copy(b[:], g.prefix)
	n := g.n.Add(1)
	for i := len(b) - 1; i >= len(g.prefix); i-- {
		b[i] = alphabet[n&31]
		n >>= 5
	}
	return string(b[:])
}

// redactQuery returns the query for logging: coordinates rounded to 0.01°
// (about a kilometre, enough to see where load comes from without
// locating anyone), harmless parameters as sent once checked, and any
// other value — free text such as q may be a home address — or unknown
// name replaced by "-" (see logParam).
func redactQuery(raw string) string {
	raw0 := raw
	// What url.ParseQuery then Encode would give, without their map.
	var pairsArr [16][2]string
	pairs := pairsArr[:0]
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if strings.Contains(kv, ";") {
			return "-"
		}
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return "-"
		}
		if len(pairs) == maxQueryParams {
			// A refused flood of parameters: the log line stays short.
			return "-"
		}
		k, v = logParam(k, v)
		pairs = append(pairs, [2]string{k, v})
	}
	slices.SortStableFunc(pairs, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	var sb strings.Builder
	// One allocation: the redacted query is about as long as the raw one
	// (coordinates rounded, other values withheld).
	sb.Grow(len(raw0) + 8)
	for i, p := range pairs {
		if i > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(url.QueryEscape(p[0]))
		sb.WriteByte('=')
		sb.WriteString(url.QueryEscape(p[1]))
	}
	return sb.String()
}

func roundCoord(v string) string {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return "-"
	}
	return strconv.FormatFloat(math.Round(f*100)/100, 'f', 2, 64)
}

// contentSecurityPolicy forbids everything: API answers are data, never
// documents to render or frame.
const contentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'"

// The values of the headers every answer carries, built once: they are
// assigned to the header map as is, with keys already canonical, which
// costs a request neither allocations nor key canonicalisation. Each has
// len == cap, so an Add elsewhere copies instead of writing into them.
var (
	nosniffValue = []string{"nosniff"}
	noReferrer   = []string{"no-referrer"}
	apiCSPValue  = []string{contentSecurityPolicy}

	gzipEncoding             = []string{"gzip"}
	varyAcceptEncoding       = []string{"Accept-Encoding"}
	varyOrigin               = []string{"Origin"}
	varyAcceptEncodingOrigin = []string{"Accept-Encoding, Origin"}
	varyOriginAcceptEncoding = []string{"Origin, Accept-Encoding"}
)

// addVary adds a prebuilt one-field Vary value to h, joining it to the
// fields already there: one header line costs both ends less than one per
// field, and the pair every /v1 answer carries is prebuilt.
func addVary(h http.Header, v []string) {
	switch old := h["Vary"]; {
	case len(old) == 0:
		h["Vary"] = v
	case len(old) == 1 && old[0] == varyAcceptEncoding[0] && v[0] == varyOrigin[0]:
		h["Vary"] = varyAcceptEncodingOrigin
	case len(old) == 1 && old[0] == varyOrigin[0] && v[0] == varyAcceptEncoding[0]:
		h["Vary"] = varyOriginAcceptEncoding
	default:
		joined := strings.Join(old, ", ")
		for field := range strings.SplitSeq(joined, ",") {
			if strings.EqualFold(strings.TrimSpace(field), v[0]) {
				return
			}
		}
		h["Vary"] = []string{joined + ", " + v[0]}
	}
}

// secureHeaders sets the headers every answer carries, refusals included:
// no content sniffing and, except on the widget's paths, whose handlers
// set a policy of their own, no rendering and no framing. The policy's
// frame-ancestors 'none' forbids framing in every browser that implements
// CSP level 2, which then ignore X-Frame-Options: that header would be
// one more line for every client to parse, for nothing. No referrer
// either, except on the data answers under /v1/: a referrer policy
// governs the requests a document makes, and a data answer, which its
// policy forbids to load anything, makes none.
func (s *Server) secureHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h["X-Content-Type-Options"] = nosniffValue
	if !strings.HasPrefix(c.Request.URL.Path, "/v1/") {
		h["Referrer-Policy"] = noReferrer
	}
	if !isWidgetPath(c.Request.URL.Path) {
		h["Content-Security-Policy"] = apiCSPValue
	}
	c.Next()
}

// limitBody caps request bodies. A declared length over the cap is refused
// before reading, with the error http.MaxBytesReader gives an undeclared
// one that it cuts, so that both get the same 413.
func (s *Server) limitBody(c *gin.Context) {
	limit := s.cfg.MaxBodyBytes
	if c.FullPath() == batchCSVRoute {
		limit = s.cfg.MaxBatchBytes
	}
	if c.Request.ContentLength > limit {
		s.fail(c, &http.MaxBytesError{Limit: limit})
		return
	}
	if c.Request.Body != nil && c.Request.Body != http.NoBody {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	c.Next()
}

// isTooLarge reports whether err comes from reading past the body cap.
func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// takeBatchSlot admits at most Config.BatchConcurrency batch requests at
// once: a batch keeps a core busy for seconds, and lookups must stay fast
// while it runs. A request finding no free slot is refused at once with
// 503 rather than queued. The caller calls release when done.
func (s *Server) takeBatchSlot(c *gin.Context) (release func(), ok bool) {
	select {
	case s.batchSem <- struct{}{}:
		return func() { <-s.batchSem }, true
	default:
		s.fail(c, &refusal{Type: typeBusy, Detail: "all batch geocoding slots are busy; retry later", RetryAfter: 10})
		return nil, false
	}
}

// gzipMinBytes is the body size from which compressing pays on a phone
// link. Measured on guichet's answers (BenchmarkGzipAnswer, BENCHMARKS.md):
// gzip saves 40 bytes of a 199-byte problem and 90 of a 409-byte station,
// less link time at 20 Mbit/s than compressing and decompressing cost; it
// saves 374 of 779 bytes (two stations), several times its cost.
const gzipMinBytes = 512

var gzipWriters = sync.Pool{New: func() any {
	// BestSpeed: the bodies are small and CPU is the scarce resource.
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return w
}}

// compress gzips JSON answers larger than gzipMinBytes for clients that
// accept it. Anything a handler already encoded is left alone.
func (s *Server) compress(c *gin.Context) {
	// Every variant names what it varies on, the plain one included:
	// answers are cacheable, and a shared cache that stored a plain answer
	// without Vary would serve it to every client.
	addVary(c.Writer.Header(), varyAcceptEncoding)
	if !acceptsGzip(c.GetHeader("Accept-Encoding")) {
		c.Next()
		return
	}
	w := gzipWrappers.Get().(*gzipWriter)
	w.ResponseWriter = c.Writer
	c.Writer = w
	defer func() {
		w.finish()
		c.Writer = w.ResponseWriter
		*w = gzipWriter{}
		gzipWrappers.Put(w)
	}()
	c.Next()
}

// gzipWrappers recycles the wrappers of answers to clients that accept
// gzip: every such answer needs one, compressed or not.
var gzipWrappers = sync.Pool{New: func() any { return new(gzipWriter) }}

// acceptsGzip reports whether an Accept-Encoding value allows gzip: it
// names gzip, or * without naming gzip, with a quality above 0.
func acceptsGzip(ae string) bool { return codingQ(ae, "gzip") > 0 }

func compressible(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.TrimSpace(mt)
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// gzipWriter holds back the first gzipMinBytes of the body to decide
// whether to compress: only then are the size and the headers known.
type gzipWriter struct {
	gin.ResponseWriter
	buf     []byte
	decided bool
	gz      *gzip.Writer
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	if w.gz != nil {
		return w.gz.Write(b)
	}
	if w.decided {
		return w.ResponseWriter.Write(b)
	}
	if len(w.buf)+len(b) >= gzipMinBytes {
		// Decided on the held-back bytes and these, which are written
		// without first being copied: handlers write whole bodies.
		if err := w.decide(b); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	w.buf = append(w.buf, b...)
	return len(b), nil
}

func (w *gzipWriter) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

// Unwrap lets http.ResponseController reach the connection, for handlers
// that set their own deadlines.
func (w *gzipWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// decide starts compressing if the answer is worth it, then writes what
// was held back and more.
func (w *gzipWriter) decide(more []byte) error {
	w.decided = true
	h := w.Header()
	if ct := h["Content-Type"]; len(ct) > 0 && compressible(ct[0]) {
		if len(h["Content-Encoding"]) == 0 && len(w.buf)+len(more) >= gzipMinBytes {
			h["Content-Encoding"] = gzipEncoding
			delete(h, "Content-Length")
			w.gz = gzipWriters.Get().(*gzip.Writer)
			w.gz.Reset(w.ResponseWriter)
		}
	}
	buf := w.buf
	w.buf = nil
	var out io.Writer = w.ResponseWriter
	if w.gz != nil {
		out = w.gz
	}
	for _, p := range [][]byte{buf, more} {
		if len(p) > 0 {
			if _, err := out.Write(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// finish writes a small held-back body as is, or ends the gzip stream.
func (w *gzipWriter) finish() {
	if !w.decided {
		w.decide(nil)
	}
	if w.gz != nil {
		w.gz.Close()
		w.gz.Reset(nil)
		gzipWriters.Put(w.gz)
		w.gz = nil
	}
}

// WriteHeaderNow commits to the headers, so the decision is taken on what
// was written so far.
func (w *gzipWriter) WriteHeaderNow() {
	if !w.decided {
		w.decide(nil)
	}
	w.ResponseWriter.WriteHeaderNow()
}

func (w *gzipWriter) Flush() {
	if !w.decided {
		w.decide(nil)
	}
	if w.gz != nil {
		w.gz.Flush()
	}
	w.ResponseWriter.Flush()
}

func (w *gzipWriter) Written() bool { return len(w.buf) > 0 || w.ResponseWriter.Written() }

func (w *gzipWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.decided = true
	return w.ResponseWriter.Hijack()
}
