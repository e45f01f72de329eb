package baseline

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHandler(t *testing.T) {
	h := Handler([]byte(`{"a":1}`), []byte("zipped"))
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
	}
}
