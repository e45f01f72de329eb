package data

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldName reduces a place name to compare it loosely: no accents, no case,
// hyphens, apostrophes and repeated spaces folded to one space. It is safe
// for concurrent use: requests and a reload fold names at the same time.
func foldName(s string) string {
	s = stripAccents(s)
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
