package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/fx"

	"github.com/portico-go/portico/accesslog"
	"github.com/portico-go/portico/health"
	"github.com/portico-go/portico/metrics"
	"github.com/portico-go/portico/requestid"
	"github.com/portico-go/portico/tracing"
)

// observabilityModule is the production kit (docs/operations.md), each
// package a filter around the whole dispatcher, so 404s and refused
// requests are counted too:
//
//   - request ids in the response header, the error bodies and the logs;
//   - one access-log line per request, on the app's logger;
//   - Prometheus metrics at /metrics, login outcomes and session-store
//     timings included (metrics.Module's auth.Observer, see
//     newAuthManager);
//   - OpenTelemetry spans, printed to stdout with -trace-stdout
//     (APP_TRACE_STDOUT=1); without it no TracerProvider is provided and
//     tracing adds nothing to the request path;
//   - Actuator-style probes at /health/live and /health/ready: the
//     database always, Redis when the sessions live there.
func observabilityModule(cfg Config) fx.Option {
	opts := []fx.Option{
		requestid.Module,
		accesslog.Module,
		metrics.Module,
		tracing.Module,
		health.Module,
		fx.Provide(health.AsCheck(dbCheck)),
	}
	if cfg.TraceStdout {
		opts = append(opts, fx.Provide(
			func() (sdktrace.SpanExporter, error) { return stdoutExporter(cfg.traceOut) },
			newTracerProvider,
		))
	}
	if cfg.RedisAddr != "" {
		opts = append(opts, fx.Provide(health.AsCheck(redisCheck)))
	}
	return fx.Module("observability", opts...)
}

// stdoutExporter prints spans as indented JSON; tests replace it
// (fx.Replace) with an in-memory exporter.
func stdoutExporter(w io.Writer) (sdktrace.SpanExporter, error) {
	exp, err := stdouttrace.New(stdouttrace.WithWriter(w), stdouttrace.WithPrettyPrint())
	if err != nil {
		return nil, fmt.Errorf("stdout trace exporter: %w", err)
	}
	return exp, nil
}

// newTracerProvider batches spans to exp; stopping the app flushes the
// last batch.
func newTracerProvider(lc fx.Lifecycle, exp sdktrace.SpanExporter) trace.TracerProvider {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
	lc.Append(fx.StopHook(tp.Shutdown))
	return tp
}

// dbCheck pings the SQLite pool the store opens on start.
func dbCheck(s *Store) health.Check {
	return health.Check{Name: "db", Check: func(ctx context.Context) error {
		if s.db == nil {
			return errors.New("database not open")
		}
		return s.db.PingContext(ctx)
	}}
}

// redisCheck pings the session Redis on a client of its own, so a probe
// never waits behind session traffic for a pooled connection.
func redisCheck(lc fx.Lifecycle, cfg Config) health.Check {
	client := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs: strings.Split(cfg.RedisAddr, ","), ContextTimeoutEnabled: true, PoolSize: 1,
	})
	lc.Append(fx.StopHook(client.Close))
	return health.Redis(client)
}
