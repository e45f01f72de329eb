package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"guichet/data"
)

// problemContentType is the media type of every error body (RFC 9457).
const problemContentType = "application/problem+json"

// Problem types. They are stable: clients may switch on them.
const (
	typeInvalidParameter = "/problems/invalid-parameter"
	typeNotFound         = "/problems/not-found"
	typeMethodNotAllowed = "/problems/method-not-allowed"
	typeNotReady         = "/problems/not-ready"
	typeInternal         = "/problems/internal"
	typeUnauthorized     = "/problems/unauthorized"
	typeReloadRefused    = "/problems/reload-refused"
)

var problemTitles = map[string]string{
	typeInvalidParameter: "Invalid parameter",
	typeNotFound:         "Not found",
	typeMethodNotAllowed: "Method not allowed",
	typeNotReady:         "Service not ready",
	typeInternal:         "Internal error",
	typeUnauthorized:     "Unauthorized",
	typeReloadRefused:    "Reload refused",
}

// problem is the RFC 9457 body. InvalidParams follows the RFC's own
// example extension so that clients can point at the faulty field.
type problem struct {
	Type          string         `json:"type"`
	Title         string         `json:"title"`
	Status        int            `json:"status"`
	Detail        string         `json:"detail,omitempty"`
	Instance      string         `json:"instance,omitempty"`
	InvalidParams []invalidParam `json:"invalid_params,omitempty"`
}

type invalidParam struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// paramError is a query decoding failure that names its parameter.
type paramError struct {
	name   string
	reason string
}

func (e *paramError) Error() string { return e.name + ": " + e.reason }

func badParam(name, reason string) error { return &paramError{name: name, reason: reason} }

func writeProblem(c *gin.Context, status int, typ, detail string, params ...invalidParam) {
	body := problem{
		Type:          typ,
		Title:         problemTitles[typ],
		Status:        status,
		Detail:        detail,
		Instance:      c.Request.URL.Path,
		InvalidParams: params,
	}
	h := c.Writer.Header()
	h.Del("ETag")
	h.Del("Last-Modified")
	h.Set("Content-Type", problemContentType)
	h.Set("Cache-Control", "no-store")
	c.Render(status, problemRender{body})
	c.Abort()
}

// fail maps any error to its problem. It is the only place where domain
// errors become HTTP statuses; unknown errors are logged and hidden.
func (s *Server) fail(c *gin.Context, err error) {
	var pe *paramError
	switch {
	case errors.As(err, &pe):
		writeProblem(c, http.StatusBadRequest, typeInvalidParameter, pe.Error(), invalidParam{pe.name, pe.reason})
	case errors.Is(err, data.ErrInvalid):
		writeProblem(c, http.StatusBadRequest, typeInvalidParameter, err.Error())
	case errors.Is(err, data.ErrNotFound):
		writeProblem(c, http.StatusNotFound, typeNotFound, err.Error())
	case isTooLarge(err):
		tooLarge(c, tooLargeLimit(err))
	default:
		s.log.Error("request failed", slog.String("route", c.FullPath()), slog.Any("error", err))
		writeProblem(c, http.StatusInternalServerError, typeInternal, "the server could not answer this request")
	}
}
