package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"guichet/data"
)

// Config holds the HTTP settings. Callers start from DefaultConfig. New
// gives a zero or negative limit its default (see withDefaults), so that
// the zero value is valid too.
type Config struct {
	// Debug switches Gin to debug mode (route table on stderr).
	Debug bool
	// CORSOrigins lists the origins allowed to call /v1/* from a browser;
	// "*" allows any. Empty means any, since the API is public and cookieless.
	CORSOrigins []string
	// Now returns the current time; nil means time.Now. Tests fix it.
	Now func() time.Time
	// Loader builds a new dataset for Reload; nil disables reloads.
	Loader Loader
	// ReloadMinRatio refuses a reload that keeps less than this fraction
	// of any kind of data serving now (see data.Dataset.Sizes); default
	// 0.5.
	ReloadMinRatio float64
	// AdminToken is the bearer token of POST /admin/reload; empty disables
	// the endpoint (404).
	AdminToken string
	// WidgetFrameAncestors lists the origins allowed to frame the widget
	// (CSP frame-ancestors sources); empty means any. The API itself may
	// never be framed.
	WidgetFrameAncestors []string
	// WidgetTileURL is a map tile URL template such as
	// https://tile.example.org/{z}/{x}/{y}.png. Empty (the default) draws
	// the widget's map without tiles and makes no third-party request.
	WidgetTileURL string
	// WidgetDir, when set, serves the widget's files from this directory,
	// read on each request, instead of the embedded ones: for live editing.
	WidgetDir string

	// RateLimit is the sustained number of requests per second allowed to
	// one client address; 0 means no limit. It is 0 in DefaultConfig
	// because in-process users (tests, the CLI) are a single client;
	// guichet serve turns it on.
	RateLimit float64
	// RateBurst is how many requests a client may send at once before
	// RateLimit applies (default 40).
	RateBurst int
	// RateClients bounds the client addresses the rate limiter remembers
	// (default 100000, a few MB).
	RateClients int
	// TrustedProxies lists the networks of the reverse proxies whose
	// X-Forwarded-For header is believed. Empty: the peer address is the
	// client.
	TrustedProxies []netip.Prefix
	// MaxBodyBytes caps request bodies (default 1 MiB).
	MaxBodyBytes int64
	// MaxBatchBytes caps the body of the batch CSV upload (default 32 MiB).
	MaxBatchBytes int64
	// MaxBatchRows caps the rows of one batch CSV upload (default
	// 1,000,000); a larger file is refused with 413 before any output.
	MaxBatchRows int
	// BatchConcurrency is the number of batch geocoding requests served
	// at once (default 2); more are refused with 503.
	BatchConcurrency int
	// LogFullQueries logs query strings and paths verbatim. Off by
	// default: coordinates are then rounded to 0.01° and free text such as
	// addresses is withheld (see README, Privacy).
	LogFullQueries bool
}

// DefaultConfig returns the configuration used when nothing is set.
func DefaultConfig() Config {
	return Config{
		CORSOrigins:      []string{"*"},
		ReloadMinRatio:   0.5,
		RateBurst:        40,
		RateClients:      100_000,
		MaxBodyBytes:     1 << 20,
		MaxBatchBytes:    32 << 20,
		MaxBatchRows:     1_000_000,
		BatchConcurrency: 2,
	}
}

// withDefaults returns cfg with DefaultConfig's value in every limit left
// at zero or below, and time.Now as the clock when none is set. It is the
// one place that fills defaults. Settings whose zero value means
// something are kept as given: no CORS list allows any origin without
// varying on it, a zero RateLimit is no limit, an empty AdminToken no
// reload endpoint.
func (cfg Config) withDefaults() Config {
	def := DefaultConfig()
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ReloadMinRatio <= 0 {
		cfg.ReloadMinRatio = def.ReloadMinRatio
	}
	if cfg.RateBurst <= 0 {
		cfg.RateBurst = def.RateBurst
	}
	if cfg.RateClients <= 0 {
		cfg.RateClients = def.RateClients
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = def.MaxBodyBytes
	}
	if cfg.MaxBatchBytes <= 0 {
		cfg.MaxBatchBytes = def.MaxBatchBytes
	}
	if cfg.MaxBatchRows <= 0 {
		cfg.MaxBatchRows = def.MaxBatchRows
	}
	if cfg.BatchConcurrency <= 0 {
		cfg.BatchConcurrency = def.BatchConcurrency
	}
	return cfg
}

