package batch

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"guichet/data"
	"guichet/data/sniff"
	"guichet/geo/geocode"
)

// Limits of the batch CSV geocoder.
const (
	// MaxColumns bounds the columns of an uploaded file: the output
	// repeats them on every row.
	MaxColumns = 1000
	// MaxQuery bounds the text geocoded for one row, in characters.
	MaxQuery = 200
)

// batchChunk is how many rows travel together between the reader, the
// workers and the writer: large enough to amortise channel hand-offs,
// small enough that output starts at once and memory stays flat.
const batchChunk = 256

// ResultColumns are appended to every row of GeocodeCSV's output, in
// this order: the names of resultColumns.
var ResultColumns = func() []string {
	names := make([]string, len(resultColumns))
	for i, c := range resultColumns {
		names[i] = c.name
	}
	return names
}()

// result is what geocoding one row found, which the result columns read.
type result struct {
	status, err string
	// match is the best match, next the runner-up; nil when not found.
	match, next *data.GeoMatch
	// competence is the match's; its zone is unknown without a match.
	competence data.Competence
	// services and stations name the competent units and the station of
	// each nearest to the match.
	services, stations []string
	// nearest is the station nearest to the match; nil without one.
	nearest *data.StationHit
}

// resultColumns declares each result column once, with how its value is
// read from a row's result. The first thirteen are those of
// api-adresse's /search/csv/; result_error (why a row was skipped or
// failed) is ours, and last so that positional readers of the usual
// columns still work.
var resultColumns = [...]struct {
	name  string
	value func(*result) string
}{
	{"latitude", matched(func(m *data.GeoMatch) string { return strconv.FormatFloat(m.Point[1], 'f', 6, 64) })},
	{"longitude", matched(func(m *data.GeoMatch) string { return strconv.FormatFloat(m.Point[0], 'f', 6, 64) })},
	{"result_label", matched(func(m *data.GeoMatch) string { return m.Label })},
	{"result_score", matched(func(m *data.GeoMatch) string { return strconv.FormatFloat(m.Score, 'f', 4, 64) })},
	{"result_score_next", func(r *result) string {
		if r.next == nil {
			return ""
		}
		return strconv.FormatFloat(r.next.Score, 'f', 4, 64)
	}},
	{"result_type", matched(func(m *data.GeoMatch) string { return m.Type.String() })},
	{"result_id", matched(func(m *data.GeoMatch) string { return m.ID })},
	{"result_housenumber", matched(func(m *data.GeoMatch) string { return m.HouseNumber })},
	{"result_street", matched(func(m *data.GeoMatch) string { return m.Street })},
	{"result_postcode", matched(func(m *data.GeoMatch) string { return m.Postcode })},
	{"result_city", matched(func(m *data.GeoMatch) string { return m.City })},
	{"result_citycode", matched(func(m *data.GeoMatch) string { return m.Citycode })},
	{"result_status", func(r *result) string { return r.status }},
	{"result_force", func(r *result) string {
		if r.competence.Zone == data.ZoneUnknown {
			return ""
		}
		return r.competence.Zone.String()
	}},
	{"result_competent_service", func(r *result) string { return strings.Join(r.services, "|") }},
	{"result_competent_station_id", func(r *result) string { return strings.Join(r.stations, "|") }},
	{"result_nearest_station_id", func(r *result) string {
		if r.nearest == nil {
			return ""
		}
		return r.nearest.Station.ID
	}},
	{"result_nearest_station_distance_m", func(r *result) string {
		if r.nearest == nil {
			return ""
		}
		return strconv.FormatFloat(r.nearest.DistanceM, 'f', 0, 64)
	}},
	{"result_parent_citycode", matched(func(m *data.GeoMatch) string { return m.ParentCitycode })},
	{"result_error", func(r *result) string { return r.err }},
}

// matched reads a column of the best match, empty without one.
func matched(value func(*data.GeoMatch) string) func(*result) string {
	return func(r *result) string {
		if r.match == nil {
			return ""
		}
		return value(r.match)
	}
}

// Values of the result_status column.
const (
	StatusOK = "ok"
	// StatusAmbiguous is a row whose text fits two communes about as well:
	// its result is a guess between them (see geocode.Match.Ambiguous).
	StatusAmbiguous = "ambiguous"
	StatusNotFound  = "not-found"
	StatusSkipped   = "skipped"
	StatusError     = "error"
)

