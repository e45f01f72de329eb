package fetch

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

var fetchTime = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

const lastModified = "Sun, 01 Feb 2026 08:00:00 GMT"

// mustRead returns a fixture's bytes.
func mustRead(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// verifyCSV accepts the gendarmerie fixture layout and counts its rows.
func verifyCSV(path string, s Source) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "identifiant_public_unite;") {
		return 0, errors.New("missing gendarmerie header")
	}
	rows := 0
	for sc.Scan() {
		rows++
	}
	return rows, sc.Err()
}

// server serves body with an ETag and honours If-None-Match. Before each
// normal answer it pops a status from fail, if any, to script failures.
type server struct {
	*httptest.Server
	body     atomic.Pointer[[]byte]
	requests atomic.Int32
	fail     chan int
	lastReq  atomic.Pointer[http.Header]
}

func newServer(t *testing.T, body []byte) *server {
	t.Helper()
	s := &server{fail: make(chan int, 10)}
	s.setBody(body)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		h := r.Header.Clone()
		s.lastReq.Store(&h)
		select {
		case code := <-s.fail:
			w.Header().Set("Retry-After", "0")
			http.Error(w, "scripted failure", code)
			return
		default:
		}
		b := *s.body.Load()
		sum := sha256.Sum256(b)
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastModified)
		w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) setBody(b []byte) { s.body.Store(&b) }

func (s *server) source(name string) Source {
	return Source{Name: name, URL: s.URL + "/" + name, Format: FormatGendarmerieCSV, File: name + ".csv"}
}

func newFetcher(t *testing.T) *Fetcher {
	t.Helper()
	return &Fetcher{
		Dir:     t.TempDir(),
		Verify:  verifyCSV,
		Backoff: time.Millisecond,
		Now:     func() time.Time { return fetchTime },
	}
}

// assertNoTemp fails if a temporary file was left in dir.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	left, err := filepath.Glob(filepath.Join(dir, ".tmp*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func assertFile(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s = %q, want %q", path, got, want)
	}
}

// fixture is a server of the gendarmerie fixture and a fetcher that has
// fetched it once: the starting point of most tests.
type fixture struct {
	body  []byte
	srv   *server
	f     *Fetcher
	src   Source
	first Manifest
}

func fetchedOnce(t *testing.T) fixture {
	t.Helper()
	x := fixture{body: mustRead(t, "gendarmerie.csv"), f: newFetcher(t)}
	x.srv = newServer(t, x.body)
	x.src = x.srv.source("gendarmerie-units")
	var err error
	if x.first, err = x.f.Fetch(context.Background(), []Source{x.src}); err != nil {
		t.Fatalf("first Fetch: %v", err)
	}
	return x
}

func TestFetchDownload(t *testing.T) {
	x := fetchedOnce(t)
	body, f, src, m := x.body, x.f, x.src, x.first
	sum := sha256.Sum256(body)
	want := Entry{
		Name:         src.Name,
		URL:          src.URL,
		File:         src.File,
		FetchedAt:    fetchTime,
		Size:         int64(len(body)),
		SHA256:       hex.EncodeToString(sum[:]),
		Rows:         3,
		ETag:         `"` + hex.EncodeToString(sum[:8]) + `"`,
		LastModified: lastModified,
		Status:       StatusDownloaded,
	}
	if len(m.Sources) != 1 || m.Sources[0] != want {
		t.Fatalf("manifest = %+v, want [%+v]", m.Sources, want)
	}
	assertFile(t, filepath.Join(f.Dir, src.File), body)
	assertNoTemp(t, f.Dir)

	read, err := ReadManifest(f.Dir)
	if err != nil {
		t.Fatalf("ReadManifest: %v", err)
	}
	if !reflect.DeepEqual(read, m) {
		t.Errorf("ReadManifest = %+v, want %+v", read, m)
	}
}

