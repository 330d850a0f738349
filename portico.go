package portico

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.uber.org/fx"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/registry"
)

// Config configures the server portico.Module runs. Supply one with
// fx.Supply, as a value or a pointer (not both); every field has a
// default. For the timeouts and limits, zero means the default and a
// negative value means none.
type Config struct {
	// Addr is the listen address; default "127.0.0.1:8080". Port 0 picks
	// a free port (see Server.Addr).
	Addr string
	// ShutdownTimeout bounds graceful shutdown; default 10s.
	ShutdownTimeout time.Duration
	// ReadHeaderTimeout bounds reading a request's headers; default 10s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included, from
	// its first byte; default 30s. Without it a client that announces a
	// body and never sends it holds a connection (and a goroutine)
	// forever. A handler that accepts long uploads extends its own
	// request's deadline with http.ResponseController.SetReadDeadline.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing the response, from the end of the
	// request's headers; default 60s. Streaming and long downloads extend
	// their own deadline with http.ResponseController.SetWriteDeadline.
	WriteTimeout time.Duration
	// IdleTimeout for keep-alive connections; default 120s.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds the request line and headers; default 64 KiB
	// (net/http's own default is 1 MiB, which is also what a negative
	// value leaves). Larger requests get 431.
	MaxHeaderBytes int
	// MaxBodyBytes bounds every request body; default 4 MiB. Reading past
	// it fails with *http.MaxBytesError, which binding and the
	// dispatcher answer with 413. The binder's own, smaller limit
	// (binding.MaxBodySize) still applies to bound bodies; this one also
	// covers handlers that read r.Body themselves. A handler that accepts
	// larger uploads replaces r.Body with its own http.MaxBytesReader
	// over the original.
	MaxBodyBytes int64
	// Filters wrap the whole dispatcher, first is outermost: ordinary
	// net/http middleware (CORS, compression, tracing) that sees every
	// request, 404s included.
	Filters []func(http.Handler) http.Handler
}

func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 10 * time.Second
	}
	if c.ReadHeaderTimeout == 0 {
		c.ReadHeaderTimeout = 10 * time.Second
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = DefaultReadTimeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 120 * time.Second
	}
	if c.MaxHeaderBytes == 0 {
		c.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return c
}

// Defaults for Config's timeouts and limits.
const (
	DefaultReadTimeout    = 30 * time.Second
	DefaultWriteTimeout   = 60 * time.Second
	DefaultMaxHeaderBytes = 64 << 10
	DefaultMaxBodyBytes   = 4 << 20
)

// none turns Config's "negative means none" into net/http's zero.
func none[T int | int64 | time.Duration](v T) T { return max(v, 0) }

// limitBody caps every request body at n bytes. Requests without a body
// (GET, most of the traffic) pass without an allocation.
func limitBody(h http.Handler, n int64) http.Handler {
	if n <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, n)
		}
		h.ServeHTTP(w, r)
	})
}

// Registrar contributes routes: the fx-side counterpart of a Spring
// @Controller. Provide one with AsRegistrar.
type Registrar interface {
	RegisterRoutes(d *dispatcher.Dispatcher) error
}

// RegistrarFunc adapts a function to Registrar.
type RegistrarFunc func(d *dispatcher.Dispatcher) error

// RegisterRoutes calls f.
func (f RegistrarFunc) RegisterRoutes(d *dispatcher.Dispatcher) error { return f(d) }

const (
	registrarGroup   = `group:"portico.registrars"`
	interceptorGroup = `group:"portico.interceptors"`
	optionGroup      = `group:"portico.options"`
	filterGroup      = `group:"portico.filters"`
)

// Filter is net/http middleware around the whole Dispatcher, the servlet
// Filter of Spring Boot: it sees every request, including those the
// dispatcher answers with 404, 405 or a firewall rejection, which no
// interceptor ever sees.
type Filter struct {
	// Name identifies the filter in start-up errors and logs.
	Name string
	// Order places the filter: lower is outer and runs first. Filters
	// with equal Order run by Name: fx value groups have no order (dig
	// shuffles them), so the name is the only stable tie-breaker.
	Order int
	// Wrap returns next wrapped in the filter.
	Wrap func(next http.Handler) http.Handler
}

// Orders of the filters Portico ships, outermost first, with room between
// them for an application's own. Request ids come first so every later
// filter can log and trace them; CORS comes last so a preflight is
// answered without running the dispatcher but is still logged and
// measured.
const (
	OrderRequestID = 100
	OrderTracing   = 200
	OrderAccessLog = 300
	OrderMetrics   = 400
	OrderCORS      = 500
)

// AsFilter annotates a constructor returning a Filter so portico.Module
// wraps the dispatcher in it:
//
//	fx.Provide(portico.AsFilter(func() portico.Filter {
//		return portico.Filter{Name: "timing", Order: 250, Wrap: timing}
//	}))
func AsFilter(constructor any) any {
	return fx.Annotate(constructor, fx.ResultTags(filterGroup))
}

// wrap applies the group's filters, sorted by Order, around h; Config's
// plain Filters sit inside them, closest to the dispatcher.
func wrap(h http.Handler, group []Filter, plain []func(http.Handler) http.Handler) (http.Handler, error) {
	for i := len(plain) - 1; i >= 0; i-- {
		h = plain[i](h)
	}
	fs := slices.Clone(group)
	slices.SortStableFunc(fs, func(a, b Filter) int {
		if a.Order != b.Order {
			return a.Order - b.Order
		}
		return strings.Compare(a.Name, b.Name)
	})
	for i := len(fs) - 1; i >= 0; i-- {
		if fs[i].Wrap == nil {
			return nil, fmt.Errorf("portico: filter %q (order %d) has no Wrap function", fs[i].Name, fs[i].Order)
		}
		h = fs[i].Wrap(h)
	}
	return h, nil
}