// Options tunes GeocodeCSV and ScanCSV. The zero value geocodes the
// columns of a sniffed CSV that hold an address.
type Options struct {
	// Columns names the columns joined into the query, in this order.
	// Empty means the columns whose header names a part of an address
	// (adresse, rue, voie, numero, cp, code_postal, ville, commune,
	// address, city…), never one named like an identifier (id,
	// id_plainte, reference, code_commune…); failing any, every column
	// neither named like an identifier nor holding only numbers.
	Columns []string
	// Postcode and Citycode name columns whose value restricts a row's
	// matches.
	Postcode, Citycode string
	// Delimiter is the field separator; 0 sniffs it from the header
	// among ',', ';', tab and '|'.
	Delimiter rune
	// Workers is the number of rows geocoded at once; 0 means GOMAXPROCS.
	Workers int
	// Flush, when set, is called after each written chunk of rows so
	// that a streamed answer reaches the client as it is produced.
	Flush func()
	// RawCells writes every cell as it is. By default a cell that a
	// spreadsheet would take for a formula is written behind a single
	// quote (see neutraliseFormula): the files are opened in spreadsheets.
	RawCells bool
}

// Stats summarises a batch run.
type Stats struct {
	Rows                                     int
	OK, Ambiguous, NotFound, Skipped, Errors int
	Encoding                                 string
	Delimiter                                rune
	// Columns are the columns joined into each row's query.
	Columns []string
}

// csvInput is an uploaded CSV, decoded and checked up to its header.
type csvInput struct {
	cr        *csv.Reader
	header    []string
	sep       rune
	encoding  string
	queryCols []int
	pcCol     int
	ccCol     int
	ahead     []batchRow // rows read to choose the query columns, not yet returned
}

// columns names the query columns.
func (in *csvInput) columns() []string {
	names := make([]string, len(in.queryCols))
	for i, c := range in.queryCols {
		names[i] = in.header[c]
	}
	return names
}

// InputError is a batch input refused before any row is geocoded: the
// file itself when Option is empty, else the option (columns, postcode
// or citycode) naming a column the file lacks. It wraps data.ErrInvalid.
type InputError struct {
	Option string
	Reason string
}

func (e *InputError) Error() string {
	if e.Option == "" {
		return data.ErrInvalid.Error() + ": " + e.Reason
	}
	return data.ErrInvalid.Error() + ": " + e.Option + ": " + e.Reason
}

func (e *InputError) Unwrap() error { return data.ErrInvalid }

func invalidBatch(format string, args ...any) error {
	return &InputError{Reason: fmt.Sprintf(format, args...)}
}

func invalidOption(option, format string, args ...any) error {
	return &InputError{Option: option, Reason: fmt.Sprintf(format, args...)}
}

