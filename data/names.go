package data

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// FoldName reduces a place name to compare it loosely: no accents, no case,
// hyphens, apostrophes and repeated spaces folded to one space. The
// loaders compare source values by the same rule as the queries. It is
// safe for concurrent use: requests and a reload fold names at the same
// time.
func FoldName(s string) string {
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