// AsRegistrar annotates a constructor whose result implements Registrar so
// portico.Module registers its routes.
func AsRegistrar(constructor any) any {
	return fx.Annotate(constructor, fx.As(new(Registrar)), fx.ResultTags(registrarGroup))
}

// AsInterceptor annotates a constructor returning a
// *registry.Registration so portico.Module adds it to the registry:
//
//	fx.Provide(portico.AsInterceptor(func(l *Login) *registry.Registration {
//		return registry.NewRegistration(l).AddPathPatterns("/**").ExcludePathPatterns("/user/login")
//	}))
func AsInterceptor(constructor any) any {
	return fx.Annotate(constructor, fx.ResultTags(interceptorGroup))
}

// AsOption annotates a constructor returning a dispatcher.Option, such as
// dispatcher.WithViewResolver, so portico.Module applies it.
func AsOption(constructor any) any {
	return fx.Annotate(constructor, fx.ResultTags(optionGroup))
}

// Module provides *registry.Registry, *dispatcher.Dispatcher, *Server and
// *http.Server, and starts serving on fx start.
var Module = fx.Module("portico",
	fx.Provide(
		newRegistry,
		newDispatcher,
		NewServer,
		func(s *Server) *http.Server { return s.HTTP },
	),
	fx.Invoke(func(*Server) {}),
)

type registryParams struct {
	fx.In
	Registrations []*registry.Registration `group:"portico.interceptors"`
}

func newRegistry(p registryParams) *registry.Registry {
	reg := registry.New()
	reg.Add(p.Registrations...)
	return reg
}

type dispatcherParams struct {
	fx.In
	Registry   *registry.Registry
	Registrars []Registrar         `group:"portico.registrars"`
	Options    []dispatcher.Option `group:"portico.options"`
	Logger     *slog.Logger        `optional:"true"`
}

func newDispatcher(p dispatcherParams) (*dispatcher.Dispatcher, error) {
	opts := []dispatcher.Option{dispatcher.WithRegistry(p.Registry)}
	if p.Logger != nil {
		opts = append(opts, dispatcher.WithLogger(p.Logger))
	}
	d := dispatcher.New(append(opts, p.Options...)...)
	for _, r := range p.Registrars {
		if err := r.RegisterRoutes(d); err != nil {
			return nil, fmt.Errorf("portico: registering routes of %T: %w", r, err)
		}
	}
	if err := d.Build(); err != nil {
		return nil, fmt.Errorf("portico: %w", err)
	}
	return d, nil
}

// Server is the HTTP server portico.Module runs.
type Server struct {
	// HTTP is the server; its Handler is the dispatcher wrapped in the
	// configured filters.
	HTTP *http.Server
	cfg  Config
	log  *slog.Logger
	ln   net.Listener
	done chan struct{}
}

type serverParams struct {
	fx.In
	Lifecycle  fx.Lifecycle
	Dispatcher *dispatcher.Dispatcher
	Config     *Config      `optional:"true"`
	ConfigVal  Config       `optional:"true"`
	Logger     *slog.Logger `optional:"true"`
	Filters    []Filter     `group:"portico.filters"`
}

// NewServer builds the server and hooks it to the lifecycle: it listens on
// start (so a bad address fails start-up) and shuts down gracefully on
// stop: in-flight requests finish, bounded by Config.ShutdownTimeout.
func NewServer(p serverParams) (*Server, error) {
	cfg := p.ConfigVal
	if p.Config != nil {
		if !reflect.ValueOf(p.ConfigVal).IsZero() {
			return nil, errors.New("portico: both a Config and a *Config were supplied; supply one")
		}
		cfg = *p.Config
	}
	cfg = cfg.withDefaults()
	log := p.Logger
	if log == nil {
		log = slog.Default()
	}
	h, err := wrap(limitBody(p.Dispatcher, cfg.MaxBodyBytes), p.Filters, cfg.Filters)
	if err != nil {
		return nil, err
	}
	s := &Server{
		HTTP: &http.Server{
			Addr:              cfg.Addr,
			Handler:           h,
			ReadHeaderTimeout: none(cfg.ReadHeaderTimeout),
			ReadTimeout:       none(cfg.ReadTimeout),
			WriteTimeout:      none(cfg.WriteTimeout),
			IdleTimeout:       none(cfg.IdleTimeout),
			MaxHeaderBytes:    none(cfg.MaxHeaderBytes),
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
		cfg: cfg, log: log, done: make(chan struct{}),
	}
	p.Lifecycle.Append(fx.Hook{OnStart: s.start, OnStop: s.stop})
	return s, nil
}

func (s *Server) start(ctx context.Context) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("portico: listen on %s: %w", s.cfg.Addr, err)
	}
	s.ln = ln
	s.log.Info("portico: listening", "addr", ln.Addr().String())
	go func() {
		defer close(s.done)
		if err := s.HTTP.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("portico: server stopped", "error", err)
		}
	}()
	return nil
}

func (s *Server) stop(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ShutdownTimeout)
	defer cancel()
	err := s.HTTP.Shutdown(ctx)
	if err != nil {
		err = errors.Join(fmt.Errorf("portico: graceful shutdown: %w", err), s.HTTP.Close())
	}
	<-s.done
	return err
}

// Addr is the address the server listens on, once started; useful with
// port 0.
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}
