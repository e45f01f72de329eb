package geocode

import (
	"math/rand"
	"testing"

	"github.com/paulmach/orb"
)

// BenchmarkReverse times Reverse on the benchmark index, five nearest
// addresses around points near indexed ones.
func BenchmarkReverse(b *testing.B) {
	ix := benchIndex(b)
	rng := rand.New(rand.NewSource(3))
	pts := make([]orb.Point, 1024)
	for i := range pts {
		p := ix.point(uint32(rng.Intn(ix.Len())))
		pts[i] = orb.Point{p[0] + rng.NormFloat64()*0.002, p[1] + rng.NormFloat64()*0.002}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ix.Reverse(pts[i%len(pts)], 5, 0)
	}
}
