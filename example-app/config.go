package main

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/auth/token"
)

// Config is everything the app reads from its flags and environment. It is
// parsed once, up front, so a bad value stops start-up before anything is
// opened, with a message naming the flag or variable.
type Config struct {
	// Addr is the listen address (-addr, APP_ADDR).
	Addr string
	// DBPath is the SQLite file (-db, APP_DB); its directory is created.
	DBPath string
	// PrintRoutes (-routes) prints the route table and exits.
	PrintRoutes bool

	// RedisAddr (REDIS_ADDR) selects the Redis session store; a comma
	// separates the addresses of a cluster. Empty means in-memory sessions.
	RedisAddr string
	// RedisPrefix (APP_REDIS_PREFIX) starts every session key, so several
	// apps (or test runs) can share one Redis.
	RedisPrefix string

	// JWTSecret (APP_JWT_SECRET) signs access tokens. SecretGenerated says
	// it was made up at start, so tokens die with the process.
	JWTSecret       []byte
	SecretGenerated bool

	// Session and token lifetimes, see auth.Config.
	AccessTTL   time.Duration // APP_ACCESS_TTL
	IdleTimeout time.Duration // APP_IDLE_TIMEOUT
	RefreshTTL  time.Duration // APP_REFRESH_TTL
	RenewBefore time.Duration // APP_RENEW_BEFORE
	// TokenLeeway (APP_TOKEN_LEEWAY) is the clock skew tolerated on token
	// times; demos with a lifetime of seconds set it lower than the 30 s
	// default, or an expired token would still be accepted.
	TokenLeeway time.Duration
	// MaxSessions (APP_MAX_SESSIONS) caps concurrent sessions per user; a
	// login past it ends the oldest with reason "replaced". 0: no cap.
	MaxSessions int

	// passwordCost is the bcrypt cost of the seeded passwords; 0 means
	// bcrypt's default. Not configurable from outside: tests lower it,
	// because bcrypt at full cost is slow under the race detector.
	passwordCost int
}

// Environment variable names, in one place for the docs and the errors.
const (
	envAddr        = "APP_ADDR"
	envDB          = "APP_DB"
	envRedisAddr   = "REDIS_ADDR"
	envRedisPrefix = "APP_REDIS_PREFIX"
	envJWTSecret   = "APP_JWT_SECRET"
	envAccessTTL   = "APP_ACCESS_TTL"
	envIdleTimeout = "APP_IDLE_TIMEOUT"
	envRefreshTTL  = "APP_REFRESH_TTL"
	envRenewBefore = "APP_RENEW_BEFORE"
	envMaxSessions = "APP_MAX_SESSIONS"
	envLeeway      = "APP_TOKEN_LEEWAY"
)

const (
	defaultAddr        = "127.0.0.1:8080"
	defaultDB          = "./data/bookstore.db"
	defaultRedisPrefix = "bookstore:session:"
)

// parseConfig reads flags from args and the environment through getenv
// (os.Getenv in main, a map in tests). Flags win over the environment.
// Usage and flag errors go to usage; -h returns flag.ErrHelp.
func parseConfig(args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	cfg := Config{
		Addr:        or(getenv(envAddr), defaultAddr),
		DBPath:      or(getenv(envDB), defaultDB),
		RedisAddr:   strings.TrimSpace(getenv(envRedisAddr)),
		RedisPrefix: or(getenv(envRedisPrefix), defaultRedisPrefix),
	}
	fs := flag.NewFlagSet("example-app", flag.ContinueOnError)
	fs.SetOutput(usage)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen `host:port` (env "+envAddr+")")
	fs.StringVar(&cfg.DBPath, "db", cfg.DBPath, "SQLite database `file`, created and seeded on first start (env "+envDB+")")
	fs.BoolVar(&cfg.PrintRoutes, "routes", false, "print the route table with each route's interceptor chain and exit")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if cfg.DBPath == "" || strings.ContainsAny(cfg.DBPath, "?#") {
		// '?' would start the driver's DSN parameters.
		return Config{}, fmt.Errorf("-db / %s: %q is not a usable file name", envDB, cfg.DBPath)
	}

	var errs []error
	durations := []struct {
		name string
		dst  *time.Duration
		def  time.Duration
	}{
		{envAccessTTL, &cfg.AccessTTL, auth.DefaultAccessTTL},
		{envIdleTimeout, &cfg.IdleTimeout, auth.DefaultIdleTimeout},
		{envRefreshTTL, &cfg.RefreshTTL, auth.DefaultRefreshTTL},
		{envRenewBefore, &cfg.RenewBefore, auth.DefaultRenewBefore},
		{envLeeway, &cfg.TokenLeeway, token.DefaultLeeway},
	}
	for _, d := range durations {
		v, err := durationEnv(getenv, d.name, d.def)
		errs = append(errs, err)
		*d.dst = v
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	// auth.New checks these too, but in terms of its own fields; the user
	// set environment variables, so name those.
	if cfg.RenewBefore >= cfg.AccessTTL {
		errs = append(errs, fmt.Errorf("%s (%v) must be shorter than %s (%v)", envRenewBefore, cfg.RenewBefore, envAccessTTL, cfg.AccessTTL))
	}
	if cfg.RefreshTTL < cfg.AccessTTL {
		errs = append(errs, fmt.Errorf("%s (%v) must not be shorter than %s (%v)", envRefreshTTL, cfg.RefreshTTL, envAccessTTL, cfg.AccessTTL))
	}
	if v := strings.TrimSpace(getenv(envMaxSessions)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("%s: %q is not a non-negative whole number", envMaxSessions, v))
		}
		cfg.MaxSessions = n
	}
	if strings.ContainsAny(cfg.RedisPrefix, "{}") {
		errs = append(errs, fmt.Errorf("%s: %q must not contain braces", envRedisPrefix, cfg.RedisPrefix))
	}
	if s := getenv(envJWTSecret); s != "" {
		if len(s) < token.MinSecretLen {
			// Never echo the secret itself.
			errs = append(errs, fmt.Errorf("%s: must be at least %d bytes, got %d", envJWTSecret, token.MinSecretLen, len(s)))
		}
		cfg.JWTSecret = []byte(s)
	} else {
		cfg.JWTSecret = []byte(rand.Text() + rand.Text()) // 2 × 128 bits, base32
		cfg.SecretGenerated = true
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// durationEnv parses a positive Go duration from the environment.
func durationEnv(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a Go duration such as 15m or 1h30m", name, v)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%s: %q must be positive", name, v)
	}
	return d, nil
}

func or(v, def string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return def
}
