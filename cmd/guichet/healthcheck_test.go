package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthcheck(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	tests := []struct {
		name   string
		args   []string
		status int
		want   int
	}{
		{"healthy", []string{"--url", srv.URL + "/healthz"}, 200, 0},
		{"unhealthy", []string{"--url", srv.URL + "/healthz"}, 503, 1},
		{"wrong path", []string{"--url", srv.URL + "/nope"}, 200, 1},
		{"nothing listening", []string{"--url", "http://127.0.0.1:1/healthz", "--timeout", "1s"}, 200, 1},
		{"bad flag", []string{"--nope"}, 200, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status = tc.status
			var stdout, stderr bytes.Buffer
			got := run(context.Background(), append([]string{"healthcheck"}, tc.args...), strings.NewReader(""), &stdout, &stderr)
			if got != tc.want {
				t.Errorf("guichet healthcheck %v = %d, want %d (stderr %q)", tc.args, got, tc.want, stderr.String())
			}
		})
	}
}
