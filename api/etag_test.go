package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestIfNoneMatchEveryValidator checks that every route with a validator
// reads If-None-Match the same way: a weak comparison, on any element of
// the list, on any of its header lines (RFC 9110 §5.3, §13.1.2).
func TestIfNoneMatchEveryValidator(t *testing.T) {
	h := ruleServer(t).Handler()
	targets := []string{
		"/v1/stations/gn-1004321?at=2026-11-28T09:00:00Z",
		"/v1/stations/nearest?lat=45.36&lon=5.59",
		"/v1/stations/bundle",
		"/openapi.json",
		"/docs",
		"/widget.js",
	}
	page := serveRule(h, http.MethodGet, "/widget")
	targets = append(targets, "/"+widgetAsset.FindString(page.Body.String()))
	for _, target := range targets {
		etag := serveRule(h, http.MethodGet, target).Header().Get("ETag")
		if etag == "" {
			t.Errorf("GET %s has no ETag", target)
			continue
		}
		weak := "W/" + strings.TrimPrefix(etag, "W/")
		for _, lines := range [][]string{
			{etag},
			{weak},
			{`"other", ` + weak},
			{`"other"`, weak},
			{"*"},
		} {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.Header["If-None-Match"] = lines
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusNotModified {
				t.Errorf("GET %s with If-None-Match %q = %d, want 304", target, lines, rec.Code)
			}
		}
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header["If-None-Match"] = []string{`"other"`, `W/"another"`}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s with other validators = %d, want 200", target, rec.Code)
		}
	}
}
