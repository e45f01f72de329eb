package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// ManifestFile is the name of the manifest written in the data directory.
const ManifestFile = "sources.json"

// Entry statuses.
const (
	StatusDownloaded  = "downloaded"
	StatusNotModified = "not_modified"
	StatusFailed      = "failed"
)

// Errors returned by Fetch, wrapped with the source name and the cause.
var (
	// ErrUnreachable means the network or the host could not be reached at
	// all (DNS failure, connection refused, timeout): working offline from
	// an existing data directory is then the only option.
	ErrUnreachable = errors.New("source: network unreachable")
	// ErrOffline wraps ErrUnreachable when the very first connection of a
	// fetch fails at the network level (DNS, refused, unreachable): no
	// source has answered, the others would fail the same way, so Fetch
	// stops at once instead of retrying each of them.
	ErrOffline   = fmt.Errorf("%w: no source could be reached", ErrUnreachable)
	ErrTruncated = errors.New("source: truncated download")
	ErrStatus    = errors.New("source: unexpected HTTP status")
	ErrFormat    = errors.New("source: file does not match its format")
)

// maxRetryAfter bounds the wait a server may ask for, so that a misbehaving
// mirror cannot stall a fetch for hours.
const maxRetryAfter = time.Minute

// A Manifest records the files of a data directory and where they came from.
type Manifest struct {
	Sources []Entry `json:"sources"`
}

// An Entry describes one source's file as it is on disk after a fetch.
// When a fetch fails, the entry keeps describing the previous file, which is
// left in place, with Status "failed" and the Error.
type Entry struct {
	Name         string    `json:"name"`
	URL          string    `json:"url"`
	File         string    `json:"file"`
	FetchedAt    time.Time `json:"fetched_at,omitzero"` // last download or confirmation that it is unchanged
	Size         int64     `json:"size"`
	SHA256       string    `json:"sha256,omitempty"`
	Rows         int       `json:"rows"` // as counted by Fetcher.Verify
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	Status       string    `json:"status"`
	Error        string    `json:"error,omitempty"`
}

// ReadManifest reads the manifest of a data directory. A directory that was
// never fetched into returns an error matching os.ErrNotExist.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("source: %s: %w", ManifestFile, err)
	}
	return m, nil
}

// A Fetcher downloads sources into a directory. Files are replaced
// atomically and only once complete and verified, so a failed fetch never
// damages the data a server is running on. The zero value of every field
// but Dir is usable. A Fetcher is not safe for concurrent use on one Dir.
type Fetcher struct {
	Client *http.Client // nil means http.DefaultClient
	Dir    string

	// Verify parses a downloaded file before it replaces the previous one and
	// returns its row count. The path is a temporary file that keeps the
	// source's file extension. Nil accepts any file.
	Verify func(path string, s Source) (rows int, err error)

	// Progress receives a progress bar when it is a terminal, and a plain
	// line every few seconds otherwise. Nil means silent.
	Progress io.Writer
	// Log, when set, receives the outcome of each source (downloaded,
	// retrying, failed) as structured records, instead of plain lines on
	// Progress, for a program whose standard error is a log stream.
	Log *slog.Logger
	// Status, when set, is called as each source starts and as its bytes
	// arrive, so that a server can tell what it is waiting for.
	Status func(Status)

	Retries int           // extra attempts after a network error, a 5xx or a 429
	Backoff time.Duration // first wait between attempts, doubled each time; 0 means 1s
	Now     func() time.Time
}

// Status is what a Fetch is doing: the Index-th source of Count (from 1),
// and the bytes received of its file. Total is -1 while unknown.
type Status struct {
	Source       string
	Index, Count int
	Bytes, Total int64
}

// Fetch downloads each source into f.Dir and writes the manifest there.
// A source unchanged since the last fetch, according to its ETag or
// Last-Modified date, is not downloaded again. A failing optional source is
// recorded as failed in the manifest; a failing required source makes Fetch
// return an error, after the other sources are fetched. Entries of earlier
// fetches for sources not in the list are kept. When ctx is cancelled Fetch
// stops, writes the manifest of what it did and returns ctx's error.
func (f *Fetcher) Fetch(ctx context.Context, sources []Source) (Manifest, error) {
	if err := validateList(sources); err != nil {
		return Manifest{}, err
	}
	if err := os.MkdirAll(f.Dir, 0o755); err != nil {
		return Manifest{}, fmt.Errorf("source: %w", err)
	}
	// An unreadable manifest only costs full downloads, so it is not fatal.
	prev, _ := ReadManifest(f.Dir)
	previous := make(map[string]Entry, len(prev.Sources))
	for _, e := range prev.Sources {
		previous[e.Name] = e
	}

	var m Manifest
	var errs []error
	reached := false // whether any host has answered during this fetch
	for i, s := range sources {
		if ctx.Err() != nil {
			break
		}
		p := previous[s.Name]
		if f.Status != nil {
			f.Status(Status{Source: s.Name, Index: i + 1, Count: len(sources), Total: -1})
		}
		e, err := f.fetchRetrying(ctx, s, p, i+1, len(sources), !reached)
		if err != nil && ctx.Err() != nil {
			break // the previous entry, if any, is kept below
		}
		delete(previous, s.Name)
		if err == nil || !errors.Is(err, ErrUnreachable) {
			reached = true
		}
		if err != nil {
			e = failedEntry(s, p, err)
			if errors.Is(err, ErrOffline) {
				f.note(slog.LevelError, s.Name, "failed, no network", err)
				m.Sources = append(m.Sources, e)
				errs = append(errs, err)
				break // the sources not tried keep their previous entries
			}
			if s.Optional {
				f.note(slog.LevelWarn, s.Name, "skipped optional source", err)
			} else {
				f.note(slog.LevelError, s.Name, "failed", err)
				errs = append(errs, err)
			}
		}
		m.Sources = append(m.Sources, e)
	}
	for _, e := range prev.Sources {
		if _, kept := previous[e.Name]; kept {
			m.Sources = append(m.Sources, e)
		}
	}
	if err := writeManifest(f.Dir, m); err != nil {
		errs = append(errs, err)
	}
	if err := ctx.Err(); err != nil {
		return m, fmt.Errorf("source: fetch interrupted: %w", err)
	}
	return m, errors.Join(errs...)
}

