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

// authParams are newAuthManager's dependencies.
type authParams struct {
	fx.In
	Lifecycle fx.Lifecycle
	Config    Config
	Store     session.Store
	Log       *slog.Logger
	// Observer is metrics.Module's: login outcomes and session-store
	// timings become Prometheus series.
	Observer auth.Observer `optional:"true"`
}

// newAuthManager builds the login manager over the chosen session store.
func newAuthManager(p authParams) (*auth.Manager, error) {
	if p.Config.SecretGenerated {
		p.Log.Warn(envJWTSecret + " is not set: signing tokens with a random secret, so every restart logs everybody out")
	}
	ac := p.Config.Auth.Config(jwtKeyID)
	ac.Store = p.Store
	ac.Observer = p.Observer
	m, err := auth.New(ac)
	if err != nil {
		return nil, err
	}
	p.Lifecycle.Append(fx.StopHook(m.Close))
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
