package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"guichet/api"
	"guichet/data"
	"guichet/data/fetch"
	"guichet/data/load"
)

// Main is the serve command: it owns the listener, the HTTP server and the
// dataset loading. Tests run it on ":0".
type Main struct {
	Addr    string
	DataDir string
	API     api.Config
	// HTTP holds the server's timeouts and log format (config.go).
	HTTP HTTPConfig
	// SourcesFile overrides the list of official sources fetched when the
	// data directory is empty or on refresh.
	SourcesFile string
	// Refresh, when positive, fetches the sources again and reloads at this
	// interval.
	Refresh time.Duration
	// NoSnapshot and SnapshotDir are the --no-snapshot and --snapshot-dir
	// settings: whether and where the compiled snapshot of the data is kept.
	NoSnapshot  bool
	SnapshotDir string

	log      *slog.Logger
	logs     *api.LogWriter // nil when logging to a terminal
	stderr   io.Writer
	listener net.Listener
	server   *http.Server
	api      *api.Server
	loaded   chan error
}

// NewMain returns a Main with defaults from the environment.
func NewMain() *Main {
	return &Main{
		Addr:    "127.0.0.1:8080",
		DataDir: defaultDataDir(),
		API:     api.DefaultConfig(),
		HTTP:    DefaultHTTPConfig(),
	}
}

// ParseFlags reads the serve flags; it is separate from Run so that tests
// can configure a Main directly.
func (m *Main) ParseFlags(args []string, stdout io.Writer) error {
	fs := newFlags("serve", stdout)
	if err := bindSettings(fs.FlagSet, m.settings()); err != nil {
		return err
	}
	return fs.parse(args)
}

// Run starts listening at once, so that /healthz answers while the data
// loads in the background; /readyz turns 200 when the dataset is in place.
func (m *Main) Run(ctx context.Context, stderr io.Writer) error {
	if err := requireDataDir(m.DataDir); err != nil {
		return err
	}
	m.stderr = stderr
	if m.log == nil {
		if isTerminal(stderr) {
			m.log = newLogger(stderr, m.HTTP)
		} else {
			// A log collector gets the lines in batches: one write per
			// request line would cost more than a fifth of a request.
			m.logs = api.NewLogWriter(stderr, 100*time.Millisecond)
			m.log = newLogger(m.logs, m.HTTP)
		}
	}
	ln, err := listen(ctx, m.Addr, m.HTTP)
	if err != nil {
		return fmt.Errorf("cannot listen: %w", err)
	}
	m.listener = ln
	m.API.Loader = func(context.Context) (*data.Dataset, error) {
		ds, err := m.loadDir()
		if err == nil {
			ds.Warm() // the dataset serving now answers meanwhile
		}
		return ds, err
	}
	m.api = api.New(m.API, nil, m.log)
	m.server = &http.Server{
		Handler:           m.api.Handler(),
		ReadHeaderTimeout: m.HTTP.ReadHeaderTimeout,
		ReadTimeout:       m.HTTP.ReadTimeout,
		WriteTimeout:      m.HTTP.WriteTimeout,
		IdleTimeout:       m.HTTP.IdleTimeout,
	}
	m.loaded = make(chan error, 1)
	go func() {
		err := m.load(ctx)
		m.loaded <- err
	}()
	go func() {
		if err := m.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.log.Error("server stopped", slog.Any("error", err))
		}
	}()
	m.log.Info("listening", slog.String("addr", ln.Addr().String()))
	return nil
}

// load loads the data directory, fetching the official sources into it
// first when it holds no data.
func (m *Main) load(ctx context.Context) error {
	start := time.Now()
	ds, err := m.loadDir()
	if errors.Is(err, load.ErrNoStations) || errors.Is(err, fs.ErrNotExist) {
		m.log.Info("no data yet: fetching the official sources", slog.String("dir", m.DataDir))
		if err := m.fetch(ctx); err != nil {
			return err
		}
		ds, err = m.loadDir()
	}
	if err != nil {
		m.log.Error("cannot load data", slog.String("dir", m.DataDir), slog.Any("error", err))
		return reported{err}
	}
	m.api.SetDataset(ds)
	// The index a first open-now query would build is built now, while
	// the server already answers.
	go ds.Warm()
	rep := ds.Report()
	m.log.Info("data loaded", slog.String("dir", m.DataDir), slog.Int("stations", ds.Len()),
		slog.Int("rows", rep.Rows()), slog.Int("kept", rep.Kept()), rejectedAttr(rep.RejectedByReason()),
		slog.Int("skipped_files", len(rep.Skipped)), slog.Int64("took_ms", time.Since(start).Milliseconds()), slog.String("version", ds.Version()))
	return nil
}

