package api

import (
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// unmatchedRoute labels requests that matched no route, so that scanners
// probing random paths cannot grow the metric cardinality.
const unmatchedRoute = "unmatched"

// metrics holds the server's Prometheus collectors. They live in a registry
// of their own rather than the global default, so that two Servers in one
// process (tests, the CLI's in-process queries) never collide.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	reloads  *prometheus.CounterVec
	rows     prometheus.Counter
	// byRoute caches the series of each route and status: resolving
	// label values hashes them on every call, and both sets are small
	// (route templates, the statuses the handlers write).
	byRoute sync.Map // routeStatus → *routeSeries
}

type routeStatus struct {
	route  string
	status int
}

type routeSeries struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "guichet_http_requests_total",
			Help: "HTTP requests answered, by route template and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "guichet_http_request_duration_seconds",
			Help: "Time to answer an HTTP request, by route template and status.",
			// Lookups answer in well under a millisecond; batch geocoding
			// takes seconds. The buckets span both.
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "status"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "guichet_dataset_reloads_total",
			Help: "Dataset loads and reloads, by outcome (ok or error).",
		}, []string{"outcome"}),
		rows: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "guichet_geocode_batch_rows_total",
			Help: "Rows geocoded by the batch CSV endpoint.",
		}),
	}
	// Both outcomes exist from the start, so that an alert on errors has a
	// series to compare against before the first failure.
	m.reloads.WithLabelValues("ok")
	m.reloads.WithLabelValues("error")
	m.reg.MustRegister(m.requests, m.latency, m.reloads, m.rows, datasetCollector{s},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe records one answered request.
func (m *metrics) observe(route string, status int, took time.Duration) {
	if route == "" {
		route = unmatchedRoute
	}
	k := routeStatus{route, status}
	v, ok := m.byRoute.Load(k)
	if !ok {
		code := strconv.Itoa(status)
		v, _ = m.byRoute.LoadOrStore(k, &routeSeries{
			requests: m.requests.WithLabelValues(route, code),
			latency:  m.latency.WithLabelValues(route, code),
		})
	}
	series := v.(*routeSeries)
	series.requests.Inc()
	series.latency.Observe(took.Seconds())
}

// ObserveReload counts one dataset load or reload; ok reports whether the
// new dataset is in place. It is safe for concurrent use.
func (s *Server) ObserveReload(ok bool) {
	outcome := "ok"
	if !ok {
		outcome = "error"
	}
	s.metrics.reloads.WithLabelValues(outcome).Inc()
}

// ObserveBatchRows counts n rows geocoded by a batch request. It is safe for
// concurrent use.
func (s *Server) ObserveBatchRows(n int) {
	if n > 0 {
		s.metrics.rows.Add(float64(n))
	}
}

func (s *Server) metricsHandler() gin.HandlerFunc {
	return gin.WrapH(promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
}

var (
	descDatasetAge = prometheus.NewDesc("guichet_dataset_age_seconds",
		"Seconds since the served dataset was loaded.", nil, nil)
	descDatasetStations = prometheus.NewDesc("guichet_dataset_stations",
		"Stations in the served dataset.", nil, nil)
	descDatasetCommunes = prometheus.NewDesc("guichet_dataset_communes",
		"Communes in the served dataset.", nil, nil)
)

// datasetCollector reads the dataset current at scrape time, so that a
// reload shows up without the reload code touching metrics, and exports
// nothing before the first load rather than a misleading zero.
type datasetCollector struct{ s *Server }

func (d datasetCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descDatasetAge
	ch <- descDatasetStations
	ch <- descDatasetCommunes
}

func (d datasetCollector) Collect(ch chan<- prometheus.Metric) {
	ds := d.s.ds.Load()
	if ds == nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(descDatasetAge, prometheus.GaugeValue, d.s.now().Sub(ds.LoadedAt()).Seconds())
	ch <- prometheus.MustNewConstMetric(descDatasetStations, prometheus.GaugeValue, float64(ds.Len()))
	// Communes come with the jurisdiction data, which not every dataset
	// has; asking through an interface keeps this collector independent of
	// it.
	if cc, ok := any(ds).(interface{ CommuneCount() int }); ok {
		ch <- prometheus.MustNewConstMetric(descDatasetCommunes, prometheus.GaugeValue, float64(cc.CommuneCount()))
	}
}
