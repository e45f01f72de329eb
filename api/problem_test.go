package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"guichet/data"
	"guichet/data/batch"
)

// failWith answers err through Server.fail on a bare request, and returns
// the answer and what was logged.
func failWith(t *testing.T, err error) (*httptest.ResponseRecorder, string) {
	t.Helper()
	var logs bytes.Buffer
	s := New(DefaultConfig(), nil, slog.New(slog.NewTextHandler(&logs, nil)))
	rec := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(rec)
	c.Request = httptest.NewRequest(http.MethodGet, "/v1/somewhere", nil)
	s.fail(c, err)
	return rec, logs.String()
}

// TestErrorProblemTable checks that every typed error maps to its
// documented problem: the status, type and title of its row, the
// parameter it names, and the headers its row asks for.
func TestErrorProblemTable(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		typ    string
		param  *invalidParam
		detail string
		header [2]string
	}{
		{"parameter", badParam("lat", "is required"), 400, typeInvalidParameter, &invalidParam{"lat", "is required"}, "lat: is required", [2]string{}},
		{"wrapped parameter", fmt.Errorf("decoding: %w", badParam("limit", "must be an integer")), 400, typeInvalidParameter, &invalidParam{"limit", "must be an integer"}, "limit: must be an integer", [2]string{}},
		{"batch option", &batch.InputError{Option: "postcode", Reason: `no column "cp" in the header (a,b)`}, 400, typeInvalidParameter, &invalidParam{"postcode", `no column "cp" in the header (a,b)`}, `postcode: no column "cp" in the header (a,b)`, [2]string{}},
		{"batch file", &batch.InputError{Reason: "the file is empty"}, 400, typeInvalidParameter, &invalidParam{"data", "the file is empty"}, "data: the file is empty", [2]string{}},
		{"domain invalid", fmt.Errorf("%w: limit must be between 1 and 100", data.ErrInvalid), 400, typeInvalidParameter, nil, "data: invalid argument: limit must be between 1 and 100", [2]string{}},
		{"domain not found", fmt.Errorf("%w: no station with id %q", data.ErrNotFound, "x"), 404, typeNotFound, nil, `data: not found: no station with id "x"`, [2]string{}},
		{"body cap", &http.MaxBytesError{Limit: 1024}, 413, typeTooLarge, nil, "the request body is larger than 1024 bytes", [2]string{"Connection", "close"}},
		{"wrapped body cap", fmt.Errorf("reading: %w", &http.MaxBytesError{Limit: 7}), 413, typeTooLarge, nil, "the request body is larger than 7 bytes", [2]string{"Connection", "close"}},
		{"retry", &refusal{Type: typeTooManyRequests, Detail: "slow down", RetryAfter: 3}, 429, typeTooManyRequests, nil, "slow down", [2]string{"Retry-After", "3"}},
		{"slow upload", refuse(typeSlowUpload, "too slow"), 408, typeSlowUpload, nil, "too slow", [2]string{"Connection", "close"}},
	}
	for typ, kind := range problemKinds {
		tests = append(tests, struct {
			name   string
			err    error
			status int
			typ    string
			param  *invalidParam
			detail string
			header [2]string
		}{"refusal " + typ, refuse(typ, "because"), kind.status, typ, nil, "because", [2]string{}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, logs := failWith(t, tt.err)
			p := decodeProblem(t, rec)
			if rec.Code != tt.status || p.Type != tt.typ || p.Title != problemKinds[tt.typ].title || p.Detail != tt.detail || p.Instance != "/v1/somewhere" {
				t.Errorf("answer %d %+v, want %d %s %q", rec.Code, p, tt.status, tt.typ, tt.detail)
			}
			if tt.param == nil && len(p.InvalidParams) != 0 || tt.param != nil && (len(p.InvalidParams) != 1 || p.InvalidParams[0] != *tt.param) {
				t.Errorf("invalid_params %+v, want %v", p.InvalidParams, tt.param)
			}
			if tt.header[0] != "" && rec.Header().Get(tt.header[0]) != tt.header[1] {
				t.Errorf("%s = %q, want %q", tt.header[0], rec.Header().Get(tt.header[0]), tt.header[1])
			}
			if rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", rec.Header().Get("Cache-Control"))
			}
			if logs != "" {
				t.Errorf("a known error was logged: %s", logs)
			}
		})
	}
}

// TestUnknownErrorIs500 checks that an error the table does not know,
// including a refusal of a type outside the table, is a logged 500 that
// shows nothing of the error to the client.
func TestUnknownErrorIs500(t *testing.T) {
	for _, err := range []error{
		errors.New("open /srv/secret/file: permission denied"),
		fmt.Errorf("wrapped: %w", errors.New("open /srv/secret/file: permission denied")),
		refuse("/problems/made-up", "open /srv/secret/file"),
	} {
		rec, logs := failWith(t, err)
		p := decodeProblem(t, rec)
		if rec.Code != 500 || p.Type != typeInternal || p.Detail != internalDetail || strings.Contains(rec.Body.String(), "secret") {
			t.Errorf("%v: answer %d %s, want a 500 hiding the error", err, rec.Code, rec.Body)
		}
		if !strings.Contains(logs, "request failed") || !strings.Contains(logs, "secret") {
			t.Errorf("%v: logs %q, want the error logged", err, logs)
		}
	}
}

// TestProblemTypesDocumented checks that every problem type of the table
// is listed in the OpenAPI document, which is what clients switch on.
func TestProblemTypesDocumented(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas struct {
				Problem struct {
					Properties struct {
						Type struct {
							Examples []string `json:"examples"`
						} `json:"type"`
					} `json:"properties"`
				} `json:"Problem"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	documented := doc.Components.Schemas.Problem.Properties.Type.Examples
	for typ := range problemKinds {
		if !slices.Contains(documented, typ) {
			t.Errorf("problem type %s is not in the OpenAPI Problem schema's examples %v", typ, documented)
		}
	}
}
