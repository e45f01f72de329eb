package api

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"guichet/data/batch"
)

// A batch upload may take longer than the server's read timeout, but not
// by sending slowly: it must keep up an average of batchMinRate bytes a
// second, with batchRateGrace of slack, or it is cut (see minRateReader).
// Its answer gets batchWriteWindow more after each flush instead of the
// server's write timeout.
const (
	batchMinRate     = 8 << 10
	batchRateGrace   = 10 * time.Second
	batchWriteWindow = 30 * time.Second
)

// Limits on the non-file parts of the batch upload: option values are
// column names, and an upload of thousands of parts is not a CSV file.
const (
	maxBatchParts      = 64
	maxBatchFieldBytes = 1 << 10
)

// minRateReader cuts a request body that falls behind rate bytes a
// second on average, after grace: before each read it sets the
// connection's read deadline to the instant the bytes received so far
// stop being enough. A client trickling bytes is cut within grace, while
// one sending steadily at the rate may take as long as its upload needs.
type minRateReader struct {
	body  io.ReadCloser
	rc    *http.ResponseController
	start time.Time
	rate  int
	grace time.Duration
	n     int64
	// deadlines is false where the connection has none (HTTP/2 streams
	// aside, tests' recorders): the server's timeouts then apply.
	deadlines bool
}

func newMinRateReader(body io.ReadCloser, rc *http.ResponseController, rate int, grace time.Duration) *minRateReader {
	m := &minRateReader{body: body, rc: rc, start: time.Now(), rate: rate, grace: grace}
	m.deadlines = m.setDeadline() == nil
	return m
}

func (m *minRateReader) setDeadline() error {
	owed := time.Duration(float64(m.n) / float64(m.rate) * float64(time.Second))
	return m.rc.SetReadDeadline(m.start.Add(m.grace + owed))
}

func (m *minRateReader) Read(p []byte) (int, error) {
	if m.deadlines {
		_ = m.setDeadline()
	}
	n, err := m.body.Read(p)
	m.n += int64(n)
	return n, err
}

func (m *minRateReader) Close() error { return m.body.Close() }

