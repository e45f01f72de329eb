package api

import (
	"math"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// limiter is a token bucket per client address. Memory is bounded: a
// client idle long enough to have refilled its bucket is indistinguishable
// from a new one, so it is forgotten; past max clients, arbitrary entries
// are dropped, which at worst hands an abusive client a fresh burst.
type limiter struct {
	rate  rate.Limit
	burst int
	max   int
	idle  time.Duration // time to refill a bucket from empty

	mu        sync.Mutex
	clients   map[netip.Addr]*clientBucket
	lastSweep time.Time
}

type clientBucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(perSecond float64, burst, maxClients int) *limiter {
	if burst < 1 {
		burst = 1
	}
	idle := time.Duration(float64(burst) / perSecond * float64(time.Second))
	return &limiter{
		rate:    rate.Limit(perSecond),
		burst:   burst,
		max:     maxClients,
		idle:    max(idle, time.Second),
		clients: make(map[netip.Addr]*clientBucket),
	}
}

// allow takes one token for client and, when there is none, returns how
// long until there will be.
func (l *limiter) allow(client netip.Addr, now time.Time) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > l.idle {
		l.sweep(now)
	}
	b := l.clients[client]
	if b == nil {
		if len(l.clients) >= l.max {
			l.sweep(now)
		}
		b = &clientBucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.clients[client] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		// The token stays in the bucket: a refused request must not push the
		// client's next allowed request further away.
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep forgets idle clients and, if the map is still full, a tenth of it
// at random, so that a flood of new addresses costs one scan per tenth of
// the capacity rather than one per request. The caller holds l.mu.
func (l *limiter) sweep(now time.Time) {
	l.lastSweep = now
	for a, b := range l.clients {
		if now.Sub(b.seen) > l.idle {
			delete(l.clients, a)
		}
	}
	if len(l.clients) < l.max {
		return
	}
	keep := l.max - max(l.max/10, 1)
	for a := range l.clients {
		if len(l.clients) <= keep {
			break
		}
		delete(l.clients, a)
	}
}

// rateExempt lists the paths that orchestrators and scrapers poll: limiting
// them would turn a busy client into a failed health check.
var rateExempt = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// rateLimit answers 429 with Retry-After to a client above its rate.
func (s *Server) rateLimit(c *gin.Context) {
	if s.limiter == nil || rateExempt[c.Request.URL.Path] {
		c.Next()
		return
	}
	ok, wait := s.limiter.allow(s.clientAddr(c.Request), s.now())
	if !ok {
		s.fail(c, &refusal{Type: typeTooManyRequests, Detail: "too many requests from this address; retry later", RetryAfter: int(math.Ceil(wait.Seconds()))})
		return
	}
	c.Next()
}

// clientAddr returns the address the request comes from. X-Forwarded-For is
// believed only when the direct peer is a trusted proxy, and then only up
// to the right-most address that is not itself a trusted proxy: everything
// left of it was written by the client and can be forged.
func (s *Server) clientAddr(r *http.Request) netip.Addr {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		// Not an IP transport (tests, unix sockets): one shared bucket.
		return netip.Addr{}
	}
	addr := peer.Addr().Unmap()
	if !s.trusted(addr) {
		return addr
	}
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				// A garbled hop cannot be attributed; the last proxy that
				// vouched for the chain is the best we know.
				return addr
			}
			addr = hop.Unmap()
			if !s.trusted(addr) {
				return addr
			}
		}
	}
	return addr
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
