package load

import (
	"encoding/csv"
	"errors"
	"guichet/data"
	"io"
	"strings"
)

// row is one CSV record addressed by lower-cased header name.
type row struct {
	line   int
	cols   map[string]int
	fields []string
}

// get returns the trimmed value of column name, or "" when absent.
func (r row) get(name string) string {
	i, ok := r.cols[name]
	if !ok || i >= len(r.fields) {
		return ""
	}
	return strings.TrimSpace(r.fields[i])
}

// eachCSVRow parses text as delimited records with a header line and calls
// fn for each data row. Malformed records are rejected into fr with their
// line and parsing goes on with the next record.
func eachCSVRow(text string, sep rune, fr *data.FileReport, fn func(row)) error {
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = sep
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		return err
	}
	cols := make(map[string]int, len(header))
	for i, h := range header {
		cols[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	cr.FieldsPerRecord = len(header)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				fr.Rows++
				fr.Reject(pe.StartLine, data.ReasonMalformedRow, "%v", pe.Err)
				continue
			}
			return err
		}
		// FieldPos is only valid after a successful Read: it panics on
		// the empty record of a failed one.
		line, _ := cr.FieldPos(0)
		fr.Rows++
		fn(row{line: line, cols: cols, fields: rec})
	}
}
