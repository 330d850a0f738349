package metrics

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/interceptor/login"
	"github.com/portico-go/portico/internal/recorder"
)

// Unmatched is the route label of every request no route matched: 404s,
// 405s, firewall rejections, CORS preflights.
const Unmatched = "unmatched"

// DefaultPath is where Metrics serves its registry.
const DefaultPath = "/metrics"

// DefaultBuckets are OpenTelemetry's advised boundaries for HTTP server
// durations, in seconds.
var DefaultBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// Config configures Metrics. The zero value uses a registry of its own
// with the Go and process collectors.
type Config struct {
	// Registry holds the metrics and is what Path serves. Nil means a new
	// registry with the Go runtime and process collectors.
	Registry *prometheus.Registry
	// Path serves the registry; default DefaultPath.
	Path string
	// Buckets are the request-duration histogram's boundaries; default
	// DefaultBuckets.
	Buckets []float64
}

// Metrics measures requests, logins and session-store calls. It is a
// portico filter (Wrap, Filter), a registrar for /metrics and an
// auth.Observer.
type Metrics struct {
	reg      *prometheus.Registry
	path     string
	duration *prometheus.HistogramVec
	active   prometheus.Gauge
	logins   *prometheus.CounterVec
	storeDur *prometheus.HistogramVec
	storeErr *prometheus.CounterVec
	// codes caches the status label of every valid status, so a request
	// costs no strconv allocation.
	codes [1000]string
}

var _ auth.Observer = (*Metrics)(nil)

// New registers the metrics in cfg.Registry and returns them. It fails
// when the registry already holds metrics of the same names.
func New(cfg Config) (*Metrics, error) {
	reg := cfg.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	buckets := cfg.Buckets
	if buckets == nil {
		buckets = DefaultBuckets
	}
	m := &Metrics{
		reg:  reg,
		path: cfg.Path,
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_server_request_duration_seconds",
			Help:    "Duration of HTTP server requests, by method, route template and status.",
			Buckets: buckets,
		}, []string{"method", "route", "status"}),
		active: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "http_server_active_requests",
			Help: "HTTP server requests in flight.",
		}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portico_auth_logins_total",
			Help: "Login attempts by outcome: success or the refusal's reason.",
		}, []string{"outcome"}),
		storeDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "portico_session_store_duration_seconds",
			Help:    "Duration of session-store calls by operation.",
			Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1},
		}, []string{"op"}),
		storeErr: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portico_session_store_errors_total",
			Help: "Session-store calls that failed (store unavailable), by operation.",
		}, []string{"op"}),
	}
	if m.path == "" {
		m.path = DefaultPath
	}
	for _, c := range []prometheus.Collector{m.duration, m.active, m.logins, m.storeDur, m.storeErr} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	for i := range m.codes {
		m.codes[i] = strconv.Itoa(i)
	}
	return m, nil
}

// Registry returns the registry the metrics live in.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Wrap returns next measured.
func (m *Metrics) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.active.Inc()
		start := time.Now()
		rw := recorder.Get(w)
		completed := false
		defer func() {
			status := rw.Status()
			if !completed {
				// A panic cut the response short; count it as the server's
				// failure whatever status went out first.
				status = http.StatusInternalServerError
			}
			m.observe(r, status, time.Since(start))
			m.active.Dec()
			recorder.Put(rw)
		}()
		next.ServeHTTP(rw, r)
		completed = true
	})
}

func (m *Metrics) observe(r *http.Request, status int, d time.Duration) {
	route := r.Pattern
	if route == "" {
		route = Unmatched
	}
	code := "other"
	if status >= 0 && status < len(m.codes) {
		code = m.codes[status]
	}
	m.duration.WithLabelValues(method(r.Method), route, code).Observe(d.Seconds())
}

// method bounds the method label to the standard methods.
func method(s string) string {
	switch s {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete,
		http.MethodConnect, http.MethodOptions, http.MethodTrace, http.MethodPatch:
		return s
	}
	return "_OTHER"
}

// LoginOutcome counts a login attempt (auth.Observer).
func (m *Metrics) LoginOutcome(reason string) { m.logins.WithLabelValues(reason).Inc() }

// StoreCall times a session-store call and counts its failure
// (auth.Observer).
func (m *Metrics) StoreCall(op string, d time.Duration, err error) {
	m.storeDur.WithLabelValues(op).Observe(d.Seconds())
	if err != nil {
		m.storeErr.WithLabelValues(op).Inc()
	}
}

// Handler serves the registry in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// RegisterRoutes serves the registry at Config.Path, marked login.Ignore
// so scrapers need no token; keep the port off the public network or put
// an interceptor on the path if the numbers are sensitive.
func (m *Metrics) RegisterRoutes(d *dispatcher.Dispatcher) error {
	if err := d.GET(m.path, m.Handler(), dispatcher.WithName("metrics"), dispatcher.WithMeta(login.Ignore())); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}

// Filter returns the filter for portico.AsFilter, at portico.OrderMetrics.
func (m *Metrics) Filter() portico.Filter {
	return portico.Filter{Name: "metrics", Order: portico.OrderMetrics, Wrap: m.Wrap}
}
