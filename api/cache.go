package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"guichet/data"
)

// datasetKey holds, in the Gin context, the dataset pinned for the request.
const datasetKey = "guichet.dataset"

// cacheMaxAge is how long a client may reuse a data response. Opening-hours
// states depend on the current minute, so validators change every minute
// unless the request fixes the instant with at=.
const cacheMaxAge = 60

var cacheControlValue = []string{"public, max-age=" + strconv.Itoa(cacheMaxAge)}

// hasQueryParam reports whether the raw query names the parameter name
// with a non-empty value, as c.Query would see it, without parsing the
// whole query into a map.
func hasQueryParam(raw, name string) bool {
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(kv, "=")
		if k == name {
			return v != ""
		}
		if strings.Contains(k, "%") {
			if dk, err := url.QueryUnescape(k); err == nil && dk == name {
				return v != ""
			}
		}
	}
	return false
}

// pinDataset fixes the dataset a request is answered from, so that a reload
// in the middle of a request can never mix two datasets, and answers
// conditional requests from the dataset version before doing any work.
func (s *Server) pinDataset(c *gin.Context) {
	ds := s.ds.Load()
	if ds == nil {
		c.Next()
		return
	}
	c.Set(datasetKey, ds)
	h := c.Writer.Header()
	enc := s.encodedFor(ds)
	if enc == nil { // a reload swapped ds out in the meantime
		enc = newEncodeCache(ds)
	}
	h["X-Dataset-Version"] = enc.version
	if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
		c.Next()
		return
	}
	etag := `W/"` + ds.Version()
	if !hasQueryParam(c.Request.URL.RawQuery, "at") {
		etag += "-" + strconv.FormatInt(s.now().Unix()/cacheMaxAge, 36)
	}
	etag += `"`
	h["Etag"] = []string{etag}
	h["Last-Modified"] = enc.lastModified
	h["Cache-Control"] = cacheControlValue
	if etagMatches(c.GetHeader("If-None-Match"), etag) {
		c.AbortWithStatus(http.StatusNotModified)
		return
	}
	c.Next()
}

// etagMatches implements the weak comparison of If-None-Match (RFC 9110).
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, candidate := range strings.Split(header, ",") {
		candidate = strings.TrimSpace(candidate)
		if candidate == "*" || strings.TrimPrefix(candidate, "W/") == want {
			return true
		}
	}
	return false
}

// pinned returns the dataset pinned by pinDataset, if any.
func pinned(c *gin.Context) (*data.Dataset, bool) {
	v, ok := c.Get(datasetKey)
	if !ok {
		return nil, false
	}
	ds, ok := v.(*data.Dataset)
	return ds, ok
}
