package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// HTTPConfig holds the settings of the HTTP server and its logs, apart
// from the API's own (api.Config).
type HTTPConfig struct {
	// ReadHeaderTimeout cuts clients that trickle their headers (slow
	// loris); ReadTimeout bounds the whole request, body included.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// LogFormat is json, text, or auto: text on a terminal, JSON otherwise.
	LogFormat string
	LogLevel  slog.Level
}

// DefaultHTTPConfig returns the server settings used when nothing is set.
// WriteTimeout leaves a batch geocoding upload a minute to be answered.
func DefaultHTTPConfig() HTTPConfig {
	return HTTPConfig{
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		LogFormat:         "auto",
	}
}

// serveRateLimit is guichet serve's per-client rate limit, which
// api.DefaultConfig and NewMain leave off since in-process users and tests
// are a single client: about ten times what a person using the widget
// sends; the default burst covers a page loading several lists at once.
const serveRateLimit = "10"

// setting is one serve option, settable by flag and by environment
// variable; the flag wins. Its default is def when set, else whatever the
// target holds when the flags are defined.
type setting struct {
	flag, env, usage string
	value            flag.Value
	def              string
}

// settings lists the serve options. The README's configuration table is
// this list: keep them in step.
func (m *Main) settings() []setting {
	a, h := &m.API, &m.HTTP
	return []setting{
		{"addr", "GUICHET_ADDR", "listen address HOST:PORT", (*stringValue)(&m.Addr), ""},
		{"data", "GUICHET_DATA", "directory of open-data files; the official sources are fetched there first when it holds none", (*stringValue)(&m.DataDir), ""},
		{"sources", "GUICHET_SOURCES", "JSON file overriding the list of official sources (mirrors)", (*stringValue)(&m.SourcesFile), ""},
		{"no-snapshot", "GUICHET_NO_SNAPSHOT", noSnapshotUsage, (*boolValue)(&m.NoSnapshot), ""},
		{"snapshot-dir", "GUICHET_SNAPSHOT_DIR", snapshotDirUsage, (*stringValue)(&m.SnapshotDir), ""},
		{"refresh", "GUICHET_REFRESH", "fetch the sources again and reload at this interval, e.g. 24h; 0 never", (*durationValue)(&m.Refresh), ""},
		{"admin-token", "GUICHET_ADMIN_TOKEN", "bearer token of POST /admin/reload; empty disables the endpoint", (*stringValue)(&a.AdminToken), ""},
		{"reload-min-ratio", "GUICHET_RELOAD_MIN_RATIO", "refuse a reload keeping fewer rows than this fraction of the rows serving now", (*floatValue)(&a.ReloadMinRatio), ""},
		{"widget-frame-ancestors", "GUICHET_WIDGET_FRAME_ANCESTORS", "comma-separated origins allowed to frame the widget; empty for any", (*listValue)(&a.WidgetFrameAncestors), ""},
		{"widget-tile-url", "GUICHET_WIDGET_TILE_URL", "map tile URL template for the widget, e.g. https://tile.example.org/{z}/{x}/{y}.png; empty draws no tiles and makes no third-party request", (*stringValue)(&a.WidgetTileURL), ""},
		{"widget-dir", "GUICHET_WIDGET_DIR", "serve the widget files from this directory instead of the embedded ones (live editing)", (*stringValue)(&a.WidgetDir), ""},
		{"cors-origins", "GUICHET_CORS_ORIGINS", "comma-separated origins allowed to call /v1/* from a browser; * for any", (*listValue)(&a.CORSOrigins), ""},
		{"rate-limit", "GUICHET_RATE_LIMIT", "requests per second allowed to one client address; 0 for no limit", (*floatValue)(&a.RateLimit), serveRateLimit},
		{"rate-burst", "GUICHET_RATE_BURST", "requests a client may send at once before the rate limit applies", (*intValue)(&a.RateBurst), ""},
		{"rate-clients", "GUICHET_RATE_CLIENTS", "client addresses the rate limiter remembers at most", (*intValue)(&a.RateClients), ""},
		{"trusted-proxies", "GUICHET_TRUSTED_PROXIES", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed", (*prefixesValue)(&a.TrustedProxies), ""},
		{"max-body-bytes", "GUICHET_MAX_BODY_BYTES", "largest request body accepted, in bytes", (*int64Value)(&a.MaxBodyBytes), ""},
		{"max-batch-bytes", "GUICHET_MAX_BATCH_BYTES", "largest batch CSV upload accepted, in bytes", (*int64Value)(&a.MaxBatchBytes), ""},
		{"max-batch-rows", "GUICHET_MAX_BATCH_ROWS", "most rows accepted in one batch CSV upload", (*intValue)(&a.MaxBatchRows), ""},
		{"batch-concurrency", "GUICHET_BATCH_CONCURRENCY", "batch geocoding requests served at once; more are refused with 503", (*intValue)(&a.BatchConcurrency), ""},
		{"log-full-queries", "GUICHET_LOG_FULL_QUERIES", "log query strings verbatim, exact coordinates and addresses included (debugging only)", (*boolValue)(&a.LogFullQueries), ""},
		{"log-format", "GUICHET_LOG_FORMAT", "log format: json, text, or auto (text on a terminal)", (*choiceValue)(&h.LogFormat), ""},
		{"log-level", "GUICHET_LOG_LEVEL", "lowest level logged: debug, info, warn or error", (*levelValue)(&h.LogLevel), ""},
		{"read-header-timeout", "GUICHET_READ_HEADER_TIMEOUT", "time allowed to send the request headers", (*durationValue)(&h.ReadHeaderTimeout), ""},
		{"read-timeout", "GUICHET_READ_TIMEOUT", "time allowed to send the whole request", (*durationValue)(&h.ReadTimeout), ""},
		{"write-timeout", "GUICHET_WRITE_TIMEOUT", "time allowed to answer, from the end of the request headers", (*durationValue)(&h.WriteTimeout), ""},
		{"idle-timeout", "GUICHET_IDLE_TIMEOUT", "time a kept-alive connection may wait for its next request", (*durationValue)(&h.IdleTimeout), ""},
		{"debug", "GUICHET_DEBUG", "Gin debug mode (route table on stderr)", (*boolValue)(&a.Debug), ""},
	}
}

// bindSettings defines a flag for every setting, with the current value as
// its default, then applies the environment, so that the flags parsed next
// override it.
func bindSettings(fs *flag.FlagSet, settings []setting) error {
	for _, s := range settings {
		if s.def != "" {
			if err := s.value.Set(s.def); err != nil {
				panic("guichet: bad default for --" + s.flag + ": " + err.Error())
			}
		}
		fs.Var(s.value, s.flag, s.usage+" (env "+s.env+")")
	}
	for _, s := range settings {
		if v, ok := os.LookupEnv(s.env); ok && v != "" {
			if err := s.value.Set(v); err != nil {
				return fmt.Errorf("%s=%q: %w", s.env, v, err)
			}
		}
	}
	return nil
}

// newLogger returns the logger serve writes to w. auto picks text for a
// person at a terminal and JSON for a log collector.
func newLogger(w io.Writer, cfg HTTPConfig) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	text := cfg.LogFormat == "text"
	if cfg.LogFormat == "" || cfg.LogFormat == "auto" {
		text = isTerminal(w)
	}
	if text {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// isTerminal reports whether w is a character device, which is what a
// terminal is to the standard library.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// flag.Value types for the settings. Each prints its value as it is
// parsed, so that --help shows a default one can paste back.

type floatValue float64

func (v *floatValue) String() string { return strconv.FormatFloat(float64(*v), 'g', -1, 64) }
func (v *floatValue) Set(s string) error {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f != f {
		return fmt.Errorf("want a number ≥ 0, got %q", s)
	}
	*v = floatValue(f)
	return nil
}

type intValue int

func (v *intValue) String() string { return strconv.Itoa(int(*v)) }
func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return fmt.Errorf("want an integer ≥ 0, got %q", s)
	}
	*v = intValue(n)
	return nil
}

