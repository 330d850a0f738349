package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/redis/go-redis/v9"
	"go.uber.org/fx"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/auth/session"
	"github.com/portico-go/portico/interceptor/login"
)

// jwtKeyID names the signing key in every token's header. Rotating keys
// would add a second auth.Config.Keys entry; one is enough here.
const jwtKeyID = "bookstore-1"

// newAuthManager builds the login manager over the chosen session store.
func newAuthManager(lc fx.Lifecycle, cfg Config, store session.Store, log *slog.Logger) (*auth.Manager, error) {
	if cfg.SecretGenerated {
		log.Warn(envJWTSecret + " is not set: signing tokens with a random secret, so every restart logs everybody out")
	}
	ac := cfg.Auth.Config(jwtKeyID)
	ac.Store = store
	m, err := auth.New(ac)
	if err != nil {
		return nil, err
	}
	lc.Append(fx.StopHook(m.Close))
	return m, nil
}

// newLimiter throttles password guessing (5 failures a minute per user name
// and address, 20 per user name, 100 per address): in Redis when sessions
// are, so that every instance counts together, else in memory.
func newLimiter(lc fx.Lifecycle, cfg Config) (auth.LoginLimiter, error) {
	if cfg.RedisAddr == "" {
		return auth.NewLimiter(auth.LimiterConfig{}), nil
	}
	client := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: strings.Split(cfg.RedisAddr, ","), ContextTimeoutEnabled: true})
	lc.Append(fx.StopHook(client.Close))
	l, err := auth.NewRedisLimiter(client, auth.LimiterConfig{Prefix: cfg.RedisPrefix + "login:"})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envRedisAddr, err)
	}
	return l, nil
}

// newLoginInterceptor is seed 001's LoginInterceptor: Bearer token, session
// check (sliding the idle timeout), current user in the request context,
// New-Token renewal, and the role / permission checks the book routes
// declare in their metadata, answered from the users table.
func newLoginInterceptor(m *auth.Manager, users *Store) (*login.Interceptor, error) {
	return login.New(m, login.WithAuthorizer(users))
}

// clientIPKey carries the client address from the filter to handlers.
type clientIPKey struct{}

// clientIP returns the address withClientIP stored, or "".
func clientIP(ctx context.Context) string {
	ip, _ := ctx.Value(clientIPKey{}).(string)
	return ip
}