// openCSVInput sniffs the encoding and the delimiter from the head of r,
// reads the header and resolves the option columns. A refused file or
// option is an *InputError.
func openCSVInput(r io.Reader, opts *Options) (*csvInput, error) {
	br := bufio.NewReaderSize(r, sniff.Size)
	peek, err := br.Peek(sniff.Size)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if len(bytes.TrimSpace(bytes.TrimPrefix(peek, sniff.BOM))) == 0 {
		return nil, invalidBatch("the file is empty: a header line and rows are expected")
	}
	if len(peek) >= 2 && peek[0] == 0x1f && peek[1] == 0x8b {
		return nil, invalidBatch("the file is gzip-compressed: upload the CSV itself")
	}
	if bytes.IndexByte(peek, 0) >= 0 {
		return nil, invalidBatch("the file holds binary data (NUL bytes), not CSV text")
	}
	in := &csvInput{encoding: "utf-8", pcCol: -1, ccCol: -1}
	var src io.Reader = br
	switch {
	case bytes.HasPrefix(peek, sniff.BOM):
		br.Discard(len(sniff.BOM))
		in.encoding = "utf-8-bom"
	case !utf8.Valid(trimPartialRune(peek, len(peek) == sniff.Size)):
		in.encoding = "latin-1"
		src = &latin1Reader{r: br}
	}
	first, _, _ := bytes.Cut(peek, []byte{'\n'})
	in.sep = opts.Delimiter
	if in.sep == 0 {
		in.sep = sniff.Separator(first)
	}
	in.cr = csv.NewReader(src)
	in.cr.Comma = in.sep
	in.cr.FieldsPerRecord = -1
	in.cr.ReuseRecord = false
	header, err := in.cr.Read()
	if err != nil {
		return nil, invalidBatch("cannot read the header line: %v", err)
	}
	if len(header) > MaxColumns {
		return nil, invalidBatch("the header has %d columns, at most %d are accepted", len(header), MaxColumns)
	}
	for i := range header {
		header[i] = fixEncoding(strings.TrimSpace(header[i]))
	}
	in.header = header
	col := func(option, name string) (int, error) {
		for i, h := range header {
			if h == name {
				return i, nil
			}
		}
		return -1, invalidOption(option, "no column %q in the header (%s)", name, strings.Join(header, string(in.sep)))
	}
	for _, name := range opts.Columns {
		i, err := col("columns", name)
		if err != nil {
			return nil, err
		}
		in.queryCols = append(in.queryCols, i)
	}
	if opts.Postcode != "" {
		if in.pcCol, err = col("postcode", opts.Postcode); err != nil {
			return nil, err
		}
	}
	if opts.Citycode != "" {
		if in.ccCol, err = col("citycode", opts.Citycode); err != nil {
			return nil, err
		}
	}
	if len(opts.Columns) == 0 {
		var sample [][]string
		if !slices.ContainsFunc(header, isAddressHeader) {
			var ahead []batchRow
			for len(ahead) < batchSampleRows {
				row, err := in.readRow()
				if err != nil {
					if !errors.Is(err, io.EOF) {
						return nil, err
					}
					break
				}
				ahead = append(ahead, row)
				sample = append(sample, row.fields)
			}
			in.ahead = ahead
		}
		in.queryCols = defaultQueryColumns(header, sample)
		if len(in.queryCols) == 0 {
			return nil, invalidOption("columns", "no column of the header (%s) looks like part of an address; name them with columns", strings.Join(header, string(in.sep)))
		}
	}
	return in, nil
}

// trimPartialRune drops an incomplete UTF-8 sequence cut by the end of a
// truncated head, so that the cut alone does not make it Latin-1.
func trimPartialRune(b []byte, truncated bool) []byte {
	if !truncated {
		return b
	}
	for k := 1; k <= utf8.UTFMax && k <= len(b); k++ {
		if utf8.RuneStart(b[len(b)-k]) {
			if !utf8.FullRune(b[len(b)-k:]) {
				return b[:len(b)-k]
			}
			break
		}
	}
	return b
}

// ParseDelimiter reads a field delimiter as a user gives it: ",", ";",
// "|", or a tab as "tab", `\t` or the character itself. The empty string
// gives 0: sniff it from the header.
func ParseDelimiter(s string) (rune, error) {
	switch s {
	case "":
		return 0, nil
	case ",", ";", "|":
		return rune(s[0]), nil
	case "tab", `\t`, "\t":
		return '\t', nil
	}
	return 0, fmt.Errorf("%w: delimiter must be one of , ; | or tab, got %q", data.ErrInvalid, s)
}

// fixEncoding decodes as Latin-1 a field that is not valid UTF-8: a file
// whose head was UTF-8 may still mix encodings further down.
func fixEncoding(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return sniff.Latin1ToUTF8([]byte(s))
}

// latin1Reader decodes ISO-8859-1 into UTF-8 as it reads.
type latin1Reader struct {
	r       io.Reader
	buf     []byte
	pending []byte // decoded bytes that did not fit the caller's buffer
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	if len(l.pending) > 0 {
		n := copy(p, l.pending)
		l.pending = l.pending[n:]
		return n, nil
	}
	// Each byte becomes at most two, so half of p fits; a caller's
	// buffer of one byte still gets one byte at a time.
	n := max(len(p)/2, 1)
	if cap(l.buf) < n {
		l.buf = make([]byte, n)
	}
	m, err := l.r.Read(l.buf[:n])
	out := 0
	for _, c := range l.buf[:m] {
		if out+2 > len(p) && c >= utf8.RuneSelf {
			l.pending = utf8.AppendRune(l.pending[:0], rune(c))
			k := copy(p[out:], l.pending)
			l.pending = l.pending[k:]
			out += k
			continue
		}
		out += utf8.EncodeRune(p[out:], rune(c))
	}
	return out, err
}