// geocodeCSV answers POST /v1/geocode/csv like api-adresse's /search/csv/:
// a multipart upload whose "data" part is the CSV file, with repeatable
// (or comma-separated) "columns" fields and optional "postcode",
// "citycode" and "delimiter". The X-Batch-Columns header names the
// columns the queries were built from.
//
// The output streams while rows are geocoded, so everything that can
// refuse the upload happens first: the file part is spooled to a
// temporary file (memory stays flat whatever its size) while the body
// cap applies, then scanned once to check its header and options and to
// count its rows against MaxBatchRows. Only then does the 200 start.
// The output is always UTF-8, with the input's delimiter.
func (s *Server) geocodeCSV(c *gin.Context) {
	ds := s.dataset(c)
	if ds == nil {
		return
	}
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "multipart/form-data" {
		s.fail(c, refuse(typeUnsupportedMedia, "the upload must be multipart/form-data with the CSV file in a part named data"))
		return
	}
	rc := http.NewResponseController(c.Writer)
	c.Request.Body = newMinRateReader(c.Request.Body, rc, s.batchMinRate, s.batchRateGrace)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		s.fail(c, badParam("data", "the multipart body cannot be read: "+err.Error()))
		return
	}
	spool, err := os.CreateTemp("", "guichet-batch-*.csv")
	if err != nil {
		s.fail(c, err)
		return
	}
	defer func() {
		spool.Close()
		os.Remove(spool.Name())
	}()
	var opts batch.Options
	gotData := false
	for parts := 0; ; parts++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.failUpload(c, err, "the multipart body is malformed: ")
			return
		}
		if parts == maxBatchParts {
			s.fail(c, badParam("data", "the upload has more than "+strconv.Itoa(maxBatchParts)+" parts"))
			return
		}
		name := part.FormName()
		if name == "data" {
			if gotData {
				s.fail(c, badParam("data", "is given more than once"))
				return
			}
			gotData = true
			if _, err := io.Copy(spool, part); err != nil {
				s.failUpload(c, err, "the data part cannot be read: ")
				return
			}
			continue
		}
		value, err := io.ReadAll(io.LimitReader(part, maxBatchFieldBytes+1))
		if err != nil {
			s.failUpload(c, err, "the "+name+" part cannot be read: ")
			return
		}
		if len(value) > maxBatchFieldBytes {
			s.fail(c, badParam(name, "is longer than "+strconv.Itoa(maxBatchFieldBytes)+" bytes"))
			return
		}
		if err := setBatchOption(&opts, name, string(value)); err != nil {
			s.fail(c, err)
			return
		}
	}
	if !gotData {
		s.fail(c, badParam("data", "is required: the CSV file, as a multipart part named data"))
		return
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		s.fail(c, err)
		return
	}
	rows, columns, err := batch.ScanCSV(spool, opts)
	if err != nil {
		s.fail(c, err)
		return
	}
	if rows > s.cfg.MaxBatchRows {
		s.fail(c, refuse(typeTooLarge, "the file has "+strconv.Itoa(rows)+" rows, at most "+strconv.Itoa(s.cfg.MaxBatchRows)+" are accepted per upload"))
		return
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		s.fail(c, err)
		return
	}
	// The slot is taken only now, with the whole upload on disk: a client
	// sending slowly holds a socket and a file, never the processor time
	// that other uploads wait for.
	release, ok := s.takeBatchSlot(c)
	if !ok {
		return
	}
	defer release()
	h := c.Writer.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="geocoded.csv"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Batch-Rows", strconv.Itoa(rows))
	h.Set("X-Batch-Columns", strings.Join(columns, ","))
	c.Status(http.StatusOK)
	// A large batch outlasts the server's write timeout. Each flush grants
	// batchWriteWindow more instead, so a long answer goes through while a
	// client that stops reading is still cut.
	extend := func() { _ = rc.SetWriteDeadline(time.Now().Add(batchWriteWindow)) }
	extend()
	opts.Flush = func() {
		extend()
		c.Writer.Flush()
	}
	stats, err := batch.GeocodeCSV(c.Request.Context(), ds, spool, c.Writer, opts, nil)
	s.ObserveBatchRows(stats.Rows)
	if err != nil {
		// The status is sent: cutting the connection is the only way left
		// to tell the client that the CSV is incomplete.
		if !errors.Is(err, context.Canceled) {
			s.log.Error("batch geocoding stopped", slog.Int("rows", stats.Rows), slog.Any("error", err))
		}
		panic(http.ErrAbortHandler)
	}
}

// setBatchOption applies one non-file field of the upload. Unknown
// fields are ignored, as api-adresse does, so that clients sending its
// other options still work.
func setBatchOption(opts *batch.Options, name, raw string) error {
	value := strings.TrimSpace(raw)
	switch name {
	case "columns":
		// Repeated fields, as api-adresse takes them, or one
		// comma-separated list, as the CLI does.
		for col := range strings.SplitSeq(value, ",") {
			col = strings.TrimSpace(col)
			if col == "" {
				return badParam("columns", "must name columns of the header, repeated or separated by commas")
			}
			opts.Columns = append(opts.Columns, col)
		}
	case "postcode":
		opts.Postcode = value
	case "citycode":
		opts.Citycode = value
	case "delimiter":
		if raw == "\t" {
			// A tab, which trimming takes for white space; an empty value
			// asks, like no value, for the delimiter to be detected.
			value = "tab"
		}
		d, err := batch.ParseDelimiter(value)
		if err != nil {
			return badParam("delimiter", "must be one of , ; | or tab, got "+strconv.Quote(value))
		}
		opts.Delimiter = d
	case "formulas":
		switch value {
		case "", "neutralise", "neutralize":
			opts.RawCells = false
		case "raw":
			opts.RawCells = true
		default:
			return badParam("formulas", "must be neutralise or raw, got "+strconv.Quote(value))
		}
	}
	return nil
}

// failUpload maps a failure to read the upload: the body cap gives 413,
// a sender below the minimum rate 408, anything else is the client's
// malformed body.
func (s *Server) failUpload(c *gin.Context, err error, prefix string) {
	if isTooLarge(err) {
		s.fail(c, err)
		return
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		s.fail(c, refuse(typeSlowUpload, "the upload was slower than "+strconv.Itoa(s.batchMinRate)+" bytes a second on average"))
		return
	}
	s.fail(c, badParam("data", prefix+err.Error()))
}
