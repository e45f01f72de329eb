package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"
)

func TestServeSettings(t *testing.T) {
	t.Setenv("GUICHET_RATE_LIMIT", "3.5")
	t.Setenv("GUICHET_RATE_BURST", "7")
	t.Setenv("GUICHET_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1")
	t.Setenv("GUICHET_LOG_FULL_QUERIES", "true")
	t.Setenv("GUICHET_READ_HEADER_TIMEOUT", "2s")
	m := NewMain()
	// The flag wins over the environment.
	if err := m.ParseFlags([]string{"--rate-burst", "9", "--max-body-bytes=2048", "--log-format", "text"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	a, h := m.API, m.HTTP
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.1/32")}
	if a.RateLimit != 3.5 || a.RateBurst != 9 || a.MaxBodyBytes != 2048 || !a.LogFullQueries ||
		h.ReadHeaderTimeout != 2*time.Second || h.LogFormat != "text" ||
		len(a.TrustedProxies) != 2 || a.TrustedProxies[0] != want[0] || a.TrustedProxies[1] != want[1] {
		t.Errorf("settings = %+v, %+v", a, h)
	}
	if a.MaxBatchBytes != 32<<20 || a.BatchConcurrency != 2 || h.IdleTimeout != 120*time.Second {
		t.Errorf("unset settings lost their defaults: %+v, %+v", a, h)
	}
}

func TestServeSettingsErrors(t *testing.T) {
	tests := []struct{ env, value, flag string }{
		{"GUICHET_RATE_LIMIT", "fast", ""},
		{"GUICHET_TRUSTED_PROXIES", "10.0.0.0/33", ""},
		{"GUICHET_READ_TIMEOUT", "30", ""},
		{"", "", "--max-body-bytes=-1"},
		{"", "", "--log-format=xml"},
		{"", "", "--log-level=loud"},
	}
	for _, tt := range tests {
		t.Run(tt.env+tt.flag, func(t *testing.T) {
			var args []string
			if tt.env != "" {
				t.Setenv(tt.env, tt.value)
			} else {
				args = []string{tt.flag}
			}
			err := NewMain().ParseFlags(args, io.Discard)
			if err == nil {
				t.Fatalf("ParseFlags accepted %s%s", tt.value, tt.flag)
			}
			if tt.env != "" && !strings.Contains(err.Error(), tt.env) {
				t.Errorf("error %q does not name %s", err, tt.env)
			}
		})
	}
}

// TestServeHelpListsSettings checks that --help documents every setting
// with its environment variable.
func TestServeHelpListsSettings(t *testing.T) {
	var out bytes.Buffer
	m := NewMain()
	if err := m.ParseFlags([]string{"--help"}, &out); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("ParseFlags(--help) = %v", err)
	}
	for _, s := range m.settings() {
		if !strings.Contains(out.String(), "-"+s.flag) || !strings.Contains(out.String(), "env "+s.env+")") {
			t.Errorf("--help lacks -%s or %s", s.flag, s.env)
		}
	}
}

func TestNewLoggerFormat(t *testing.T) {
	for _, tt := range []struct {
		format string
		json   bool
	}{{"auto", true}, {"json", true}, {"text", false}} {
		var buf bytes.Buffer
		cfg := DefaultHTTPConfig()
		cfg.LogFormat = tt.format
		newLogger(&buf, cfg).Info("hello")
		if got := strings.HasPrefix(buf.String(), "{"); got != tt.json {
			t.Errorf("format %s (not a terminal) wrote %q", tt.format, buf.String())
		}
	}
}

// TestSlowHeadersCut runs the real serve command and checks that a client
// trickling its request headers is disconnected by ReadHeaderTimeout,
// while a normal request is answered.
func TestSlowHeadersCut(t *testing.T) {
	m := NewMain()
	m.Addr = "127.0.0.1:0"
	m.DataDir = "../../data/testdata/stations"
	m.HTTP.ReadHeaderTimeout = 300 * time.Millisecond
	m.HTTP.LogFormat = "json"
	if err := m.Run(t.Context(), io.Discard); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		m.Close(ctx)
	})
	resp, err := http.Get(m.URL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz: %d", resp.StatusCode)
	}

	conn, err := net.Dial("tcp", strings.TrimPrefix(m.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	closed := make(chan time.Duration, 1)
	go func() {
		// The server never answers a request it has not read; the read
		// returns when it drops the connection.
		io.Copy(io.Discard, conn)
		closed <- time.Since(start)
	}()
	req := "GET /healthz HTTP/1.1\r\nHost: x\r\nUser-Agent: " + strings.Repeat("s", 200) + "\r\n\r\n"
	for i := 0; i < len(req); i++ {
		select {
		case took := <-closed:
			if took < 250*time.Millisecond || took > 2*time.Second {
				t.Errorf("connection cut after %v, want about 300ms", took)
			}
			return
		case <-time.After(50 * time.Millisecond):
		}
		if _, err := conn.Write([]byte{req[i]}); err != nil {
			took := time.Since(start)
			if took < 250*time.Millisecond || took > 2*time.Second {
				t.Errorf("connection cut after %v, want about 300ms", took)
			}
			return
		}
	}
	t.Fatalf("sent all %d header bytes over %v without being cut", len(req), time.Since(start))
}

func TestServeRateLimitDefault(t *testing.T) {
	m := NewMain()
	if m.API.RateLimit != 0 {
		t.Errorf("NewMain rate limit = %v, want 0 (off for in-process use)", m.API.RateLimit)
	}
	if err := m.ParseFlags(nil, io.Discard); err != nil {
		t.Fatal(err)
	}
	if m.API.RateLimit != 10 {
		t.Errorf("serve rate limit = %v, want 10", m.API.RateLimit)
	}
}

// TestREADMEListsEverySetting keeps the README's configuration table in
// step with the settings serve accepts.
func TestREADMEListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range NewMain().settings() {
		row := "| `--" + s.flag + "` | `" + s.env + "` |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md has no configuration row starting %s", row)
		}
	}
}
