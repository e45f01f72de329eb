// Package baseline is the trivial Gin server that scripts/load measures
// guichet against. It lives under api/ because only api/ imports Gin.
package baseline

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"strings"

	"github.com/gin-gonic/gin"
)

// Handler answers every GET with body as JSON or, when zipped (body's gzip
// encoding) is not nil and the client accepts gzip, with zipped. Every
// answer also carries header, which may be nil.
func Handler(body, zipped []byte, header http.Header) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.GET("/*any", func(c *gin.Context) {
		h := c.Writer.Header()
		for k, v := range header {
			h[k] = v
		}
		if zipped != nil && strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
			c.Header("Content-Encoding", "gzip")
			c.Data(http.StatusOK, "application/json", zipped)
			return
		}
		c.Data(http.StatusOK, "application/json", body)
	})
	return e
}

// ReadHeader reads a response's status line and header block, as curl -D
// writes them, and returns the fields a handler sets: those net/http or
// Handler compute (Content-Length, Content-Type, Content-Encoding, Date,
// Transfer-Encoding, Connection) are left out.
func ReadHeader(r io.Reader) (http.Header, error) {
	tp := textproto.NewReader(bufio.NewReader(r))
	status, err := tp.ReadLine()
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(status, "HTTP/") {
		return nil, fmt.Errorf("not a response's status line: %q", status)
	}
	mh, err := tp.ReadMIMEHeader()
	if err != nil && err != io.EOF {
		return nil, err
	}
	h := http.Header(mh)
	for _, k := range []string{"Content-Length", "Content-Type", "Content-Encoding", "Date", "Transfer-Encoding", "Connection"} {
		h.Del(k)
	}
	return h, nil
}
