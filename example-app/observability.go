package main

import (
	"context"
	"errors"
	"strings"

	"github.com/redis/go-redis/v9"
	"go.uber.org/fx"

	"github.com/portico-go/portico/health"
	"github.com/portico-go/portico/requestid"
)

// observabilityModule gives every request an id (in the response header,
// the error bodies and the logs) and serves Actuator-style probes at
// /health/live and /health/ready: the database always, Redis when the
// sessions live there.
//
// Tracing and metrics are separate Go modules (they pull in OpenTelemetry
// and the Prometheus client) and this app lives in the root module, so it
// does not wire them: examples/observability, a module of its own, runs
// the whole kit.
func observabilityModule(cfg Config) fx.Option {
	opts := []fx.Option{
		requestid.Module,
		health.Module,
		fx.Provide(health.AsCheck(dbCheck)),
	}
	if cfg.RedisAddr != "" {
		opts = append(opts, fx.Provide(health.AsCheck(redisCheck)))
	}
	return fx.Module("observability", opts...)
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
