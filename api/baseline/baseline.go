// Package baseline is the trivial Gin server that scripts/load measures
// guichet against. It lives under api/ because only api/ imports Gin.
package baseline

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// Handler answers every GET with body as JSON or, when zipped (body's gzip
// encoding) is not nil and the client accepts gzip, with zipped.
func Handler(body, zipped []byte) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.GET("/*any", func(c *gin.Context) {
		if zipped != nil && strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
			c.Header("Content-Encoding", "gzip")
			c.Data(http.StatusOK, "application/json", zipped)
			return
		}
		c.Data(http.StatusOK, "application/json", body)
	})
	return e
}