// Server answers guichet's HTTP API from the current dataset.
type Server struct {
	cfg    Config
	log    *slog.Logger
	ds     atomic.Pointer[data.Dataset]
	engine *gin.Engine
	now    func() time.Time

	encoded    atomic.Pointer[encodeCache]
	reloadMu   sync.Mutex
	lastReload atomic.Pointer[reloadStatus]
	loading    atomic.Pointer[string] // what the first load is doing, for /readyz

	metrics    *metrics
	requestIDs *requestIDs
	limiter    *limiter
	batchSem   chan struct{}
	// batchMinRate and batchRateGrace are the constants of the same
	// names; tests shorten them.
	batchMinRate   int
	batchRateGrace time.Duration
}

// New returns a server. ds may be nil: the server then answers /healthz
// and reports not ready until SetDataset is called.
func New(cfg Config, ds *data.Dataset, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Debug {
		gin.SetMode(gin.DebugMode)
	} else {
		gin.SetMode(gin.ReleaseMode)
	}
	cfg = cfg.withDefaults()
	s := &Server{cfg: cfg, log: log, now: cfg.Now, requestIDs: newRequestIDs(), batchMinRate: batchMinRate, batchRateGrace: batchRateGrace}
	if ds != nil {
		s.ds.Store(ds)
	}
	e := gin.New()
	e.HandleMethodNotAllowed = true
	s.useMiddleware(e)
	e.NoRoute(func(c *gin.Context) {
		s.fail(c, refuse(typeNotFound, "no route for "+c.Request.URL.Path))
	})
	e.NoMethod(func(c *gin.Context) {
		s.fail(c, refuse(typeMethodNotAllowed, c.Request.Method+" is not allowed on "+c.Request.URL.Path))
	})
	s.engine = e
	s.registerWidgetRoutes(e)
	s.registerIndexRoute(e)
	s.registerHealthRoutes(e)
	s.registerDocsRoutes(e)
	s.registerAdminRoutes(e)
	v1 := e.Group("/v1")
	s.registerStationRoutes(v1)
	s.registerJurisdictionRoutes(v1)
	s.registerMetaRoutes(v1)
	s.registerGeocodeRoutes(v1)
	return s
}

// getAndHead routes GET and HEAD to the same handlers: for HEAD, net/http
// drops the body and keeps every header GET would send (RFC 9110 §9.3.2),
// so link checkers and monitors can probe any resource cheaply.
func getAndHead(r gin.IRoutes, path string, handlers ...gin.HandlerFunc) {
	r.GET(path, handlers...)
	r.HEAD(path, handlers...)
}

// Handler returns the http.Handler serving the API.
func (s *Server) Handler() http.Handler { return s.engine }

// SetDataset atomically replaces the dataset. Requests in flight finish on
// the dataset they started with.
func (s *Server) SetDataset(ds *data.Dataset) {
	s.ds.Store(ds)
	if ds != nil {
		s.fragments(ds) // now, rather than in the first request to need them
	}
}

// SetLoading says what the first load is doing, e.g. which file it is
// downloading; /readyz and every data route tell it until a dataset is in
// place.
func (s *Server) SetLoading(what string) { s.loading.Store(&what) }

// Dataset returns the dataset currently served, or nil before the first load.
func (s *Server) Dataset() *data.Dataset { return s.ds.Load() }

// recoverProblem turns a panic into a 500 problem instead of a dropped
// connection, and logs it with the route.
func (s *Server) recoverProblem(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic in handler", slog.String("route", c.FullPath()), slog.Any("panic", v))
			s.fail(c, refuse(typeInternal, internalDetail))
		}
	}()
	c.Next()
}

