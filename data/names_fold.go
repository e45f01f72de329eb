package data

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// stripAccents removes the accents of s: NFD, without nonspacing marks,
// then NFC. Names in Latin script go through latinBase, a table of that
// same transformation rune by rune, which gives the same result when no
// combining mark is written apart: loading the communes folds some 35,000
// names, and the transformation chain costs far more than a lookup.
func stripAccents(s string) string {
	if isASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			b.WriteByte(byte(r))
		case r < rune(len(latinBase)) && latinBase[r] != 0:
			b.WriteRune(latinBase[r])
		default:
			return stripAccentsSlow(s)
		}
	}
	return b.String()
}

func stripAccentsSlow(s string) string {
	// A transform.Chain keeps buffers between calls and is not safe for
	// concurrent use, so each call builds its own.
	s, _, _ = transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
	return s
}

// latinBase maps each rune of the Latin-1 Supplement and Latin Extended-A
// and -B blocks to what stripAccentsSlow makes of it alone, when that is
// one rune; 0 sends the whole name to stripAccentsSlow.
var latinBase = func() (t [0x250]rune) {
	for r := rune(utf8.RuneSelf); r < rune(len(t)); r++ {
		if !unicode.Is(unicode.Mn, r) {
			if out := []rune(stripAccentsSlow(string(r))); len(out) == 1 {
				t[r] = out[0]
			}
		}
	}
	return t
}()
