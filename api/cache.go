package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"guichet/data"
)

// cacheMaxAge is how long a client may reuse a data response. Opening-hours
// states depend on the current minute, so validators change every minute
// unless the request fixes the instant with at=.
const cacheMaxAge = 60

var cacheControlValue = []string{"public, max-age=" + strconv.Itoa(cacheMaxAge)}

// dataset returns the dataset a data request is answered from, which the
// handler then uses throughout, so that a reload in the middle of a
// request never mixes two datasets. It sets the dataset's headers and
// answers a conditional request before the handler does any work. It
// returns nil when it has answered: 503 before the first load, or 304.
// Every /v1 handler calls it once, first; the Gin context's key map would
// cost each request an allocation to carry the same pointer.
func (s *Server) dataset(c *gin.Context) *data.Dataset {
	ds := s.current(c)
	if ds == nil {
		return nil
	}
	h := c.Writer.Header()
	enc := s.encodedFor(ds)
	if enc == nil { // a reload swapped ds out in the meantime
		enc = newEncodeCache(ds)
	}
	h["X-Dataset-Version"] = enc.version
	if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
		return ds
	}
	var etag []string
	if queryOf(c).has("at") {
		h["Last-Modified"] = enc.lastModified
		etag = enc.fixedETag
	} else {
		// Opening-hours states follow the clock: the answer may change
		// every minute, and so does its ETag. It has no Last-Modified:
		// the ETag validates it, max-age sets its freshness, and the
		// line would be the ninth in the header map, past which net/http
		// copies a table instead of one group for every answer
		// (BENCHMARKS.md, Header lines).
		etag = enc.etagAt(s.now().Unix() / cacheMaxAge)
	}
	h["Etag"] = etag
	h["Cache-Control"] = cacheControlValue
	if ifNoneMatch(c.Request.Header, etag[0]) {
		c.AbortWithStatus(http.StatusNotModified)
		return nil
	}
	return ds
}

// current returns the dataset being served, or answers 503 and returns nil.
func (s *Server) current(c *gin.Context) *data.Dataset {
	ds := s.ds.Load()
	if ds == nil {
		detail := "the open data is still loading"
		if what := s.loading.Load(); what != nil && *what != "" {
			detail += ": " + *what
		}
		s.fail(c, &refusal{Type: typeNotReady, Detail: detail, RetryAfter: 5})
	}
	return ds
}

// ifNoneMatch reports whether the request's If-None-Match names etag, on
// any of its lines: several lines are one comma-separated list (RFC 9110
// §5.3). It is the one validator check of every route.
func ifNoneMatch(h http.Header, etag string) bool {
	for _, line := range h["If-None-Match"] {
		if etagMatches(line, etag) {
			return true
		}
	}
	return false
}

// etagMatches implements the weak comparison of If-None-Match (RFC 9110
// §8.8.3.2) on one header line, without allocating.
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for header != "" {
		var candidate string
		candidate, header, _ = strings.Cut(header, ",")
		candidate = strings.TrimSpace(candidate)
		if candidate == "*" || strings.TrimPrefix(candidate, "W/") == want {
			return true
		}
	}
	return false
}
