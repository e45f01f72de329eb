package data

import (
	"math/rand"
	"os"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"
)

// TestStripAccentsTable: the table path agrees with the transformation
// chain on every rune it covers, alone and in random strings mixing them
// with ASCII, combining marks and runes beyond the table.
func TestStripAccentsTable(t *testing.T) {
	for r := rune(utf8.RuneSelf); r < 0x300; r++ {
		if got, want := stripAccents(string(r)), stripAccentsSlow(string(r)); got != want {
			t.Errorf("%U: %q, want %q", r, got, want)
		}
	}
	seed := time.Now().UnixNano()
	if v, err := strconv.ParseInt(os.Getenv("GUICHET_TEST_SEED"), 10, 64); err == nil {
		seed = v
	}
	t.Logf("GUICHET_TEST_SEED=%d", seed)
	rng := rand.New(rand.NewSource(seed))
	alphabet := []rune("aeE -'ÉéèêëÀÂÇçÎÏÔŒœÙÛÜŸÆßĳǅ\u0301\u0327ſẞİıΩ文")
	for range 20000 {
		rs := make([]rune, rng.Intn(12))
		for i := range rs {
			rs[i] = alphabet[rng.Intn(len(alphabet))]
		}
		s := string(rs)
		if got, want := stripAccents(s), stripAccentsSlow(s); got != want {
			t.Fatalf("%q: %q, want %q", s, got, want)
		}
	}
}