// CORS answers: the methods of the API, the request headers a browser
// app may send, and the answer headers it may read (Retry-After above all,
// on a 429 or 503).
const (
	corsAllowMethods  = "GET, HEAD, POST, OPTIONS"
	corsAllowHeaders  = "Accept, Accept-Language, Content-Language, Content-Type, If-None-Match, X-Request-Id"
	corsExposeHeaders = "ETag, Retry-After, X-Request-Id, X-Dataset-Version, X-Batch-Rows"
	corsMaxAge        = "86400"
)

// cors allows browsers on the configured origins to call /v1/*. The API
// sets no cookie and needs no credentials. It runs before the rate limit,
// so that a 429 carries the headers too: without them a browser hides the
// answer, Retry-After included, as a network error. It answers preflight
// requests itself, whatever the route, since none has an OPTIONS handler.
func (s *Server) cors(c *gin.Context) {
	if !strings.HasPrefix(c.Request.URL.Path, "/v1/") {
		c.Next()
		return
	}
	h := c.Writer.Header()
	if len(s.cfg.CORSOrigins) > 0 {
		// The answer depends on the Origin, present or not: a cache must
		// not give one origin's answer to another.
		addVary(h, varyOrigin)
	}
	allowed := ""
	if origin := c.GetHeader("Origin"); origin != "" {
		allowed = s.allowOrigin(origin)
	}
	if allowed != "" {
		h.Set("Access-Control-Allow-Origin", allowed)
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
	}
	if c.Request.Method == http.MethodOptions {
		if allowed != "" {
			h.Set("Access-Control-Allow-Methods", corsAllowMethods)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
		}
		h.Set("Allow", corsAllowMethods)
		c.AbortWithStatus(http.StatusNoContent)
		return
	}
	c.Next()
}

func (s *Server) allowOrigin(origin string) string {
	if len(s.cfg.CORSOrigins) == 0 {
		return "*"
	}
	for _, o := range s.cfg.CORSOrigins {
		if o == "*" {
			return "*"
		}
		if o == origin {
			return origin
		}
	}
	return ""
}

// registerIndexRoute answers GET / with where to go next, so that someone
// who opens the server's address in a browser or with curl is not left
// with a bare 404.
func (s *Server) registerIndexRoute(e *gin.Engine) {
	getAndHead(e, "/", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{
			"name":    "guichet",
			"summary": "Which police station or gendarmerie to go to, anywhere in France.",
			"docs":    "/docs",
			"openapi": "/openapi.json",
			"example": "/v1/stations/nearest?lat=45.188&lon=5.724",
			"widget":  "/widget",
			"ready":   "/readyz",
		})
	})
}

func (s *Server) registerHealthRoutes(e *gin.Engine) {
	getAndHead(e, "/healthz", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
	})
	getAndHead(e, "/readyz", func(c *gin.Context) {
		ds := s.current(c)
		if ds == nil {
			return
		}
		body := gin.H{"status": "ready", "version": ds.Version(), "stations": ds.Len()}
		// A refused reload leaves the previous data serving: still ready,
		// but an operator must see it.
		if st := s.lastReload.Load(); st != nil && !st.OK {
			body["status"] = "degraded"
			body["reload"] = newReloadJSON(st)
		}
		c.JSON(http.StatusOK, body)
	})
}

func (s *Server) registerMetaRoutes(g *gin.RouterGroup) {
	getAndHead(g, "/meta", func(c *gin.Context) {
		ds := s.dataset(c)
		if ds == nil {
			return
		}
		counts := map[string]int{"stations": ds.Len(), "communes": ds.CommuneCount()}
		for f, n := range ds.CountByForce() {
			counts[f.String()] = n
		}
		c.JSON(http.StatusOK, metaJSON{
			Version:  ds.Version(),
			LoadedAt: ds.LoadedAt().UTC(),
			AgeS:     int64(time.Since(ds.LoadedAt()) / time.Second),
			Counts:   counts,
			Report:   newReportJSON(ds.Report()),
			Reload:   newReloadJSON(s.lastReload.Load()),
		})
	})
}
