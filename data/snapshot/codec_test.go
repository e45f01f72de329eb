package snapshot

import (
	"encoding/binary"
	"math/rand"
	"os"
	"strconv"
	"testing"
	"time"
)

// TestSkipVarintsMatchesVarint: skipping n varints fails exactly when
// reading them one by one with Varint (encoding/binary's decoder, the
// oracle) fails, and otherwise leaves the same bytes to read. Random byte
// strings with many high bits, so that long and overflowing varints are
// common; the seed is logged (SEED= to replay).
func TestSkipVarintsMatchesVarint(t *testing.T) {
	seed := time.Now().UnixNano()
	if s := os.Getenv("SEED"); s != "" {
		seed, _ = strconv.ParseInt(s, 10, 64)
	}
	t.Logf("SEED=%d", seed)
	rng := rand.New(rand.NewSource(seed))
	for range 20000 {
		b := make([]byte, rng.Intn(40))
		for i := range b {
			b[i] = byte(rng.Intn(256))
			if rng.Intn(4) > 0 {
				b[i] |= 0x80
			}
		}
		n := rng.Intn(6)
		want, wantErr := b, false
		for range n {
			_, k := binary.Varint(want)
			if k <= 0 {
				wantErr = true
				break
			}
			want = want[k:]
		}
		d := NewDecoder(b)
		d.SkipVarints(n)
		if (d.Err() != nil) != wantErr || (!wantErr && d.Remaining() != len(want)) {
			t.Fatalf("SkipVarints(%d) of % x: error %v, %d bytes left; Varint: error %v, %d left",
				n, b, d.Err(), d.Remaining(), wantErr, len(want))
		}
	}
}

// TestRef: a string written by Ref again is read back as the first one;
// a reference to a string not read yet is an error, not a panic.
func TestRef(t *testing.T) {
	var e Encoder
	for _, s := range []string{"a.csv", "b.csv", "a.csv", "", "a.csv", ""} {
		e.Ref(s)
	}
	d := NewDecoder(e.Bytes())
	for _, want := range []string{"a.csv", "b.csv", "a.csv", "", "a.csv", ""} {
		if got := d.Ref(); got != want {
			t.Fatalf("Ref() = %q, want %q", got, want)
		}
	}
	if d.Err() != nil || d.Remaining() != 0 {
		t.Fatalf("error %v, %d bytes left", d.Err(), d.Remaining())
	}
	d = NewDecoder([]byte{3})
	if d.Ref(); d.Err() == nil {
		t.Error("a reference to an unknown string was read")
	}
}