// batchRow is one input record on its way to the output.
type batchRow struct {
	line   int
	fields []string
	err    string // set when the record could not be parsed
	out    []string
	status string
}

// readRow reads the next record. A record the CSV reader rejects becomes
// a row in error; only the end of input or a read failure ends the scan.
func (in *csvInput) readRow() (batchRow, error) {
	if len(in.ahead) > 0 {
		row := in.ahead[0]
		in.ahead = in.ahead[1:]
		return row, nil
	}
	rec, err := in.cr.Read()
	if errors.Is(err, io.EOF) {
		return batchRow{}, io.EOF
	}
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe):
		return batchRow{line: pe.StartLine, err: "malformed CSV at line " + strconv.Itoa(pe.Line) + ": " + pe.Err.Error()}, nil
	case err != nil:
		return batchRow{}, err
	}
	line, _ := in.cr.FieldPos(0)
	row := batchRow{line: line, fields: rec}
	if len(rec) != len(in.header) {
		row.err = fmt.Sprintf("line %d has %d fields, the header has %d", line, len(rec), len(in.header))
	}
	return row, nil
}

// ScanCSV checks r as GeocodeCSV would (encoding, delimiter, header,
// option columns), counts its rows and names the query columns, without
// geocoding: the HTTP upload uses it to refuse a file before streaming
// any output.
func ScanCSV(r io.Reader, opts Options) (rows int, columns []string, err error) {
	in, err := openCSVInput(r, &opts)
	if err != nil {
		return 0, nil, err
	}
	for {
		if _, err := in.readRow(); err != nil {
			if errors.Is(err, io.EOF) {
				return rows, in.columns(), nil
			}
			return rows, in.columns(), err
		}
		rows++
	}
}

