package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"guichet/geo/geotest"
)

// gunzipOne reads b as exactly one gzip member with the standard library,
// which checks the CRC and the length of the trailer.
func gunzipOne(tb testing.TB, b []byte) []byte {
	tb.Helper()
	r := bytes.NewReader(b)
	zr, err := gzip.NewReader(r)
	if err != nil {
		tb.Fatalf("gzip header: %v", err)
	}
	zr.Multistream(false)
	out, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatalf("gzip: %v", err)
	}
	if r.Len() != 0 {
		tb.Fatalf("%d bytes after the gzip member", r.Len())
	}
	return out
}

func TestGzipJoin(t *testing.T) {
	rng := geotest.Rand(t)
	words := strings.Fields(`{"id":"gn-1008869","name":"Brigade territoriale autonome","hours":{"osm":"Mo-Sa 08:00-12:00,14:00-18:00"} é 😀 \u0000`)
	text := func(n int) []byte {
		var b []byte
		for len(b) < n {
			b = append(b, words[rng.Intn(len(words))]...)
		}
		return b[:n]
	}
	noise := func(n int) []byte {
		b := make([]byte, n)
		rng.Read(b)
		return b
	}
	for round := range 100 {
		var g gzipJoin
		prefix := []byte("kept")
		g.reset(prefix)
		var want []byte
		for range rng.Intn(12) {
			n := rng.Intn(300)
			switch rng.Intn(8) {
			case 0:
				n = 65535 + rng.Intn(3) - 1 // around a stored block's limit
			case 1:
				n = 70000 + rng.Intn(70000) // several stored blocks
			case 2:
				n = 0
			}
			var p []byte
			if rng.Intn(2) == 0 {
				p = noise(n)
			} else {
				p = text(n)
			}
			if rng.Intn(2) == 0 {
				g.plain(p)
			} else {
				g.deflated(p, deflatePiece(p))
			}
			want = append(want, p...)
		}
		out := g.finish()
		if !bytes.HasPrefix(out, prefix) {
			t.Fatalf("round %d: the bytes before the member were overwritten", round)
		}
		if got := gunzipOne(t, out[len(prefix):]); !bytes.Equal(got, want) {
			t.Fatalf("round %d: %d bytes decompressed, want %d", round, len(got), len(want))
		}
	}
}

// TestDeflatePieceCompresses guards the point of the pieces: text that
// repeats itself, as a station's week does, comes out much smaller.
func TestDeflatePieceCompresses(t *testing.T) {
	week := bytes.Repeat([]byte(`{"day":"Mo","open":[{"from":"08:00","to":"12:00"},{"from":"14:00","to":"18:00"}]},`), 7)
	if z := deflatePiece(week); len(z)*4 > len(week) {
		t.Errorf("a repetitive week of %d bytes deflates to %d", len(week), len(z))
	}
}