// failedEntry records a failure while still describing the file left on
// disk by an earlier fetch, if any.
func failedEntry(s Source, prev Entry, err error) Entry {
	e := Entry{Name: s.Name, URL: s.URL, File: s.File}
	if prev.File == s.File {
		e = prev
	}
	e.Status = StatusFailed
	e.Error = err.Error()
	return e
}

// retryable marks a failure worth another attempt; after, when set, is the
// wait the server asked for.
type retryable struct {
	err   error
	after time.Duration
}

func (r *retryable) Error() string { return r.err.Error() }
func (r *retryable) Unwrap() error { return r.err }

// fetchRetrying fetches one source, retrying with exponential backoff and
// jitter on failures that may be temporary.
// When first is set, no host has answered yet: a failure to connect at all
// is then taken as having no network, returned at once as ErrOffline.
func (f *Fetcher) fetchRetrying(ctx context.Context, s Source, prev Entry, index, count int, first bool) (Entry, error) {
	backoff := f.Backoff
	if backoff <= 0 {
		backoff = time.Second
	}
	for attempt := 0; ; attempt++ {
		e, err := f.fetchOnce(ctx, s, prev, index, count)
		if cause := noNetwork(err); first && cause != nil {
			return e, fmt.Errorf("%s: %w: %w", s.Name, ErrOffline, cause)
		}
		var r *retryable
		if err == nil || !errors.As(err, &r) || attempt >= f.Retries {
			if r != nil {
				err = r.err
			}
			return e, err
		}
		wait := r.after
		if wait <= 0 {
			wait = backoff
			for i := 0; i < attempt && wait < maxRetryAfter; i++ {
				wait *= 2
			}
			wait += rand.N(wait/2 + 1) // jitter spreads out clients retrying together
		}
		f.note(slog.LevelWarn, s.Name, "retrying in "+wait.Round(time.Millisecond).String(), r.err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return Entry{}, ctx.Err()
		case <-t.C:
		}
	}
}

// fetchOnce makes one conditional GET of s and, on success, replaces the
// file in f.Dir.
func (f *Fetcher) fetchOnce(ctx context.Context, s Source, prev Entry, index, count int) (Entry, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	if err != nil {
		return Entry{}, fmt.Errorf("%s: source: %w", s.Name, err)
	}
	req.Header.Set("User-Agent", "guichet-fetch")
	conditional := f.hasFile(s, prev)
	if conditional {
		if prev.ETag != "" {
			req.Header.Set("If-None-Match", prev.ETag)
		}
		if prev.LastModified != "" {
			req.Header.Set("If-Modified-Since", prev.LastModified)
		}
	}
	client := f.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return Entry{}, f.networkError(ctx, s, err)
	}
	defer resp.Body.Close()

	switch {
	case resp.StatusCode == http.StatusNotModified && conditional:
		e := prev
		e.URL = s.URL
		e.FetchedAt = f.now()
		e.Status = StatusNotModified
		e.Error = ""
		f.note(slog.LevelInfo, s.Name, "not modified", nil)
		return e, nil
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return Entry{}, &retryable{
			err:   fmt.Errorf("%s: %w: %s", s.Name, ErrStatus, resp.Status),
			after: f.retryAfter(resp.Header.Get("Retry-After")),
		}
	default:
		return Entry{}, fmt.Errorf("%s: %w: %s", s.Name, ErrStatus, resp.Status)
	}

	e := Entry{
		Name:         s.Name,
		URL:          s.URL,
		File:         s.File,
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		Status:       StatusDownloaded,
	}
	if err := f.download(ctx, s, resp, &e, index, count); err != nil {
		return Entry{}, err
	}
	e.FetchedAt = f.now()
	if f.Log != nil {
		f.Log.Info("downloaded", slog.String("source", s.Name), slog.Int64("bytes", e.Size),
			slog.Int("rows", e.Rows), slog.String("sha256", e.SHA256))
	} else {
		f.printf("%s: downloaded %s, %d rows, sha256 %.12s\n", s.Name, FormatSize(e.Size), e.Rows, e.SHA256)
	}
	return e, nil
}

