package api

import (
	"cmp"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"guichet/data"
	"guichet/data/batch"
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
	typeTooManyRequests  = "/problems/too-many-requests"
	typeTooLarge         = "/problems/body-too-large"
	typeBusy             = "/problems/busy"
	typeUnsupportedMedia = "/problems/unsupported-media-type"
	typeSlowUpload       = "/problems/upload-too-slow"
)

// problemKind is how one problem type is answered.
type problemKind struct {
	status int
	title  string
	// closes asks the client to drop the connection: its unread body
	// would otherwise be drained to keep it, and reading megabytes we
	// refuse, or waiting on a client trickling them, costs more than a
	// new connection.
	closes bool
}

// problemKinds is the table of every problem the API answers, by type.
// problemOf chooses the row for an error; nothing else picks a status for
// an error.
var problemKinds = map[string]problemKind{
	typeInvalidParameter: {http.StatusBadRequest, "Invalid parameter", false},
	typeNotFound:         {http.StatusNotFound, "Not found", false},
	typeMethodNotAllowed: {http.StatusMethodNotAllowed, "Method not allowed", false},
	typeNotReady:         {http.StatusServiceUnavailable, "Service not ready", false},
	typeInternal:         {http.StatusInternalServerError, "Internal error", false},
	typeUnauthorized:     {http.StatusUnauthorized, "Unauthorized", false},
	typeReloadRefused:    {http.StatusUnprocessableEntity, "Reload refused", false},
	typeTooManyRequests:  {http.StatusTooManyRequests, "Too many requests", false},
	typeTooLarge:         {http.StatusRequestEntityTooLarge, "Request body too large", true},
	typeBusy:             {http.StatusServiceUnavailable, "Server busy", false},
	typeUnsupportedMedia: {http.StatusUnsupportedMediaType, "Unsupported media type", false},
	typeSlowUpload:       {http.StatusRequestTimeout, "Upload too slow", true},
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

// ParamError is a refused request parameter: a query parameter, or a
// field of the batch upload. Name is the parameter as the client sent it.
type ParamError struct {
	Name   string
	Reason string
}

func (e *ParamError) Error() string { return e.Name + ": " + e.Reason }

func badParam(name, reason string) error { return &ParamError{Name: name, Reason: reason} }

// refusal is an answer the API decides itself, about no parameter: no
// such route, not ready, too many requests... Type is a key of
// problemKinds.
type refusal struct {
	Type   string
	Detail string
	// RetryAfter, in seconds when positive, tells the client when to
	// come back.
	RetryAfter int
}

func (e *refusal) Error() string { return e.Detail }

func refuse(typ, detail string) error { return &refusal{Type: typ, Detail: detail} }

// internalDetail is all a client learns of a failure of ours; the log
// has the error.
const internalDetail = "the server could not answer this request"

// problemOf maps an error to its problem type, detail and named
// parameters. It returns typeInternal and false for an error it does not
// know, whose message must not reach the client.
func problemOf(err error) (typ, detail string, params []invalidParam, retryAfter int, known bool) {
	var (
		pe  *ParamError
		ie  *batch.InputError
		r   *refusal
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &pe):
	case errors.As(err, &ie):
		// The batch upload's file is its part named data.
		pe = &ParamError{Name: cmp.Or(ie.Option, "data"), Reason: ie.Reason}
	}
	if pe != nil {
		return typeInvalidParameter, pe.Error(), []invalidParam{{pe.Name, pe.Reason}}, 0, true
	}
	switch {
	case errors.As(err, &r):
		if _, ok := problemKinds[r.Type]; ok {
			return r.Type, r.Detail, nil, r.RetryAfter, true
		}
	case errors.As(err, &mbe):
		return typeTooLarge, "the request body is larger than " + strconv.FormatInt(mbe.Limit, 10) + " bytes", nil, 0, true
	case errors.Is(err, data.ErrInvalid):
		return typeInvalidParameter, err.Error(), nil, 0, true
	case errors.Is(err, data.ErrNotFound):
		return typeNotFound, err.Error(), nil, 0, true
	}
	return typeInternal, internalDetail, nil, 0, false
}

// fail answers err as a problem and stops the handler chain. It is the
// only place where errors become HTTP statuses; unknown errors are logged
// and hidden behind a 500.
func (s *Server) fail(c *gin.Context, err error) {
	typ, detail, params, retryAfter, known := problemOf(err)
	if !known {
		s.log.Error("request failed", slog.String("route", c.FullPath()), slog.Any("error", err))
	}
	kind := problemKinds[typ]
	h := c.Writer.Header()
	h.Del("ETag")
	h.Del("Last-Modified")
	h.Set("Content-Type", problemContentType)
	h.Set("Cache-Control", "no-store")
	if retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(retryAfter))
	}
	if kind.closes {
		h.Set("Connection", "close")
	}
	c.Render(kind.status, problemRender{problem{
		Type:          typ,
		Title:         kind.title,
		Status:        kind.status,
		Detail:        detail,
		Instance:      c.Request.URL.Path,
		InvalidParams: params,
	}})
	c.Abort()
}