type int64Value int64

func (v *int64Value) String() string { return strconv.FormatInt(int64(*v), 10) }
func (v *int64Value) Set(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return fmt.Errorf("want an integer ≥ 0, got %q", s)
	}
	*v = int64Value(n)
	return nil
}

type boolValue bool

func (v *boolValue) String() string   { return strconv.FormatBool(bool(*v)) }
func (v *boolValue) IsBoolFlag() bool { return true }
func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true or false, got %q", s)
	}
	*v = boolValue(b)
	return nil
}

type durationValue time.Duration

func (v *durationValue) String() string { return time.Duration(*v).String() }
func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return fmt.Errorf("want a duration such as 5s, got %q", s)
	}
	*v = durationValue(d)
	return nil
}

type stringValue string

func (v *stringValue) String() string     { return string(*v) }
func (v *stringValue) Set(s string) error { *v = stringValue(s); return nil }

type listValue []string

func (v *listValue) String() string { return strings.Join(*v, ",") }
func (v *listValue) Set(s string) error {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	*v = out
	return nil
}

type prefixesValue []netip.Prefix

func (v *prefixesValue) String() string {
	parts := make([]string, len(*v))
	for i, p := range *v {
		parts[i] = p.String()
	}
	return strings.Join(parts, ",")
}

// Set accepts CIDRs and bare addresses, a bare address being a network of
// one.
func (v *prefixesValue) Set(s string) error {
	var out []netip.Prefix
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			a, aerr := netip.ParseAddr(part)
			if aerr != nil {
				return fmt.Errorf("want CIDRs such as 10.0.0.0/8, got %q", part)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	*v = out
	return nil
}

type choiceValue string

func (v *choiceValue) String() string { return string(*v) }
func (v *choiceValue) Set(s string) error {
	switch s {
	case "auto", "json", "text":
		*v = choiceValue(s)
		return nil
	}
	return fmt.Errorf("want auto, json or text, got %q", s)
}

type levelValue slog.Level

func (v *levelValue) String() string { return strings.ToLower(slog.Level(*v).String()) }
func (v *levelValue) Set(s string) error {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return fmt.Errorf("want debug, info, warn or error, got %q", s)
	}
	*v = levelValue(l)
	return nil
}
