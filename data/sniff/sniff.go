// Package sniff holds the text rules shared by everything that reads files
// of unknown make: how much of a file is read to recognise it, its byte
// order mark, its encoding (UTF-8, or Latin-1, the other encoding the
// ministry has published) and its field separator.
//
// It imports the standard library only. Its readers are data/load, which
// recognises the source files, and data/batch, which reads uploaded CSV.
package sniff

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Size is how much of a file is read to recognise its format.
const Size = 64 << 10

// BOM is the UTF-8 byte order mark, which spreadsheet exports often start with.
var BOM = []byte{0xEF, 0xBB, 0xBF}

// separators are the field separators a delimited file may use, in the
// order that breaks ties; ',' also stands for a single column.
var separators = [...]byte{',', ';', '\t', '|'}

// Separator picks the most frequent separator outside quotes in a
// header line.
func Separator[T string | []byte](line T) rune {
	var counts [len(separators)]int
	inQuotes := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == '"' {
			inQuotes = !inQuotes
			continue
		}
		for k, sep := range separators {
			if !inQuotes && c == sep {
				counts[k]++
			}
		}
	}
	best := 0
	for k := range counts {
		if counts[k] > counts[best] {
			best = k
		}
	}
	return rune(separators[best])
}

// Latin1ToUTF8 decodes ISO-8859-1 (each byte is its own code point).
func Latin1ToUTF8(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/8)
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// Decode returns b as UTF-8 text without BOM and the name of the
// encoding it was found in. Text that is not valid UTF-8 is taken as Latin-1,
// the other encoding the ministry has published.
func Decode(b []byte) (string, string) {
	if bytes.HasPrefix(b, BOM) {
		b = b[len(BOM):]
		if utf8.Valid(b) {
			return string(b), "utf-8-bom"
		}
	}
	if utf8.Valid(b) {
		return string(b), "utf-8"
	}
	return Latin1ToUTF8(b), "latin-1"
}
