// Command observability is a small Portico application with the whole
// observability kit wired through fx: request ids, the access log, health
// probes (SQLite always, Redis when REDIS_ADDR is set), Prometheus metrics
// at /metrics and, with PORTICO_TRACE_STDOUT=1, OpenTelemetry spans printed
// to stdout.
//
// It lives in a module of its own because tracing and metrics are nested
// modules; the main example app stays in the root module and wires only
// request ids and health (see docs/operations.md).
package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/fx"
	_ "modernc.org/sqlite"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/accesslog"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/health"
	"github.com/portico-go/portico/metrics"
	"github.com/portico-go/portico/requestid"
	"github.com/portico-go/portico/tracing"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run serves until ctx ends.
func run(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	app := fx.New(newApp(getenv, stdout, slog.New(slog.NewJSONHandler(stderr, nil)), nil), fx.NopLogger)
	if err := app.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	return app.Stop(context.Background())
}

// newApp is the application; srv, if not nil, receives the server so
// tests can learn its address.
func newApp(getenv func(string) string, stdout io.Writer, log *slog.Logger, srv **portico.Server) fx.Option {
	addr := getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	opts := []fx.Option{
		portico.Module,
		fx.Supply(log, &portico.Config{Addr: addr}),
		fx.Provide(portico.AsRegistrar(func() portico.Registrar { return portico.RegistrarFunc(routes) })),
		fx.Provide(openDB),

		// The observability kit: each line is one opt-in module.
		requestid.Module,
		accesslog.Module,
		health.Module,
		fx.Provide(health.AsCheck(health.DB)),
		metrics.Module,
		tracing.Module,
	}
	if getenv("PORTICO_TRACE_STDOUT") == "1" {
		opts = append(opts, fx.Provide(func(lc fx.Lifecycle) (trace.TracerProvider, error) {
			exp, err := stdouttrace.New(stdouttrace.WithWriter(stdout))
			if err != nil {
				return nil, fmt.Errorf("stdout trace exporter: %w", err)
			}
			tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
			lc.Append(fx.StopHook(tp.Shutdown)) // flushes the last spans
			return tp, nil
		}))
	}
	if redisAddr := getenv("REDIS_ADDR"); redisAddr != "" {
		opts = append(opts, fx.Provide(health.AsCheck(func(lc fx.Lifecycle) health.Check {
			c := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: strings.Split(redisAddr, ","), ContextTimeoutEnabled: true})
			lc.Append(fx.StopHook(c.Close))
			return health.Redis(c)
		})))
	}
	if srv != nil {
		opts = append(opts, fx.Populate(srv))
	}
	return fx.Options(opts...)
}

// openDB opens an in-memory SQLite database, closed on stop.
func openDB(lc fx.Lifecycle) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		return nil, err
	}
	lc.Append(fx.StopHook(db.Close))
	return db, nil
}

type book struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

func routes(d *dispatcher.Dispatcher) error {
	return d.GET("/book/{id}", handler.Function(func(r handler.Request) (*handler.Response, error) {
		id := r.Param("id")
		if id != "1" {
			return nil, fmt.Errorf("book %s: %w", id, handler.ErrNotFound)
		}
		return handler.NewResponse(http.StatusOK, book{ID: id, Title: "The Go Programming Language"}), nil
	}))
}