func TestFetchNotModified(t *testing.T) {
	x := fetchedOnce(t)
	body, srv, f, src, first := x.body, x.srv, x.f, x.src, x.first
	later := fetchTime.Add(24 * time.Hour)
	f.Now = func() time.Time { return later }
	f.Verify = func(string, Source) (int, error) {
		t.Error("Verify called on a 304 answer")
		return 0, nil
	}
	m, err := f.Fetch(context.Background(), []Source{src})
	if err != nil {
		t.Fatalf("second Fetch: %v", err)
	}
	h := *srv.lastReq.Load()
	if got := h.Get("If-None-Match"); got != first.Sources[0].ETag {
		t.Errorf("If-None-Match = %q, want %q", got, first.Sources[0].ETag)
	}
	if got := h.Get("If-Modified-Since"); got != lastModified {
		t.Errorf("If-Modified-Since = %q, want %q", got, lastModified)
	}
	want := first.Sources[0]
	want.Status = StatusNotModified
	want.FetchedAt = later
	if len(m.Sources) != 1 || m.Sources[0] != want {
		t.Errorf("manifest = %+v, want [%+v]", m.Sources, want)
	}
	assertFile(t, filepath.Join(f.Dir, src.File), body)
}

func TestFetchUnconditionalWhenFileMissing(t *testing.T) {
	x := fetchedOnce(t)
	body, srv, f, src := x.body, x.srv, x.f, x.src
	if err := os.Remove(filepath.Join(f.Dir, src.File)); err != nil {
		t.Fatal(err)
	}
	m, err := f.Fetch(context.Background(), []Source{src})
	if err != nil {
		t.Fatal(err)
	}
	if got := (*srv.lastReq.Load()).Get("If-None-Match"); got != "" {
		t.Errorf("If-None-Match = %q for a missing file, want none", got)
	}
	if got := m.Sources[0].Status; got != StatusDownloaded {
		t.Errorf("status = %q, want %q", got, StatusDownloaded)
	}
	assertFile(t, filepath.Join(f.Dir, src.File), body)
}

func TestFetchTruncated(t *testing.T) {
	x := fetchedOnce(t)
	body, f, good, before := x.body, x.f, x.src, x.first

	cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Announce more than is sent: the server then drops the connection.
		w.Header().Set("Content-Length", fmt.Sprint(len(body)+100))
		w.Write(body)
	}))
	defer cut.Close()
	bad := good
	bad.URL = cut.URL
	m, err := f.Fetch(context.Background(), []Source{bad})
	if !errors.Is(err, ErrTruncated) {
		t.Fatalf("Fetch error = %v, want %v", err, ErrTruncated)
	}
	assertFile(t, filepath.Join(f.Dir, good.File), body)
	assertNoTemp(t, f.Dir)
	e := m.Sources[0]
	if e.Status != StatusFailed || e.SHA256 != before.Sources[0].SHA256 || e.Error == "" {
		t.Errorf("entry = %+v, want failed and still describing the previous file", e)
	}
}

