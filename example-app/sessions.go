package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/fx"

	"github.com/portico-go/portico/auth/session"
)

// newSessionStore picks where sessions live: Redis when REDIS_ADDR is set
// (sessions then survive restarts and are shared by every instance), else
// memory (one process; a restart logs everybody out).
func newSessionStore(lc fx.Lifecycle, cfg Config, log *slog.Logger) (session.Store, error) {
	if cfg.RedisAddr == "" {
		log.Info("sessions: in-memory store (set " + envRedisAddr + " to keep them in Redis)")
		m := session.NewMemory(session.MemoryConfig{})
		lc.Append(fx.StopHook(m.Close))
		return m, nil
	}
	addrs := strings.Split(cfg.RedisAddr, ",")
	// ContextTimeoutEnabled lets the manager's per-call StoreTimeout reach
	// the socket; without it a hung Redis holds requests for go-redis's
	// 3 s read timeout (see docs/auth.md). RESP3 with a client-side cache
	// answers hot sessions without a round trip on a single server; go-redis
	// ignores the cache for a Cluster (several addresses).
	client := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:                 addrs,
		ContextTimeoutEnabled: true,
		Protocol:              3,
		ClientSideCacheConfig: session.CacheConfig(0),
	})
	store, err := session.NewRedis(client, session.RedisConfig{Prefix: cfg.RedisPrefix})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envRedisAddr, err)
	}
	lc.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			// Fail start-up on a wrong address rather than every request.
			ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			defer cancel()
			if err := client.Ping(ctx).Err(); err != nil {
				return fmt.Errorf("%s=%s: %w", envRedisAddr, cfg.RedisAddr, err)
			}
			log.Info("sessions: Redis store", "addr", cfg.RedisAddr, "prefix", cfg.RedisPrefix)
			return nil
		},
		OnStop: func(context.Context) error { return client.Close() },
	})
	return store, nil
}
