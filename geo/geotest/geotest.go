// Package geotest holds what the tests of spatial code share.
package geotest

import (
	"math/rand"
	"os"
	"strconv"
	"testing"
	"time"
)

// Rand returns a generator seeded from $SEED, or from a fresh seed that is
// logged so that a failure can be replayed.
func Rand(tb testing.TB) *rand.Rand {
	tb.Helper()
	seed := time.Now().UnixNano()
	if s := os.Getenv("SEED"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			tb.Fatalf("bad SEED %q: %v", s, err)
		}
		seed = v
	}
	tb.Logf("seed %d (replay with SEED=%d)", seed, seed)
	return rand.New(rand.NewSource(seed))
}
