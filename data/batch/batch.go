package data

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

	"guichet/geo/geocode"
)

// Limits of the batch CSV geocoder.
const (
	// MaxBatchColumns bounds the columns of an uploaded file: the output
	// repeats them on every row.
	MaxBatchColumns = 1000
	// MaxBatchQuery bounds the text geocoded for one row, in characters.
	MaxBatchQuery = 200
)

// batchChunk is how many rows travel together between the reader, the
// workers and the writer: large enough to amortise channel hand-offs,
// small enough that output starts at once and memory stays flat.
const batchChunk = 256

// BatchResultColumns are appended to every row of GeocodeCSV's output,
// in this order. The first thirteen are those of api-adresse's
// /search/csv/; result_error (why a row was skipped or failed) is ours,
// and last so that positional readers of the usual columns still work.
var BatchResultColumns = []string{
	"latitude", "longitude", "result_label", "result_score", "result_score_next",
	"result_type", "result_id", "result_housenumber", "result_street",
	"result_postcode", "result_city", "result_citycode", "result_status",
	"result_force", "result_competent_service", "result_competent_station_id",
	"result_nearest_station_id", "result_nearest_station_distance_m",
	"result_parent_citycode", "result_error",
}

// Positions of the result columns read by name below.
const (
	resStatus = 12
	resParent = 18
	resError  = 19
)

// Values of the result_status column.
const (
	BatchOK = "ok"
	// BatchAmbiguous is a row whose text fits two communes about as well:
	// its result is a guess between them (see geocode.Match.Ambiguous).
	BatchAmbiguous = "ambiguous"
	BatchNotFound  = "not-found"
	BatchSkipped   = "skipped"
	BatchError     = "error"
)

