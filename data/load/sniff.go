package load

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"io"
	"strings"
	"unicode/utf8"

	"guichet/data/sniff"
)

// sniffSize is how much of a file is read to recognise its format.
const sniffSize = sniff.Size

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

// sniffHead builds the head of a file from its first bytes.
func sniffHead(b []byte) head {
	b = bytes.TrimPrefix(b, sniff.BOM)
	text := string(b)
	if !utf8.Valid(b) {
		text = sniff.Latin1ToUTF8(b)
	}
	h := head{text: text}
	line, _, _ := strings.Cut(text, "\n")
	line = strings.TrimRight(line, "\r")
	if line == "" || strings.HasPrefix(strings.TrimSpace(line), "{") || strings.HasPrefix(strings.TrimSpace(line), "[") {
		return h
	}
	h.sep = sniff.Separator(line)
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
