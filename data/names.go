package data

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

var stripMarks = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)

// foldName reduces a place name to compare it loosely: no accents, no case,
// hyphens, apostrophes and repeated spaces folded to one space.
func foldName(s string) string {
	s, _, _ = transform.String(stripMarks, s)
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

func equalFoldName(a, b string) bool {
	return a != "" && foldName(a) == foldName(b)
}