func TestFetchRetries(t *testing.T) {
	body := mustRead(t, "gendarmerie.csv")
	tests := []struct {
		name     string
		fail     []int
		retries  int
		wantErr  error
		requests int32
	}{
		{"two 500 then 200", []int{500, 500}, 2, nil, 3},
		{"429 then 200", []int{429}, 1, nil, 2},
		{"permanent 500", []int{500, 500, 500, 500}, 2, ErrStatus, 3},
		{"503 without retries", []int{503}, 0, ErrStatus, 1},
		{"404 is not retried", []int{404}, 3, ErrStatus, 1},
		{"403 is not retried", []int{403}, 3, ErrStatus, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, body)
			for _, code := range tt.fail {
				srv.fail <- code
			}
			f := newFetcher(t)
			f.Retries = tt.retries
			m, err := f.Fetch(context.Background(), []Source{srv.source("gendarmerie-units")})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("Fetch error = %v, want %v", err, tt.wantErr)
			}
			if got := srv.requests.Load(); got != tt.requests {
				t.Errorf("requests = %d, want %d", got, tt.requests)
			}
			wantStatus := StatusDownloaded
			if tt.wantErr != nil {
				wantStatus = StatusFailed
			}
			if got := m.Sources[0].Status; got != wantStatus {
				t.Errorf("status = %q, want %q", got, wantStatus)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	f := &Fetcher{Now: func() time.Time { return fetchTime }}
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{"-3", 0},
		{"soon", 0},
		{fetchTime.Add(20 * time.Second).Format(http.TimeFormat), 20 * time.Second},
		{fetchTime.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"86400", maxRetryAfter},
	}
	for _, tt := range tests {
		if got := f.retryAfter(tt.header); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestFetchWrongFormat(t *testing.T) {
	x := fetchedOnce(t)
	body, srv, f, src := x.body, x.srv, x.f, x.src
	srv.setBody(mustRead(t, "notcsv.html"))
	m, err := f.Fetch(context.Background(), []Source{src})
	if !errors.Is(err, ErrFormat) {
		t.Fatalf("Fetch error = %v, want %v", err, ErrFormat)
	}
	assertFile(t, filepath.Join(f.Dir, src.File), body)
	assertNoTemp(t, f.Dir)
	if got := m.Sources[0]; got.Status != StatusFailed || got.Rows != 3 {
		t.Errorf("entry = %+v, want failed, keeping the previous 3 rows", got)
	}
}

func TestFetchUnreachable(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for _, url := range []string{closed.URL, "http://127.0.0.1:1/"} {
		f := newFetcher(t)
		f.Retries = 1
		src := Source{Name: "gendarmerie-units", URL: url, File: "gendarmerie-units.csv"}
		m, err := f.Fetch(context.Background(), []Source{src})
		if !errors.Is(err, ErrUnreachable) {
			t.Errorf("Fetch(%s) error = %v, want %v", url, err, ErrUnreachable)
		}
		if len(m.Sources) != 1 || m.Sources[0].Status != StatusFailed {
			t.Errorf("Fetch(%s) manifest = %+v, want one failed entry", url, m.Sources)
		}
	}
}

func TestFetchFailureKeepsGoing(t *testing.T) {
	for _, optional := range []bool{true, false} {
		t.Run(fmt.Sprintf("optional=%v", optional), func(t *testing.T) {
			x := fetchedOnce(t)
			missing := Source{Name: "ban-38", URL: x.srv.URL + "/missing", File: "adresses-38.csv.gz", Optional: optional}
			x.srv.fail <- http.StatusNotFound
			m, err := x.f.Fetch(context.Background(), []Source{missing, x.srv.source("police-services")})
			if optional && err != nil {
				t.Errorf("Fetch error = %v, want nil for an optional failure", err)
			}
			if !optional && (!errors.Is(err, ErrStatus) || !strings.Contains(err.Error(), "ban-38")) {
				t.Errorf("Fetch error = %v, want %v naming ban-38", err, ErrStatus)
			}
			var got []string
			for _, e := range m.Sources {
				got = append(got, e.Name+"="+e.Status)
			}
			// The entry of the earlier fetch is kept after this fetch's entries.
			want := []string{"ban-38=failed", "police-services=downloaded", "gendarmerie-units=downloaded"}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("manifest = %v, want %v", got, want)
			}
		})
	}
}

func TestFetchFollowsRedirect(t *testing.T) {
	x := fetchedOnce(t)
	// data.gouv.fr resource addresses redirect to the current file.
	redirect := httptest.NewServer(http.RedirectHandler(x.src.URL, http.StatusFound))
	defer redirect.Close()
	src := Source{Name: "police-services", URL: redirect.URL + "/fr/datasets/r/id", File: "police-services.csv"}
	m, err := x.f.Fetch(context.Background(), []Source{src})
	if err != nil {
		t.Fatal(err)
	}
	if e := m.Sources[0]; e.Status != StatusDownloaded || e.URL != src.URL || e.ETag != x.first.Sources[0].ETag {
		t.Errorf("entry = %+v, want downloaded under the declared URL with the final ETag", e)
	}
	assertFile(t, filepath.Join(x.f.Dir, src.File), x.body)
}

func TestUnreachable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&net.DNSError{Err: "no such host", Name: "www.data.gouv.fr", IsNotFound: true}, true},
		{&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{&url.Error{Op: "Get", URL: "https://h/", Err: &net.OpError{Op: "dial", Err: syscall.ENETUNREACH}}, true},
		{&url.Error{Op: "Get", URL: "https://h/", Err: os.ErrDeadlineExceeded}, true},
		{&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, false},
		{io.ErrUnexpectedEOF, false},
		{ErrStatus, false},
	}
	for _, tt := range tests {
		if got := unreachable(tt.err); got != tt.want {
			t.Errorf("unreachable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestReadManifestMissing(t *testing.T) {
	if _, err := ReadManifest(t.TempDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadManifest(empty dir) error = %v, want %v", err, os.ErrNotExist)
	}
}

func TestFetchCancel(t *testing.T) {
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.Write([]byte("identifiant_public_unite;service\n"))
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done()
	}))
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	f := newFetcher(t)
	f.Retries = 3
	src := Source{Name: "gendarmerie-units", URL: srv.URL, File: "gendarmerie-units.csv"}
	_, err := f.Fetch(ctx, []Source{src, {Name: "never", URL: srv.URL, File: "never.csv"}})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnreachable) {
		t.Fatalf("Fetch error = %v, want %v only", err, context.Canceled)
	}
	assertNoTemp(t, f.Dir)
	if _, err := os.Stat(filepath.Join(f.Dir, src.File)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("partial file kept: %v", err)
	}
	m, err := ReadManifest(f.Dir)
	if err != nil {
		t.Fatalf("ReadManifest: %v", err)
	}
	if len(m.Sources) != 0 {
		t.Errorf("manifest = %+v, want no entries", m.Sources)
	}
}

