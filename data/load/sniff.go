package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"io"
	"strings"
	"unicode/utf8"
)

// sniffSize is how much of a file is read to recognise its format.
const sniffSize = 64 << 10

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// head is what format detection sees of a file: its first bytes, decoded,
// and, when it looks like delimited text, the fields of its first line.
type head struct {
	text   string
	sep    rune
	fields []string // lower-cased, trimmed header fields; nil if not CSV-like
}

func (h head) hasFields(names ...string) bool {
	for _, n := range names {
		found := false
		for _, f := range h.fields {
			if f == n {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// jsonStart returns the first non-space byte of the head, or 0.
func (h head) jsonStart() byte {
	s := strings.TrimLeft(h.text, " \t\r\n")
	if s == "" {
		return 0
	}
	return s[0]
}

// openMaybeGzip returns a reader over the decompressed content of r when it
// starts with the gzip magic number, else over r itself. Formats are
// recognised by content, so a .gz name is neither needed nor trusted.
func openMaybeGzip(r io.Reader) (*bufio.Reader, io.Closer, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, err
		}
		return bufio.NewReaderSize(zr, sniffSize), zr, nil
	}
	return br, io.NopCloser(nil), nil
}

// sniff builds the head of a file from its first bytes.
func sniff(b []byte) head {
	b = bytes.TrimPrefix(b, utf8BOM)
	text := string(b)
	if !utf8.Valid(b) {
		text = latin1ToUTF8(b)
	}
	h := head{text: text}
	line, _, _ := strings.Cut(text, "\n")
	line = strings.TrimRight(line, "\r")
	if line == "" || strings.HasPrefix(strings.TrimSpace(line), "{") || strings.HasPrefix(strings.TrimSpace(line), "[") {
		return h
	}
	h.sep = sniffSeparator(line)
	cr := csv.NewReader(strings.NewReader(line))
	cr.Comma = h.sep
	cr.LazyQuotes = true
	fields, err := cr.Read()
	if err != nil {
		return h
	}
	for i := range fields {
		fields[i] = strings.ToLower(strings.TrimSpace(fields[i]))
	}
	h.fields = fields
	return h
}

// separators are the field separators a delimited file may use, in the
// order that breaks ties; ',' also stands for a single column.
var separators = [...]byte{',', ';', '\t', '|'}

// sniffSeparator picks the most frequent separator outside quotes in a
// header line.
func sniffSeparator[T string | []byte](line T) rune {
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

// latin1ToUTF8 decodes ISO-8859-1 (each byte is its own code point).
func latin1ToUTF8(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/8)
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// decodeText returns b as UTF-8 text without BOM and the name of the
// encoding it was found in. Text that is not valid UTF-8 is taken as Latin-1,
// the other encoding the ministry has published.
func decodeText(b []byte) (string, string) {
	if bytes.HasPrefix(b, utf8BOM) {
		b = b[len(utf8BOM):]
		if utf8.Valid(b) {
			return string(b), "utf-8-bom"
		}
	}
	if utf8.Valid(b) {
		return string(b), "utf-8"
	}
	return latin1ToUTF8(b), "latin-1"
}
