package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"guichet/data"
	"guichet/data/batch"
	"guichet/data/fetch"
	"guichet/data/load"
)

// runGeocode geocodes a CSV file offline with the same engine as
// POST /v1/geocode/csv: output on stdout, progress on stderr when it is a
// terminal.
func runGeocode(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newDataCommand("geocode", stdout, stderr)
	asJSON := fs.Bool("json", false, "one address: print the GeoCodeJSON answer of GET /v1/geocode")
	limit := fs.Int("limit", 0, "one address: number of matches, 1 to 50 (default 5)")
	columns := fs.String("columns", "", "CSV: comma-separated columns joined into the query (default: those named like parts of an address)")
	postcode := fs.String("postcode", "", "CSV: column holding a postcode that restricts each row's matches")
	citycode := fs.String("citycode", "", "CSV: column holding an INSEE code that restricts each row's matches")
	delimiter := fs.String("delimiter", "", "CSV: field delimiter: , ; | or tab (default: sniffed from the header)")
	if err := fs.parseArgs(args, 1); err != nil {
		return err
	}
	if address := fs.Arg(0); isAddress(address) {
		if *columns != "" || *postcode != "" || *citycode != "" || *delimiter != "" {
			return usagef("--columns, --postcode, --citycode and --delimiter apply to a CSV file, not to one address")
		}
		ds, err := fs.load()
		if err != nil {
			return err
		}
		return geocodeOne(ds, address, *limit, *asJSON, stdout)
	}
	if *asJSON || *limit != 0 {
		return usagef("--json and --limit apply to one address, not to a CSV file")
	}
	if err := fs.requireDir(); err != nil {
		return err
	}
	opts := batch.Options{Postcode: *postcode, Citycode: *citycode}
	for c := range strings.SplitSeq(*columns, ",") {
		if c = strings.TrimSpace(c); c != "" {
			opts.Columns = append(opts.Columns, c)
		}
	}
	var err error
	if opts.Delimiter, err = batch.ParseDelimiter(*delimiter); err != nil {
		return usagef("--delimiter must be one of , ; | or tab, got %q", *delimiter)
	}
	in, size := stdin, int64(-1)
	if name := fs.Arg(0); name != "" && name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
		in = f
	}
	ds, err := fs.load()
	if err != nil && !errors.Is(err, load.ErrNoStations) {
		return err
	}
	var progress func(int)
	if isTerminal(stderr) {
		totalRows := -1
		if f, ok := in.(*os.File); ok && size > 0 {
			totalRows = countRows(f)
		}
		counted := &countingReader{r: in}
		in = counted
		progress = newBatchProgress(stderr, counted, size, totalRows)
	}
	stats, err := batch.GeocodeCSV(ctx, ds, in, stdout, opts, progress)
	if progress != nil {
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%d rows: %d ok, %d ambiguous, %d not found, %d skipped, %d errors (%s, delimiter %q, columns %s)\n",
		stats.Rows, stats.OK, stats.Ambiguous, stats.NotFound, stats.Skipped, stats.Errors, stats.Encoding, stats.Delimiter, strings.Join(stats.Columns, ","))
	return nil
}

// isAddress tells an address from the name of a CSV file: a file that
// exists, "-" for stdin, or a name ending like a data file (so that a
// mistyped file name is reported missing rather than geocoded).
func isAddress(arg string) bool {
	if arg == "" || arg == "-" {
		return false
	}
	if _, err := os.Stat(arg); err == nil {
		return false
	}
	lower := strings.ToLower(arg)
	for _, ext := range []string{".csv", ".tsv", ".txt", ".gz"} {
		if strings.HasSuffix(lower, ext) {
			return false
		}
	}
	return true
}

// geocodeOne prints the matches of one address: the API's GeoCodeJSON
// with asJSON, else a line or two per match.
func geocodeOne(ds *data.Dataset, address string, limit int, asJSON bool, stdout io.Writer) error {
	q := url.Values{"q": {address}}
	if limit != 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var body bytes.Buffer
	if err := queryAPI(ds, "/v1/geocode?"+q.Encode(), &body); err != nil {
		return err
	}
	if asJSON {
		_, err := stdout.Write(body.Bytes())
		return err
	}
	var answer struct {
		Features []struct {
			Geometry struct {
				Coordinates [2]float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties struct {
				Label     string  `json:"label"`
				Score     float64 `json:"score"`
				Type      string  `json:"type"`
				Force     string  `json:"force"`
				Competent []struct {
					ServiceID string `json:"service_id"`
					StationID string `json:"station_id"`
				} `json:"competent"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(body.Bytes(), &answer); err != nil {
		return err
	}
	if len(answer.Features) == 0 {
		return fmt.Errorf("no match for %q", address)
	}
	for i, f := range answer.Features {
		p := f.Properties
		fmt.Fprintf(stdout, "%d. %s  (%s, score %.2f)\n   lat %.5f, lon %.5f", i+1, p.Label, p.Type, p.Score, f.Geometry.Coordinates[1], f.Geometry.Coordinates[0])
		if p.Force != "" {
			fmt.Fprintf(stdout, "; %s", p.Force)
		}
		for _, c := range p.Competent {
			fmt.Fprintf(stdout, "; competent unit %s", c.ServiceID)
			if c.StationID != "" {
				fmt.Fprintf(stdout, " (station %s)", c.StationID)
			}
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

// countingReader counts the bytes read, for the progress estimate.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// countRows counts the data rows of a CSV file (its lines but the
// header), then rewinds it, so that progress is told in rows: the CSV
// reader reads ahead, and the bytes it has read say little of the rows
// done. Quoted fields spanning lines make this a slight overestimate.
// It returns -1 when the file cannot be read twice.
func countRows(f *os.File) int {
	buf := make([]byte, 256<<10)
	lines, last := 0, byte('\n')
	for {
		n, err := f.Read(buf)
		lines += bytes.Count(buf[:n], []byte{'\n'})
		if n > 0 {
			last = buf[n-1]
		}
		if err != nil {
			break
		}
	}
	if last != '\n' {
		lines++
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return -1
	}
	return max(lines-1, 0)
}

// newBatchProgress returns a progress callback that redraws one status
// line at most every 200 ms.
func newBatchProgress(w io.Writer, read *countingReader, size int64, totalRows int) func(int) {
	start := time.Now()
	var last time.Time
	return func(rows int) {
		now := time.Now()
		if now.Sub(last) < 200*time.Millisecond {
			return
		}
		last = now
		fmt.Fprint(w, "\r"+progressLine(rows, totalRows, read.n, size, now.Sub(start))+"\x1b[K")
	}
}

// progressLine tells the rows done, the bytes, the rate and, when the
// number of rows is known (totalRows ≥ 0), the share done and the time
// left. Without it, the bytes read are shown as they are.
func progressLine(rows, totalRows int, read, size int64, elapsed time.Duration) string {
	rate := float64(rows) / max(elapsed.Seconds(), 1e-3)
	if totalRows <= 0 || size <= 0 {
		return fmt.Sprintf("%d rows, %s read, %.0f rows/s", rows, fetch.FormatSize(read), rate)
	}
	done := min(float64(rows)/float64(totalRows), 1)
	line := fmt.Sprintf("%d of %d rows (%.0f%%), %s of %s, %.0f rows/s", rows, totalRows, 100*done,
		fetch.FormatSize(int64(done*float64(size))), fetch.FormatSize(size), rate)
	if rows > 0 {
		left := time.Duration(float64(totalRows-rows) / rate * float64(time.Second))
		line += ", " + left.Round(time.Second).String() + " left"
	}
	return line
}
