package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"guichet/data"
)

// The offline bundle is every station in one GeoJSON file, for apps that
// keep the national list on the phone and refresh it when it changes. It
// depends on the dataset only, so it is encoded and compressed once per
// dataset, on first request, at the best ratio: every client after that
// gets bytes ready to send.

// bundleCacheControl lets an app reuse the bundle for an hour, then
// revalidate it with If-None-Match, which costs a 304 while the dataset is
// the same.
var bundleCacheControl = []string{"public, max-age=3600"}

// bundleVariant is the bundle in one content coding.
type bundleVariant struct {
	coding []string // Content-Encoding, nil for identity
	body   []byte
	length []string
	etag   []string
}

type offlineBundle struct {
	identity, gzip, zstd bundleVariant
	lastModified         []string
	version              []string
}

// bundleOf returns the bundle of ds, built once per dataset served.
func (s *Server) bundleOf(ds *data.Dataset) *offlineBundle {
	c := s.encodedFor(ds)
	if c == nil { // a reload swapped ds out: build it for this request only
		return newOfflineBundle(ds, s.fragments(ds))
	}
	c.bundleOnce.Do(func() { c.bundle = newOfflineBundle(ds, s.fragments(ds)) })
	return c.bundle
}

func newOfflineBundle(ds *data.Dataset, frags *fragmentTable) *offlineBundle {
	enc := newStationEncoder(ds, frags, maskOffline, time.Time{})
	b := append([]byte(nil), `{"type":"FeatureCollection","dataset_version":`...)
	b = appendJSONString(b, ds.Version())
	b = append(b, `,"features":[`...)
	for i, st := range ds.Stations(data.StationFilter{}) {
		if i > 0 {
			b = append(b, ',')
		}
		b = enc.appendFeature(b, st, 0, false)
	}
	b = append(b, "]}"...)

	sum := sha256.Sum256(b)
	tag := hex.EncodeToString(sum[:12])
	variant := func(coding string, body []byte) bundleVariant {
		v := bundleVariant{body: body, length: []string{strconv.Itoa(len(body))}}
		if coding == "" {
			v.etag = []string{`"` + tag + `"`}
		} else {
			// A strong validator names one representation: each coding
			// has its own (RFC 9110 §8.8.3).
			v.coding = []string{coding}
			v.etag = []string{`"` + tag + "-" + coding + `"`}
		}
		return v
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	zs, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression))
	zb := zs.EncodeAll(b, nil)
	zs.Close()
	return &offlineBundle{
		identity:     variant("", b),
		gzip:         variant("gzip", gz.Bytes()),
		zstd:         variant("zstd", zb),
		lastModified: []string{ds.LoadedAt().UTC().Format(http.TimeFormat)},
		version:      []string{ds.Version()},
	}
}

// choose returns the variant for an Accept-Encoding value: zstd, the
// smaller, when the client prefers it at least as much as gzip, then gzip,
// then identity.
func (b *offlineBundle) choose(acceptEncoding string) *bundleVariant {
	z, g := codingQ(acceptEncoding, "zstd"), codingQ(acceptEncoding, "gzip")
	switch {
	case z > 0 && z >= g:
		return &b.zstd
	case g > 0:
		return &b.gzip
	}
	return &b.identity
}

// matches reports whether If-None-Match names any variant of the bundle:
// they are the same content, so a client holding one needs none.
func (b *offlineBundle) matches(h http.Header) bool {
	for _, v := range []*bundleVariant{&b.identity, &b.gzip, &b.zstd} {
		if ifNoneMatch(h, v.etag[0]) {
			return true
		}
	}
	return false
}

// codingQ returns the quality an Accept-Encoding value gives a content
// coding, named or through *; 0 when refused or not named.
func codingQ(acceptEncoding, coding string) float64 {
	q, star := -1.0, -1.0
	for part := range strings.SplitSeq(acceptEncoding, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.TrimSpace(name)
		v := 1.0
		for p := range strings.SplitSeq(params, ";") {
			if k, val, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				v = f
			}
		}
		switch {
		case strings.EqualFold(name, coding):
			q = v
		case name == "*":
			star = v
		}
	}
	if q < 0 {
		q = star
	}
	return max(q, 0)
}

func (s *Server) offlineBundle(c *gin.Context) {
	ds := s.current(c)
	if ds == nil {
		return
	}
	b := s.bundleOf(ds)
	v := b.choose(c.GetHeader("Accept-Encoding"))
	h := c.Writer.Header()
	h["X-Dataset-Version"] = b.version
	h["Etag"] = v.etag
	h["Last-Modified"] = b.lastModified
	h["Cache-Control"] = bundleCacheControl
	if b.matches(c.Request.Header) {
		c.AbortWithStatus(http.StatusNotModified)
		return
	}
	h["Content-Type"] = geoJSONContentType
	h["Content-Length"] = v.length
	if v.coding != nil {
		h["Content-Encoding"] = v.coding
	}
	c.Status(http.StatusOK)
	c.Writer.Write(v.body)
}
