package hours

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// TestPaintDayMatchesLookup: painting a day's spans gives, at every
// minute, what lookup gives, on random spans that overlap, fall back,
// wrap and stick out of the day. The seed is logged (SEED= to replay).
func TestPaintDayMatchesLookup(t *testing.T) {
	seed := rand.Uint64()
	if s := os.Getenv("SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("SEED=%d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	comments := []string{"", "", "sur rendez-vous", "fermé"}
	var st [1440]key
	var wrapped [1440]bool
	for range 2000 {
		sp := make([]span, r.IntN(6))
		for i := range sp {
			from := int32(r.IntN(1700)) - 100
			sp[i] = span{
				from:     from,
				to:       from + int32(r.IntN(900)),
				status:   Status(r.IntN(3)),
				fallback: r.IntN(3) == 0,
				wrapped:  r.IntN(2) == 0,
				comment:  comments[r.IntN(len(comments))],
			}
		}
		paintDay(sp, &st, &wrapped)
		for m := range int32(1440) {
			k, w := lookup(sp, m)
			if st[m] != k || wrapped[m] != w {
				t.Fatalf("spans %+v, minute %d: painted %+v %v, lookup %+v %v", sp, m, st[m], wrapped[m], k, w)
			}
		}
	}
}