func TestFetchInvalidList(t *testing.T) {
	f := newFetcher(t)
	_, err := f.Fetch(context.Background(), []Source{{Name: "x", URL: "http://h/", File: "../x"}})
	if !errors.Is(err, ErrInvalidList) {
		t.Errorf("Fetch error = %v, want %v", err, ErrInvalidList)
	}
}

func TestProgressPlain(t *testing.T) {
	body := mustRead(t, "gendarmerie.csv")
	srv := newServer(t, body)
	f := newFetcher(t)
	// Each reading of the clock is lineInterval later, so every write reports.
	clock := fetchTime
	f.Now = func() time.Time {
		clock = clock.Add(lineInterval)
		return clock
	}
	var out bytes.Buffer
	f.Progress = &out
	if _, err := f.Fetch(context.Background(), []Source{srv.source("gendarmerie-units")}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	size := FormatSize(int64(len(body)))
	for _, want := range []string{
		"gendarmerie-units: " + size + " of " + size + " (100%)\n",
		"gendarmerie-units: downloaded " + size + ", 3 rows, sha256 ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("progress output %q does not contain %q", got, want)
		}
	}
	if strings.Contains(got, "\r") {
		t.Errorf("progress output %q redraws a bar on a non-terminal", got)
	}
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{999, "999 B"},
		{1000, "1.0 kB"},
		{1_234_567, "1.2 MB"},
		{3_400_000_000, "3.4 GB"},
	}
	for _, tt := range tests {
		if got := FormatSize(tt.n); got != tt.want {
			t.Errorf("FormatSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestProgressBar(t *testing.T) {
	p := &progress{term: true, name: "ban-38", total: 4_000_000, n: 1_000_000}
	want := "ban-38 [=======                       ]  25% 4.0 MB"
	if got := p.line(); got != want {
		t.Errorf("line() = %q, want %q", got, want)
	}
	p.total = -1 // unknown, as for a compressed transfer
	if got, want := p.line(), "ban-38: 1.0 MB"; got != want {
		t.Errorf("line() = %q, want %q", got, want)
	}
}

// TestFetchOffline: when the first source cannot be connected to at all,
// the fetch stops at once, without retrying and without trying the other
// sources, which would fail the same way on a machine with no network.
func TestFetchOffline(t *testing.T) {
	srv := newServer(t, mustRead(t, "gendarmerie.csv"))
	f := newFetcher(t)
	f.Retries = 3
	f.Backoff = time.Hour // a retry would hang the test
	var out bytes.Buffer
	f.Progress = &out
	refused := Source{Name: "gendarmerie-units", URL: "http://127.0.0.1:1/gn.csv", File: "gn.csv"}
	start := time.Now()
	m, err := f.Fetch(context.Background(), []Source{refused, srv.source("police-services")})
	if !errors.Is(err, ErrOffline) || !errors.Is(err, ErrUnreachable) {
		t.Fatalf("Fetch error = %v, want %v", err, ErrOffline)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Fetch took %v to conclude there is no network", took)
	}
	if n := srv.requests.Load(); n != 0 {
		t.Errorf("the second source got %d requests after the first could not be reached", n)
	}
	if len(m.Sources) != 1 || m.Sources[0].Status != StatusFailed {
		t.Errorf("manifest = %+v, want only the failed first source", m.Sources)
	}
	if strings.Contains(out.String(), "retrying") || strings.Count(out.String(), "connection refused") != 1 {
		t.Errorf("progress %q: want the refusal reported once, without retries", out.String())
	}
}

// TestFetchUnreachableLaterRetries: once a host has answered, the network
// works, and a source that cannot be reached is retried like any other
// transient failure.
func TestFetchUnreachableLaterRetries(t *testing.T) {
	srv := newServer(t, mustRead(t, "gendarmerie.csv"))
	f := newFetcher(t)
	f.Retries = 2
	var out bytes.Buffer
	f.Progress = &out
	refused := Source{Name: "ban-38", URL: "http://127.0.0.1:1/ban.csv", File: "ban.csv"}
	_, err := f.Fetch(context.Background(), []Source{srv.source("gendarmerie-units"), refused})
	if !errors.Is(err, ErrUnreachable) || errors.Is(err, ErrOffline) {
		t.Fatalf("Fetch error = %v, want %v but not %v", err, ErrUnreachable, ErrOffline)
	}
	if n := strings.Count(out.String(), "retrying"); n != 2 {
		t.Errorf("%d retries reported, want 2:\n%s", n, out.String())
	}
}

func TestFetchStatus(t *testing.T) {
	body := mustRead(t, "gendarmerie.csv")
	srv := newServer(t, body)
	f := newFetcher(t)
	var got []Status
	f.Status = func(s Status) { got = append(got, s) }
	if _, err := f.Fetch(context.Background(), []Source{srv.source("gendarmerie-units"), srv.source("police-services")}); err != nil {
		t.Fatal(err)
	}
	if len(got) < 4 {
		t.Fatalf("statuses %+v: want a start and bytes for each source", got)
	}
	if s := got[0]; s.Source != "gendarmerie-units" || s.Index != 1 || s.Count != 2 || s.Bytes != 0 {
		t.Errorf("first status %+v", s)
	}
	last := got[len(got)-1]
	if last.Source != "police-services" || last.Index != 2 || last.Count != 2 || last.Bytes != int64(len(body)) {
		t.Errorf("last status %+v, want police-services 2 of 2 with %d bytes", last, len(body))
	}
}

// TestFetchLog: with a logger, outcomes are records of that logger, and
// nothing is written as plain text.
func TestFetchLog(t *testing.T) {
	srv := newServer(t, mustRead(t, "gendarmerie.csv"))
	f := newFetcher(t)
	var logs, plain bytes.Buffer
	f.Log = slog.New(slog.NewJSONHandler(&logs, nil))
	f.Progress = &plain
	f.Now = func() time.Time { return time.Now().Add(time.Hour) } // every write would report
	if _, err := f.Fetch(context.Background(), []Source{srv.source("gendarmerie-units")}); err != nil {
		t.Fatal(err)
	}
	if plain.Len() != 0 {
		t.Errorf("plain text written beside the log: %q", plain.String())
	}
	var rec struct{ Msg, Source string }
	if err := json.Unmarshal(logs.Bytes(), &rec); err != nil || rec.Msg != "downloaded" || rec.Source != "gendarmerie-units" {
		t.Errorf("log %q (%v), want one downloaded record", logs.String(), err)
	}
}
