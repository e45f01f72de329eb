package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"guichet/data"
)

// runGeocode geocodes a CSV file offline with the same engine as
// POST /v1/geocode/csv: output on stdout, progress on stderr when it is a
// terminal.
func runGeocode(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("geocode", stderr)
	dir := dataFlag(fs)
	columns := fs.String("columns", "", "comma-separated columns joined into the query (default: those named like parts of an address)")
	postcode := fs.String("postcode", "", "column holding a postcode that restricts each row's matches")
	citycode := fs.String("citycode", "", "column holding an INSEE code that restricts each row's matches")
	delimiter := fs.String("delimiter", "", "field delimiter: , ; | or tab (default: sniffed from the header)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: guichet geocode --data DIR [--columns a,b] [--postcode col] [--citycode col] in.csv > out.csv\n\nReads stdin when in.csv is - or absent.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(stderr, "unexpected argument %q\n", fs.Arg(1))
		return errUsage
	}
	if err := requireDataDir(*dir); err != nil {
		return err
	}
	opts := data.BatchOptions{Postcode: *postcode, Citycode: *citycode}
	for c := range strings.SplitSeq(*columns, ",") {
		if c = strings.TrimSpace(c); c != "" {
			opts.Columns = append(opts.Columns, c)
		}
	}
	var err error
	if opts.Delimiter, err = data.ParseDelimiter(*delimiter); err != nil {
		return fmt.Errorf("--delimiter must be one of , ; | or tab, got %q", *delimiter)
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
	ds, err := loadData(*dir)
	if err != nil && !errors.Is(err, data.ErrNoStations) {
		return err
	}
	var progress func(int)
	if isTerminal(stderr) {
		counted := &countingReader{r: in}
		in = counted
		progress = newBatchProgress(stderr, counted, size)
	}
	stats, err := ds.GeocodeCSV(ctx, in, stdout, opts, progress)
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

// newBatchProgress returns a progress callback that redraws one status
// line at most every 200 ms: rows/s, and the percentage and ETA from the
// bytes read when the input size is known.
func newBatchProgress(w io.Writer, read *countingReader, size int64) func(int) {
	start := time.Now()
	var last time.Time
	return func(rows int) {
		now := time.Now()
		if now.Sub(last) < 200*time.Millisecond {
			return
		}
		last = now
		elapsed := now.Sub(start).Seconds()
		rate := float64(rows) / max(elapsed, 1e-3)
		line := fmt.Sprintf("\r%d rows, %.0f rows/s", rows, rate)
		if size > 0 && read.n > 0 {
			frac := min(float64(read.n)/float64(size), 1)
			eta := time.Duration(elapsed*(1-frac)/max(frac, 1e-9)) * time.Second
			line += fmt.Sprintf(", %.0f%%, ETA %s", 100*frac, eta.Round(time.Second))
		}
		fmt.Fprint(w, line+"\x1b[K")
	}
}
