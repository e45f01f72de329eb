package api

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"testing"
	"time"
)

func itoa(n int) string { return strconv.Itoa(n) }

func requestFrom(remote, target string, xff ...string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.RemoteAddr = remote
	for _, v := range xff {
		req.Header.Add("X-Forwarded-For", v)
	}
	return req
}

func TestRateLimitPerClient(t *testing.T) {
	cfg := DefaultConfig()
	cfg.RateLimit = 0.5 // one token every 2 s: the test never waits for one
	cfg.RateBurst = 3
	h := mustConfiguredServer(t, cfg, nil).Handler()
	const target = "/v1/stations/nearest?lat=45.3&lon=5.6&limit=1"
	for i := range cfg.RateBurst {
		if rec := do(t, h, requestFrom("198.51.100.7:40000", target)); rec.Code != http.StatusOK {
			t.Fatalf("request %d within the burst: status %d", i+1, rec.Code)
		}
	}
	rec := do(t, h, requestFrom("198.51.100.7:40001", target))
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("request over the burst: status %d, want 429", rec.Code)
	}
	if p := decodeProblem(t, rec); p.Type != typeTooManyRequests {
		t.Errorf("problem type %q, want %q", p.Type, typeTooManyRequests)
	}
	if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra < 1 || ra > 2 {
		t.Errorf("Retry-After = %q, want 1 or 2 seconds", rec.Header().Get("Retry-After"))
	}
	if rec := do(t, h, requestFrom("198.51.100.8:40000", target)); rec.Code != http.StatusOK {
		t.Errorf("another client: status %d, want 200", rec.Code)
	}
	if rec := do(t, h, requestFrom("[2001:db8::1]:40000", target)); rec.Code != http.StatusOK {
		t.Errorf("an IPv6 client: status %d, want 200", rec.Code)
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		if rec := do(t, h, requestFrom("198.51.100.7:40000", path)); rec.Code != http.StatusOK {
			t.Errorf("limited client on %s: status %d, want 200 (exempt)", path, rec.Code)
		}
	}
}

func TestRateLimitForwardedFor(t *testing.T) {
	cfg := DefaultConfig()
	cfg.RateLimit = 0.5
	cfg.RateBurst = 1
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	h := mustConfiguredServer(t, cfg, nil).Handler()
	const target = "/v1/stations/nearest?lat=45.3&lon=5.6&limit=1"

	// Behind the proxy, each forwarded client has its own bucket.
	for _, client := range []string{"203.0.113.1", "203.0.113.2"} {
		if rec := do(t, h, requestFrom("10.1.2.3:5000", target, client)); rec.Code != http.StatusOK {
			t.Errorf("first request of %s via the proxy: status %d", client, rec.Code)
		}
	}
	if rec := do(t, h, requestFrom("10.1.2.3:5000", target, "203.0.113.1")); rec.Code != http.StatusTooManyRequests {
		t.Errorf("second request of 203.0.113.1 via the proxy: status %d, want 429", rec.Code)
	}
	// A direct client cannot escape its bucket by forging the header.
	if rec := do(t, h, requestFrom("198.51.100.9:5000", target, "203.0.113.50")); rec.Code != http.StatusOK {
		t.Fatalf("first direct request: status %d", rec.Code)
	}
	if rec := do(t, h, requestFrom("198.51.100.9:5000", target, "203.0.113.51")); rec.Code != http.StatusTooManyRequests {
		t.Errorf("direct request with a forged X-Forwarded-For: status %d, want 429", rec.Code)
	}
}

func TestClientAddr(t *testing.T) {
	cfg := DefaultConfig()
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	s := New(cfg, nil, nil)
	tests := []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"direct", "198.51.100.1:1", nil, "198.51.100.1"},
		{"untrusted peer, forged header", "198.51.100.1:1", []string{"203.0.113.9"}, "198.51.100.1"},
		{"trusted peer", "10.0.0.1:1", []string{"203.0.113.9"}, "203.0.113.9"},
		{"trusted peer, no header", "10.0.0.1:1", nil, "10.0.0.1"},
		{"client prepends a forgery", "10.0.0.1:1", []string{"1.1.1.1, 203.0.113.9"}, "203.0.113.9"},
		{"two proxies", "10.0.0.1:1", []string{"1.1.1.1, 203.0.113.9, 10.0.0.2"}, "203.0.113.9"},
		{"header on two lines", "10.0.0.1:1", []string{"1.1.1.1, 203.0.113.9", "10.0.0.2"}, "203.0.113.9"},
		{"only proxies", "10.0.0.1:1", []string{"10.0.0.3, 10.0.0.2"}, "10.0.0.3"},
		{"garbled hop", "10.0.0.1:1", []string{"203.0.113.9, bogus, 10.0.0.2"}, "10.0.0.2"},
		{"IPv6 proxy and client", "[fd00::1]:1", []string{"2001:db8::7"}, "2001:db8::7"},
		{"IPv4-mapped peer", "[::ffff:10.0.0.1]:1", []string{"203.0.113.9"}, "203.0.113.9"},
		{"no IP", "pipe", []string{"203.0.113.9"}, "invalid IP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.clientAddr(requestFrom(tt.remote, "/", tt.xff...)).String(); got != tt.want {
				t.Errorf("clientAddr(%s, XFF %q) = %s, want %s", tt.remote, tt.xff, got, tt.want)
			}
		})
	}
}

func TestLimiterMemoryBounded(t *testing.T) {
	l := newLimiter(1, 2, 100)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 1000 {
		a := netip.AddrFrom4([4]byte{203, 0, byte(i >> 8), byte(i)})
		if ok, _ := l.allow(a, now); !ok {
			t.Fatalf("first request of %s refused", a)
		}
		if n := l.size(); n > 100 {
			t.Fatalf("after %d clients the limiter tracks %d, want at most 100", i+1, n)
		}
	}
	// Clients idle for longer than a full refill are all forgotten.
	l.allow(netip.MustParseAddr("198.51.100.1"), now.Add(time.Minute))
	if n := l.size(); n != 1 {
		t.Errorf("after the idle sweep the limiter tracks %d clients, want 1", n)
	}
}

func TestLimiterRefill(t *testing.T) {
	l := newLimiter(2, 1, 10)
	a := netip.MustParseAddr("198.51.100.1")
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if ok, _ := l.allow(a, now); !ok {
		t.Fatal("first request refused")
	}
	ok, wait := l.allow(a, now)
	if ok || wait <= 0 || wait > 500*time.Millisecond {
		t.Fatalf("second request at once: ok %v, wait %v; want refused, wait ≤ 500ms", ok, wait)
	}
	// Refusals do not consume tokens: the client gets in once the wait is over.
	l.allow(a, now.Add(wait/2))
	if ok, _ := l.allow(a, now.Add(wait)); !ok {
		t.Errorf("request after Retry-After refused")
	}
}

// size returns the number of clients tracked.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}