// GeocodeCSV geocodes every row of the CSV read from r and writes it to
// w, in input order, with ResultColumns appended. Rows are geocoded
// by opts.Workers goroutines and written chunk by chunk as soon as their
// turn comes, so memory does not grow with the file. A row that cannot be
// parsed or geocoded is written with result_status error and its reason;
// the run goes on. The error is non-nil only for a file whose head is not
// usable (wrapping data.ErrInvalid, before anything is written), a read or
// write failure, or ctx ending. progress, when set, is called with the
// number of rows written so far.
func GeocodeCSV(ctx context.Context, d *data.Dataset, r io.Reader, w io.Writer, opts Options, progress func(rows int)) (Stats, error) {
	in, err := openCSVInput(r, &opts)
	if err != nil {
		return Stats{}, err
	}
	stats := Stats{Encoding: in.encoding, Delimiter: in.sep, Columns: in.columns()}
	cw := csv.NewWriter(w)
	cw.Comma = in.sep
	cells := neutraliseRow
	if opts.RawCells {
		cells = func(row []string) []string { return row }
	}
	if err := cw.Write(cells(append(append([]string{}, in.header...), ResultColumns...))); err != nil {
		return stats, err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type chunk struct {
		rows []batchRow
		done chan struct{}
	}
	jobs := make(chan *chunk, workers)
	// order holds the chunks in input order; its capacity bounds the
	// chunks in flight, hence memory.
	order := make(chan *chunk, 2*workers)
	var readErr error
	go func() {
		defer close(jobs)
		defer close(order)
		for eof := false; !eof; {
			c := &chunk{rows: make([]batchRow, 0, batchChunk), done: make(chan struct{})}
			for len(c.rows) < batchChunk {
				row, err := in.readRow()
				if err != nil {
					if !errors.Is(err, io.EOF) {
						readErr = err
					}
					eof = true
					break
				}
				c.rows = append(c.rows, row)
			}
			if len(c.rows) == 0 {
				return
			}
			select {
			case order <- c:
			case <-ctx.Done():
				return
			}
			jobs <- c
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bw := newBatchWorker(d, in)
			for c := range jobs {
				for i := range c.rows {
					if ctx.Err() == nil {
						bw.geocode(ctx, &c.rows[i])
					}
				}
				close(c.done)
			}
		}()
	}
	defer wg.Wait()

	for c := range order {
		<-c.done
		if err := ctx.Err(); err != nil {
			return stats, err
		}
		for i := range c.rows {
			row := &c.rows[i]
			stats.Rows++
			switch row.status {
			case StatusOK:
				stats.OK++
			case StatusAmbiguous:
				stats.Ambiguous++
			case StatusNotFound:
				stats.NotFound++
			case StatusSkipped:
				stats.Skipped++
			default:
				stats.Errors++
			}
			if err := cw.Write(cells(row.out)); err != nil {
				cancel()
				return stats, err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			cancel()
			return stats, err
		}
		if opts.Flush != nil {
			opts.Flush()
		}
		if progress != nil {
			progress(stats.Rows)
		}
	}
	if err := ctx.Err(); err != nil {
		return stats, err
	}
	// A file of no rows has only its header, still buffered.
	cw.Flush()
	if err := cw.Error(); err != nil {
		return stats, err
	}
	// order is closed only once the reader has returned, so readErr is
	// safe to read here.
	return stats, readErr
}

// batchWorker geocodes rows; each worker has its own buffers.
type batchWorker struct {
	d    *data.Dataset
	in   *csvInput
	text strings.Builder
	near []data.StationHit
}

func newBatchWorker(d *data.Dataset, in *csvInput) *batchWorker {
	return &batchWorker{d: d, in: in}
}

// geocode fills row.out and row.status.
func (bw *batchWorker) geocode(ctx context.Context, row *batchRow) {
	width := len(bw.in.header)
	out := make([]string, width+len(ResultColumns))
	for i := 0; i < width && i < len(row.fields); i++ {
		out[i] = fixEncoding(row.fields[i])
	}
	row.out = out
	var res result
	bw.find(ctx, row, out, &res)
	row.status = res.status
	for i, c := range resultColumns {
		out[width+i] = c.value(&res)
	}
}

// find geocodes the row whose fields out holds into res.
func (bw *batchWorker) find(ctx context.Context, row *batchRow, out []string, res *result) {
	set := func(status, reason string) {
		res.status, res.err = status, reason
	}
	if row.err != "" {
		set(StatusError, row.err)
		return
	}
	bw.text.Reset()
	// Columns are parts of the address: the geocoder reads the last part
	// as the commune.
	for _, c := range bw.in.queryCols {
		if v := strings.TrimSpace(out[c]); v != "" {
			if bw.text.Len() > 0 {
				bw.text.WriteString(", ")
			}
			bw.text.WriteString(v)
		}
	}
	text := bw.text.String()
	if strings.TrimFunc(text, func(r rune) bool { return !isLetterOrDigit(r) }) == "" {
		set(StatusSkipped, "empty query")
		return
	}
	if n := utf8.RuneCountInString(text); n > MaxQuery {
		set(StatusError, fmt.Sprintf("query of %d characters, at most %d", n, MaxQuery))
		return
	}
	q := geocode.Query{Text: text, Limit: 2}
	if c := bw.in.pcCol; c >= 0 {
		if pc := strings.TrimSpace(out[c]); data.IsPostcode(pc) {
			q.Postcode = pc
		}
	}
	if c := bw.in.ccCol; c >= 0 {
		if cc := strings.ToUpper(strings.TrimSpace(out[c])); data.IsCommuneCode(cc) {
			q.Citycode = cc
		}
	}
	ms, err := bw.d.Geocode(ctx, q)
	if err != nil {
		set(StatusError, err.Error())
		return
	}
	if len(ms) == 0 {
		set(StatusNotFound, "")
		return
	}
	m := &ms[0]
	res.match = m
	if len(ms) > 1 {
		res.next = &ms[1]
	}
	if m.Ambiguous {
		set(StatusAmbiguous, "")
	} else {
		set(StatusOK, "")
	}
	res.competence = m.Competence()
	for i := range res.competence.Units {
		u := &res.competence.Units[i]
		res.services = append(res.services, u.ServiceID)
		// A service with several stations is named by the one nearest
		// to the address, as nearest?competent=true would.
		if bw.near = u.StationsNear(m.Point, bw.near); len(bw.near) > 0 {
			res.stations = append(res.stations, bw.near[0].Station.ID)
		}
	}
	if bw.d.Len() > 0 {
		bw.near, _, err = bw.d.Nearest(data.NearestQuery{Point: m.Point, Limit: 1}, bw.near)
		if err == nil && len(bw.near) > 0 {
			hit := bw.near[0]
			res.nearest = &hit
		}
	}
}

func isLetterOrDigit(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f && r != utf8.RuneError
}
