package baseline

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	header := http.Header{"Etag": {`W/"v1"`}, "X-Request-Id": {"abc"}}
	h := Handler([]byte(`{"a":1}`), []byte("zipped"), header)
	for _, tt := range []struct{ accept, body, encoding string }{
		{"", `{"a":1}`, ""},
		{"gzip, br", "zipped", "gzip"},
	} {
		req := httptest.NewRequest(http.MethodGet, "/v1/stations/nearest?lat=1&lon=2", nil)
		req.Header.Set("Accept-Encoding", tt.accept)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Body.String() != tt.body || rec.Header().Get("Content-Encoding") != tt.encoding {
			t.Errorf("Accept-Encoding %q: %d %q encoding %q, want 200 %q encoding %q",
				tt.accept, rec.Code, rec.Body, rec.Header().Get("Content-Encoding"), tt.body, tt.encoding)
		}
		if rec.Header().Get("Etag") != `W/"v1"` || rec.Header().Get("X-Request-Id") != "abc" {
			t.Errorf("Accept-Encoding %q: header %v, want the given Etag and X-Request-Id", tt.accept, rec.Header())
		}
	}
}

func TestReadHeader(t *testing.T) {
	const dump = "HTTP/1.1 200 OK\r\n" +
		"Cache-Control: public, max-age=60\r\n" +
		"Content-Length: 7598\r\n" +
		"Content-Type: application/json; charset=utf-8\r\n" +
		"Vary: Accept-Encoding, Origin\r\n" +
		"X-Request-Id: OESDQZ6IVUWT4X\r\n" +
		"Date: Fri, 27 Nov 2026 21:38:35 GMT\r\n" +
		"\r\n"
	h, err := ReadHeader(strings.NewReader(dump))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"Cache-Control", "Vary", "X-Request-Id"}; !slices.Equal(keys, want) {
		t.Errorf("fields %q, want %q", keys, want)
	}
	if h.Get("Vary") != "Accept-Encoding, Origin" {
		t.Errorf("Vary %q", h.Get("Vary"))
	}
	if _, err := ReadHeader(strings.NewReader("Cache-Control: x\r\n\r\n")); err == nil {
		t.Error("a header block without a status line was accepted")
	}
}
