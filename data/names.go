package data

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// foldName reduces a place name to compare it loosely: no accents, no case,
// hyphens, apostrophes and repeated spaces folded to one space. It is safe
// for concurrent use: requests and a reload fold names at the same time.
func foldName(s string) string {
	if !isASCII(s) {
		// A transform.Chain keeps buffers between calls and is not safe for
		// concurrent use, so each call builds its own.
		s, _, _ = transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return unicode.ToLower(r)
		default:
			return ' '
		}
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// FoldName is foldName for the loaders, which compare source values
// loosely by the same rule as the queries.
func FoldName(s string) string { return foldName(s) }
