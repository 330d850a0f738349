package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/config"
)

// Config is everything the app reads from its flags and environment. It is
// parsed once, up front, so a bad value stops start-up before anything is
// opened, with a message naming the flag or variable. The framework's
// config package does the parsing: every setting is a flag and, unless the
// flag is given, an APP_ variable (see docs/operations.md).
type Config struct {
	// Addr is the listen address (-addr, APP_ADDR); HTTP holds it with
	// the server's other settings (-read-timeout, APP_READ_TIMEOUT, ...).
	Addr string
	HTTP portico.Config
	// DBPath is the SQLite file (-db, APP_DB); its directory is created.
	DBPath string
	// PrintRoutes (-routes) prints the route table and exits.
	PrintRoutes bool
	// CORSOrigins (-cors-origins, APP_CORS_ORIGINS, comma-separated) may
	// call the API from scripts on other origins; empty: same origin only.
	CORSOrigins []string
	// TraceStdout (-trace-stdout, APP_TRACE_STDOUT=1) prints an
	// OpenTelemetry span per request and per handler to stdout; off, the
	// app has no TracerProvider and tracing costs nothing.
	TraceStdout bool

	// Auth is the session and token settings: APP_JWT_SECRET,
	// APP_ACCESS_TTL, APP_IDLE_TIMEOUT, APP_REFRESH_TTL,
	// APP_RENEW_BEFORE, APP_TOKEN_LEEWAY (demos with a lifetime of
	// seconds set it below the 30 s default), APP_MAX_SESSIONS,
	// REDIS_ADDR (empty: in-memory sessions) and APP_REDIS_PREFIX.
	config.Auth

	// passwordCost is the bcrypt cost of the seeded passwords; 0 means
	// bcrypt's default. Not configurable from outside: tests lower it,
	// because bcrypt at full cost is slow under the race detector.
	passwordCost int
	// traceOut receives the spans of TraceStdout: run's stdout.
	traceOut io.Writer
}

// Environment variable names, in one place for the docs and the errors.
const (
	envPrefix      = "APP"
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
)

// parseConfig reads flags from args and the environment through getenv
// (os.Getenv in main, a map in tests). Flags win over the environment.
// Usage and flag errors go to usage; -h returns flag.ErrHelp.
func parseConfig(args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	fs := flag.NewFlagSet("example-app", flag.ContinueOnError)
	fs.SetOutput(usage)
	l := config.NewLoader(fs, envPrefix)
	srv := l.Server(portico.Config{})
	sec := l.Auth(config.Auth{
		Issuer:      "portico-bookstore",
		Audience:    "portico-bookstore-api",
		RedisPrefix: "bookstore:session:",
	})
	l.Env("redis-addr", envRedisAddr) // shared with other tools, no prefix
	var cfg Config
	fs.StringVar(&cfg.DBPath, "db", "./data/bookstore.db", "SQLite database `file`, created and seeded on first start")
	fs.BoolVar(&cfg.PrintRoutes, "routes", false, "print the route table with each route's interceptor chain and exit")
	l.Env("routes", "")
	fs.BoolVar(&cfg.TraceStdout, "trace-stdout", false, "print OpenTelemetry spans to stdout (development)")
	fs.Func("cors-origins", "comma-separated `origins` (https://app.example.com) whose scripts may call the API; empty: none", func(v string) error {
		cfg.CORSOrigins = nil
		for o := range strings.SplitSeq(v, ",") {
			if o = strings.TrimSpace(o); o != "" {
				cfg.CORSOrigins = append(cfg.CORSOrigins, o)
			}
		}
		return nil
	})
	if err := l.Parse(args, getenv); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if cfg.DBPath == "" || strings.ContainsAny(cfg.DBPath, "?#") {
		// '?' would start the driver's DSN parameters.
		return Config{}, fmt.Errorf("-db / %s: %q is not a usable file name", envDB, cfg.DBPath)
	}
	sec.RedisAddr = strings.TrimSpace(sec.RedisAddr)
	cfg.HTTP, cfg.Addr, cfg.Auth = *srv, srv.Addr, *sec
	return cfg, nil
}
