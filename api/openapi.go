package api

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"

	"github.com/gin-gonic/gin"
)

// openAPIDocument is the contract of every route, OpenAPI 3.1. The tests
// check it against the registered routes and validate real responses
// against it, so it cannot drift from the handlers.
//
//go:embed openapi.json
var openAPIDocument []byte

// staticDoc is an immutable document served with a strong validator.
type staticDoc struct {
	contentType string
	body        []byte
	etag        string
}

func newStaticDoc(contentType string, body []byte) *staticDoc {
	sum := sha256.Sum256(body)
	return &staticDoc{contentType: contentType, body: body, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}

func (d *staticDoc) serve(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("ETag", d.etag)
	h.Set("Cache-Control", "public, max-age=300")
	if ifNoneMatch(c.Request.Header, d.etag) {
		c.AbortWithStatus(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, d.contentType, d.body)
}

// registerDocsRoutes serves the OpenAPI document and its HTML rendering.
func (s *Server) registerDocsRoutes(e *gin.Engine) {
	spec := newStaticDoc("application/json", openAPIDocument)
	getAndHead(e, "/openapi.json", func(c *gin.Context) {
		// Tools and other sites' documentation pages read the contract.
		c.Header("Access-Control-Allow-Origin", "*")
		spec.serve(c)
	})
	page := newStaticDoc("text/html; charset=utf-8", docsPage)
	getAndHead(e, "/docs", func(c *gin.Context) {
		c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		page.serve(c)
	})
}
