package api

import (
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/gin-gonic/gin"

	"guichet/data/load"
)

// benchHandler returns the API on the national stations when
// GUICHET_OPENDATA is set, else on the fixtures.
func benchHandler(b *testing.B) http.Handler {
	dir := "../data/testdata/stations"
	if od := os.Getenv("GUICHET_OPENDATA"); od != "" {
		dir = filepath.Join(od, "forces-de-l-ordre", "pel-referentiels")
	}
	ds, err := load.Dir(dir, load.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return New(DefaultConfig(), ds, nil).Handler()
}

// nearestTargets are query URLs over metropolitan France from a fixed seed.
func nearestTargets(n int, extra string) []string {
	r := rand.New(rand.NewSource(1))
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("/v1/stations/nearest?lat=%.5f&lon=%.5f%s", 42.5+r.Float64()*8, -4.5+r.Float64()*12, extra)
	}
	return out
}

// benchServe serves targets in turn; header holds request header names and
// values, in pairs. The first request, untimed, builds what the server
// builds once per dataset.
func benchServe(b *testing.B, h http.Handler, targets []string, header ...string) {
	serve := func(target string) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, target, nil)
		for j := 0; j+1 < len(header); j += 2 {
			req.Header.Set(header[j], header[j+1])
		}
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	serve(targets[0])
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		serve(targets[i%len(targets)])
	}
}

// BenchmarkHTTPNearest serves /v1/stations/nearest in process, with the
// whole middleware chain.
func BenchmarkHTTPNearest(b *testing.B) {
	benchServe(b, benchHandler(b), nearestTargets(1024, ""))
}

// BenchmarkHTTPNearestOne asks for the nearest station only: an answer of
// about 1.5 KB instead of 7.7 KB.
func BenchmarkHTTPNearestOne(b *testing.B) {
	benchServe(b, benchHandler(b), nearestTargets(1024, "&limit=1"))
}

// BenchmarkHTTPHealthz is guichet's cheapest route: every middleware, no
// work. Against HTTPTrivial it is the cost every request pays.
func BenchmarkHTTPHealthz(b *testing.B) {
	benchServe(b, benchHandler(b), []string{"/healthz"})
}

// BenchmarkHTTPNearestGzip asks as browsers do, accepting gzip.
func BenchmarkHTTPNearestGzip(b *testing.B) {
	benchServe(b, benchHandler(b), nearestTargets(1024, ""), "Accept-Encoding", "gzip, deflate, br")
}

// BenchmarkHTTPNearestOpenNow adds open: stations are filtered by their
// opening hours at a fixed instant, a Wednesday 23:30 when few are open.
func BenchmarkHTTPNearestOpenNow(b *testing.B) {
	benchServe(b, benchHandler(b), nearestTargets(1024, "&open=2026-12-02T23:30:00%2B01:00"))
}

// BenchmarkHTTPTrivial is the baseline: a bare Gin handler returning a fixed
// JSON body of about 300 bytes.
func BenchmarkHTTPTrivial(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	body := map[string]any{
		"id": "gn-1004321", "name": "Brigade de proximité de Voiron", "force": "gendarmerie",
		"address":  map[string]string{"street": "2 Rue Danton", "postcode": "38500", "city": "VOIRON"},
		"location": map[string]float64{"lat": 45.36421, "lon": 5.58963}, "distance_m": 1234.5,
		"phone": "04 76 05 01 83", "email": "bp.voiron@gendarmerie.interieur.gouv.fr",
	}
	e.GET("/trivial", func(c *gin.Context) { c.JSON(http.StatusOK, body) })
	benchServe(b, e, []string{"/trivial"})
}