// BatchOptions tunes GeocodeCSV and ScanCSV. The zero value geocodes the
// columns of a sniffed CSV that hold an address.
type BatchOptions struct {
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

// BatchStats summarises a batch run.
type BatchStats struct {
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

func invalidBatch(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// openCSVInput sniffs the encoding and the delimiter from the head of r,
// reads the header and resolves the option columns. Errors wrap
// ErrInvalid and name what is wrong with the file or the options.
func openCSVInput(r io.Reader, opts *BatchOptions) (*csvInput, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	peek, err := br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if len(bytes.TrimSpace(bytes.TrimPrefix(peek, utf8BOM))) == 0 {
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
	case bytes.HasPrefix(peek, utf8BOM):
		br.Discard(len(utf8BOM))
		in.encoding = "utf-8-bom"
	case !utf8.Valid(trimPartialRune(peek, len(peek) == sniffSize)):
		in.encoding = "latin-1"
		src = &latin1Reader{r: br}
	}
	first, _, _ := bytes.Cut(peek, []byte{'\n'})
	in.sep = opts.Delimiter
	if in.sep == 0 {
		in.sep = sniffSeparator(first)
	}
	in.cr = csv.NewReader(src)
	in.cr.Comma = in.sep
	in.cr.FieldsPerRecord = -1
	in.cr.ReuseRecord = false
	header, err := in.cr.Read()
	if err != nil {
		return nil, invalidBatch("cannot read the header line: %v", err)
	}
	if len(header) > MaxBatchColumns {
		return nil, invalidBatch("the header has %d columns, at most %d are accepted", len(header), MaxBatchColumns)
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
		return -1, invalidBatch("%s: no column %q in the header (%s)", option, name, strings.Join(header, string(in.sep)))
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
			return nil, invalidBatch("columns: no column of the header (%s) looks like part of an address; name them with columns", strings.Join(header, string(in.sep)))
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
	return 0, fmt.Errorf("%w: delimiter must be one of , ; | or tab, got %q", ErrInvalid, s)
}

// fixEncoding decodes as Latin-1 a field that is not valid UTF-8: a file
// whose head was UTF-8 may still mix encodings further down.
func fixEncoding(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return latin1ToUTF8([]byte(s))
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
func ScanCSV(r io.Reader, opts BatchOptions) (rows int, columns []string, err error) {
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
// w, in input order, with BatchResultColumns appended. Rows are geocoded
// by opts.Workers goroutines and written chunk by chunk as soon as their
// turn comes, so memory does not grow with the file. A row that cannot be
// parsed or geocoded is written with result_status error and its reason;
// the run goes on. The error is non-nil only for a file whose head is not
// usable (wrapping ErrInvalid, before anything is written), a read or
// write failure, or ctx ending. progress, when set, is called with the
// number of rows written so far.
func (d *Dataset) GeocodeCSV(ctx context.Context, r io.Reader, w io.Writer, opts BatchOptions, progress func(rows int)) (BatchStats, error) {
	in, err := openCSVInput(r, &opts)
	if err != nil {
		return BatchStats{}, err
	}
	stats := BatchStats{Encoding: in.encoding, Delimiter: in.sep, Columns: in.columns()}
	cw := csv.NewWriter(w)
	cw.Comma = in.sep
	cells := neutraliseRow
	if opts.RawCells {
		cells = func(row []string) []string { return row }
	}
	if err := cw.Write(cells(append(append([]string{}, in.header...), BatchResultColumns...))); err != nil {
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
			bw := d.newBatchWorker(in)
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
			case BatchOK:
				stats.OK++
			case BatchAmbiguous:
				stats.Ambiguous++
			case BatchNotFound:
				stats.NotFound++
			case BatchSkipped:
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
	d    *Dataset
	in   *csvInput
	text strings.Builder
	near []StationHit
}

func (d *Dataset) newBatchWorker(in *csvInput) *batchWorker {
	return &batchWorker{d: d, in: in}
}

// geocode fills row.out and row.status.
func (bw *batchWorker) geocode(ctx context.Context, row *batchRow) {
	width := len(bw.in.header)
	out := make([]string, width+len(BatchResultColumns))
	for i := 0; i < width && i < len(row.fields); i++ {
		out[i] = fixEncoding(row.fields[i])
	}
	res := out[width:]
	row.out = out
	set := func(status, reason string) {
		row.status = status
		res[resStatus] = status
		res[resError] = reason
	}
	if row.err != "" {
		set(BatchError, row.err)
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
		set(BatchSkipped, "empty query")
		return
	}
	if n := utf8.RuneCountInString(text); n > MaxBatchQuery {
		set(BatchError, fmt.Sprintf("query of %d characters, at most %d", n, MaxBatchQuery))
		return
	}
	q := geocode.Query{Text: text, Limit: 2}
	if c := bw.in.pcCol; c >= 0 {
		if pc := strings.TrimSpace(out[c]); len(pc) == 5 && digitsOnly.MatchString(pc) {
			q.Postcode = pc
		}
	}
	if c := bw.in.ccCol; c >= 0 {
		if cc := strings.ToUpper(strings.TrimSpace(out[c])); communeCode.MatchString(cc) {
			q.Citycode = cc
		}
	}
	ms, err := bw.d.Geocode(ctx, q)
	if err != nil {
		set(BatchError, err.Error())
		return
	}
	if len(ms) == 0 {
		set(BatchNotFound, "")
		return
	}
	m := &ms[0]
	res[0] = strconv.FormatFloat(m.Point[1], 'f', 6, 64)
	res[1] = strconv.FormatFloat(m.Point[0], 'f', 6, 64)
	res[2] = m.Label
	res[3] = strconv.FormatFloat(m.Score, 'f', 4, 64)
	if len(ms) > 1 {
		res[4] = strconv.FormatFloat(ms[1].Score, 'f', 4, 64)
	}
	res[5] = m.Type.String()
	res[6] = m.ID
	res[7] = m.HouseNumber
	res[8] = m.Street
	res[9] = m.Postcode
	res[10] = m.City
	res[11] = m.Citycode
	res[resParent] = m.ParentCitycode
	if m.Ambiguous {
		set(BatchAmbiguous, "")
	} else {
		set(BatchOK, "")
	}
	comp := m.Competence()
	if comp.Zone != ZoneUnknown {
		res[13] = comp.Zone.String()
	}
	var services, stations []string
	for i := range comp.Units {
		u := &comp.Units[i]
		services = append(services, u.ServiceID)
		// A service with several stations is named by the one nearest
		// to the address, as nearest?competent=true would.
		if bw.near = u.StationsNear(m.Point, bw.near); len(bw.near) > 0 {
			stations = append(stations, bw.near[0].Station.ID)
		}
	}
	res[14] = strings.Join(services, "|")
	res[15] = strings.Join(stations, "|")
	if len(bw.d.stations) > 0 {
		bw.near, err = bw.d.Nearest(NearestQuery{Point: m.Point, Limit: 1}, bw.near)
		if err == nil && len(bw.near) > 0 {
			res[16] = bw.near[0].Station.ID
			res[17] = strconv.FormatFloat(bw.near[0].DistanceM, 'f', 0, 64)
		}
	}
}

func isLetterOrDigit(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f && r != utf8.RuneError
}