// hasFile reports whether the file described by prev is still on disk, so
// that a 304 answer would leave a usable file.
func (f *Fetcher) hasFile(s Source, prev Entry) bool {
	if prev.URL != s.URL || prev.File != s.File || prev.SHA256 == "" {
		return false
	}
	fi, err := os.Stat(filepath.Join(f.Dir, s.File))
	return err == nil && fi.Mode().IsRegular() && fi.Size() == prev.Size
}

// download streams the body to a temporary file, checks it is complete and
// valid, then renames it over s.File. The temporary file never survives.
func (f *Fetcher) download(ctx context.Context, s Source, resp *http.Response, e *Entry, index, count int) (err error) {
	tmp, err := os.CreateTemp(f.Dir, ".tmp*-"+s.File)
	if err != nil {
		return fmt.Errorf("%s: source: %w", s.Name, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	h := sha256.New()
	bar := f.newProgress(s.Name, resp.ContentLength, index, count)
	n, err := io.Copy(io.MultiWriter(tmp, h, bar), resp.Body)
	bar.done()
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &retryable{err: fmt.Errorf("%s: %w: got %d of %d bytes", s.Name, ErrTruncated, n, resp.ContentLength)}
	case err != nil:
		return f.networkError(ctx, s, err)
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		return &retryable{err: fmt.Errorf("%s: %w: got %d of %d bytes", s.Name, ErrTruncated, n, resp.ContentLength)}
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("%s: source: %w", s.Name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: source: %w", s.Name, err)
	}
	if f.Verify != nil {
		rows, err := f.Verify(tmp.Name(), s)
		if err != nil {
			return fmt.Errorf("%s: %w %s: %w", s.Name, ErrFormat, s.Format, err)
		}
		e.Rows = rows
	}
	if err := os.Rename(tmp.Name(), filepath.Join(f.Dir, s.File)); err != nil {
		return fmt.Errorf("%s: source: %w", s.Name, err)
	}
	e.Size = n
	e.SHA256 = hex.EncodeToString(h.Sum(nil))
	return nil
}

// networkError classifies a transport error: cancellation is returned as
// is, unreachable hosts wrap ErrUnreachable, and all are retryable.
func (f *Fetcher) networkError(ctx context.Context, s Source, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if unreachable(err) {
		return &retryable{err: fmt.Errorf("%s: %w: %w", s.Name, ErrUnreachable, err)}
	}
	return &retryable{err: fmt.Errorf("%s: source: %w", s.Name, err)}
}

// unreachable reports whether err means no connection to the host could be
// made or kept, as opposed to a host that answered badly.
func unreachable(err error) bool {
	var dns *net.DNSError
	var op *net.OpError
	var ne net.Error
	switch {
	case errors.As(err, &dns):
		return true
	case errors.As(err, &op) && op.Op == "dial":
		return true
	case errors.As(err, &ne) && ne.Timeout():
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ENETUNREACH) ||
		errors.Is(err, syscall.EHOSTUNREACH)
}

// noNetwork returns the cause when err, from fetchOnce, failed to make any
// connection at all: the name did not resolve, or the host, the network or
// the proxy refused or could not be routed to. A timeout is not enough: it
// may be a slow host on a working network.
func noNetwork(err error) error {
	if !errors.Is(err, ErrUnreachable) {
		return nil
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns
	}
	if !errors.Is(err, syscall.ECONNREFUSED) && !errors.Is(err, syscall.ENETUNREACH) && !errors.Is(err, syscall.EHOSTUNREACH) {
		return nil
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return op
	}
	return err
}

// retryAfter parses a Retry-After header, in seconds or as an HTTP date.
func (f *Fetcher) retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.Atoi(v); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(f.now())
	}
	return min(max(d, 0), maxRetryAfter)
}

func (f *Fetcher) now() time.Time {
	if f.Now != nil {
		return f.Now().UTC()
	}
	return time.Now().UTC()
}

// note reports one event about a source: a structured record on f.Log
// when set, else a plain line on f.Progress.
func (f *Fetcher) note(level slog.Level, source, msg string, err error) {
	if f.Log != nil {
		attrs := []slog.Attr{slog.String("source", source)}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		f.Log.LogAttrs(context.Background(), level, msg, attrs...)
		return
	}
	if err != nil {
		f.printf("%s, %v\n", msg, err)
	} else {
		f.printf("%s: %s\n", source, msg)
	}
}

func (f *Fetcher) printf(format string, args ...any) {
	if f.Progress != nil {
		fmt.Fprintf(f.Progress, format, args...)
	}
}

// writeManifest replaces the manifest atomically, so a reader never sees
// half of it.
func writeManifest(dir string, m Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp*-"+ManifestFile)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	_, err = tmp.Write(append(b, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, ManifestFile))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("source: writing manifest: %w", err)
	}
	return nil
}