// loadDir loads the data directory through its snapshot, and logs what
// became of the snapshot when it was not used as expected.
func (m *Main) loadDir() (*data.Dataset, error) {
	ds, st, err := load.DirSnapshot(m.DataDir, load.Options{}, snapshotOptions(m.NoSnapshot, m.SnapshotDir))
	for _, r := range st.Refused {
		m.log.Warn("snapshot not used, loading the data files", slog.String("reason", r))
	}
	switch {
	case st.Used != "":
		m.log.Info("data read from its snapshot", slog.String("snapshot", st.Used))
	case st.Written != "":
		m.log.Info("snapshot written", slog.String("snapshot", st.Written))
	case st.NotWritten != "":
		m.log.Warn("snapshot not written", slog.String("reason", st.NotWritten))
	case st.Postponed != "":
		m.log.Debug("snapshot not written this time", slog.String("reason", st.Postponed))
	}
	return ds, err
}

// rejectedAttr logs rejection counts as a group, one field per reason,
// which both log formats show plainly.
func rejectedAttr(byReason map[string]int) slog.Attr {
	var attrs []any
	for _, r := range sortedKeys(byReason) {
		attrs = append(attrs, slog.Int(r, byReason[r]))
	}
	return slog.Group("rejected", attrs...)
}

// fetch downloads the sources into the data directory. Each source's
// outcome goes to the log, and what is downloading to /readyz. When the
// sources cannot be reached, the way to run offline is logged once, and
// the error returned is marked as reported.
func (m *Main) fetch(ctx context.Context) error {
	sources, err := sourceList(m.SourcesFile, "")
	if err != nil {
		return err
	}
	f := newFetcher(m.DataDir)
	f.Log = m.log.With(slog.String("during", "fetch"))
	f.Status = func(st fetch.Status) { m.api.SetLoading(describeFetch(st)) }
	_, err = fetchSources(ctx, f, sources)
	// Each failure was logged as it happened: the records below do not
	// repeat them.
	if errors.Is(err, fetch.ErrUnreachable) {
		// A person at a terminal reads the hint as a paragraph; a log
		// collector gets it as a field of the one record.
		var attrs []any
		terminal := isTerminal(m.stderr)
		if !terminal {
			attrs = append(attrs, slog.String("hint", offlineHint))
		}
		m.log.Error("cannot reach the official open-data sources", attrs...)
		if terminal {
			fmt.Fprint(m.stderr, "\n"+offlineHelp)
		}
		return reported{err}
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		m.log.Error("cannot fetch the official open-data sources (failures above)")
		return reported{err}
	}
	return err
}

// describeFetch tells what a fetch is doing, as /readyz shows it.
func describeFetch(st fetch.Status) string {
	s := fmt.Sprintf("downloading %s (%d of %d)", st.Source, st.Index, st.Count)
	switch {
	case st.Total > 0:
		s += fmt.Sprintf(", %s of %s", fetch.FormatSize(st.Bytes), fetch.FormatSize(st.Total))
	case st.Bytes > 0:
		s += ", " + fetch.FormatSize(st.Bytes)
	}
	return s
}

// refreshLoop fetches the sources again and reloads, every m.Refresh.
func (m *Main) refreshLoop(ctx context.Context) {
	t := time.NewTicker(m.Refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := m.fetch(ctx); err != nil {
				m.log.Error("refresh: fetch failed, keeping the current data", slog.Any("error", err))
				continue
			}
			m.api.Reload(ctx) // logs and reports its own outcome
		}
	}
}

// URL returns the base URL the server listens on.
func (m *Main) URL() string { return "http://" + m.listener.Addr().String() }

// Close shuts the server down, letting requests in flight finish.
func (m *Main) Close(ctx context.Context) error {
	var err error
	if m.server != nil {
		err = m.server.Shutdown(ctx)
	}
	if m.logs != nil {
		err = errors.Join(err, m.logs.Close())
	}
	return err
}

func runServe(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	m := NewMain()
	if err := m.ParseFlags(args, stdout); err != nil {
		return err
	}
	if err := m.Run(ctx, stderr); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case err := <-m.loaded:
		if err != nil {
			// Once serve logs, its failures are log records too: nothing
			// plain is written among them.
			if !errors.As(err, new(reported)) {
				m.log.Error("cannot start", slog.Any("error", err))
			}
			shutdown(m)
			return reported{err}
		}
		if m.Refresh > 0 {
			go m.refreshLoop(ctx)
		}
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		for running := true; running; {
			select {
			case <-ctx.Done():
				running = false
			case <-hup:
				go m.api.Reload(ctx) // logs and reports its own outcome
			}
		}
	}
	m.log.Info("shutting down")
	return shutdown(m)
}

func shutdown(m *Main) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return m.Close(ctx)
}

// listen opens the server's socket. Accepted connections get no TCP
// keep-alive when the server's own timeouts bound every state of a
// connection (an idle one falls back to ReadTimeout): the kernel's probes
// would then find nothing the timeouts miss, and enabling them costs four
// system calls per connection, about a tenth of the server's CPU for a
// client that opens one connection per request. With a timeout disabled,
// Go's default probes still find peers that vanished.
func listen(ctx context.Context, addr string, h HTTPConfig) (net.Listener, error) {
	lc := net.ListenConfig{}
	if h.ReadTimeout > 0 && h.WriteTimeout > 0 {
		lc.KeepAlive = -1
	}
	return lc.Listen(ctx, "tcp", addr)
}
