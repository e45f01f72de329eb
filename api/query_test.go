package api

import (
	"regexp"
	"testing"
)

// TestIsDecimal holds isDecimal to the expression it implements, on every
// string of up to six characters over an alphabet of the syntax's parts.
func TestIsDecimal(t *testing.T) {
	want := regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$`)
	const alphabet = "09.eE+-x"
	buf := make([]byte, 0, 6)
	var walk func(depth int)
	checked, accepted := 0, 0
	walk = func(depth int) {
		s := string(buf)
		got := isDecimal(s)
		if got != want.MatchString(s) {
			t.Errorf("isDecimal(%q) = %v, the expression says %v", s, got, !got)
		}
		checked++
		if got {
			accepted++
		}
		if depth == cap(buf) {
			return
		}
		for i := range len(alphabet) {
			buf = append(buf, alphabet[i])
			walk(depth + 1)
			buf = buf[:len(buf)-1]
		}
	}
	walk(0)
	// Both answers must occur, or the walk proves nothing.
	if accepted == 0 || accepted == checked {
		t.Fatalf("%d of %d strings accepted", accepted, checked)
	}
	for _, s := range []string{"45.188", "-176.2", "1e308", "+.5", "4.5E-3", "٣", "1_0", "0x1p3", "Inf", "NaN", "1e1000"} {
		if got := isDecimal(s); got != want.MatchString(s) {
			t.Errorf("isDecimal(%q) = %v", s, got)
		}
	}
}
