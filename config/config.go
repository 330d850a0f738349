package config

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/auth/token"
)

// Loader binds settings to a flag.FlagSet and fills the flags the command
// line leaves unset from the environment.
type Loader struct {
	fs      *flag.FlagSet
	prefix  string
	renamed map[string]string // flag name -> variable, "" for none
	secrets []*secret
	auth    *Auth
}

// NewLoader returns a Loader over fs (its error handling decides what a
// bad flag does; flag.ContinueOnError returns it from Parse). prefix
// starts every derived variable name; "" means none.
func NewLoader(fs *flag.FlagSet, prefix string) *Loader {
	return &Loader{fs: fs, prefix: prefix, renamed: map[string]string{}}
}

// Env sets the environment variable of the flag called name, instead of
// the derived one; "" means the flag is not read from the environment.
func (l *Loader) Env(name, variable string) { l.renamed[name] = variable }

// envName is the variable read for flag name, or "".
func (l *Loader) envName(name string) string {
	if v, ok := l.renamed[name]; ok {
		return v
	}
	v := strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	if l.prefix != "" {
		v = l.prefix + "_" + v
	}
	return v
}

// Server registers flags for portico.Config's fields with def's values as
// defaults (zero values mean portico's own defaults) and returns the
// Config Parse fills. Filters are not configuration and are kept from def.
//
//	-addr                 listen address
//	-shutdown-timeout     graceful shutdown bound
//	-read-header-timeout  -read-timeout  -write-timeout
//	-http-idle-timeout    keep-alive idle timeout (IdleTimeout)
//	-max-header-bytes     -max-body-bytes
func (l *Loader) Server(def portico.Config) *portico.Config {
	c := def
	fs := l.fs
	fs.StringVar(&c.Addr, "addr", or(c.Addr, "127.0.0.1:8080"), "listen `host:port`")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "graceful shutdown bound (0: 10s)")
	fs.DurationVar(&c.ReadHeaderTimeout, "read-header-timeout", c.ReadHeaderTimeout, "time to read a request's headers (0: 10s, negative: none)")
	fs.DurationVar(&c.ReadTimeout, "read-timeout", c.ReadTimeout, "time to read a whole request, body included (0: 30s, negative: none)")
	fs.DurationVar(&c.WriteTimeout, "write-timeout", c.WriteTimeout, "time to write a response (0: 60s, negative: none)")
	fs.DurationVar(&c.IdleTimeout, "http-idle-timeout", c.IdleTimeout, "keep-alive idle timeout (0: 120s)")
	fs.IntVar(&c.MaxHeaderBytes, "max-header-bytes", c.MaxHeaderBytes, "request header limit in `bytes` (0: 64 KiB)")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", c.MaxBodyBytes, "request body limit in `bytes` (0: 4 MiB, negative: none)")
	return &c
}

// Auth is the configurable part of auth.Config, plus where sessions live.
type Auth struct {
	// JWTSecret signs access tokens (PREFIX_JWT_SECRET, environment
	// only, at least token.MinSecretLen bytes). When unset, Parse makes
	// up a random one and sets SecretGenerated: tokens then die with the
	// process.
	JWTSecret       []byte
	SecretGenerated bool
	// Issuer and Audience of the tokens (-jwt-issuer, -jwt-audience).
	Issuer, Audience string
	// Lifetimes, see auth.Config (-access-ttl, -idle-timeout,
	// -refresh-ttl, -renew-before, -token-leeway); all must be positive.
	AccessTTL, IdleTimeout, RefreshTTL, RenewBefore, TokenLeeway time.Duration
	// MaxSessions caps concurrent sessions per user; 0 means no cap
	// (-max-sessions).
	MaxSessions int
	// BindIP ties sessions to the client address (-bind-ip).
	BindIP bool
	// RedisAddr is the Redis session store's address, comma-separated
	// for a cluster; empty means in-memory sessions (-redis-addr).
	RedisAddr string
	// RedisPrefix starts every session key (-redis-prefix).
	RedisPrefix string
}

// Auth registers flags for the auth settings, with def's values as
// defaults (zero durations mean auth's defaults), and returns the Auth
// Parse fills.
func (l *Loader) Auth(def Auth) *Auth {
	a := def
	fs := l.fs
	fs.StringVar(&a.Issuer, "jwt-issuer", or(a.Issuer, "portico"), "`issuer` of access tokens")
	fs.StringVar(&a.Audience, "jwt-audience", or(a.Audience, "portico-api"), "`audience` of access tokens")
	fs.Var(positive(&a.AccessTTL, orD(a.AccessTTL, auth.DefaultAccessTTL)), "access-ttl", "access token lifetime")
	fs.Var(positive(&a.IdleTimeout, orD(a.IdleTimeout, auth.DefaultIdleTimeout)), "idle-timeout", "session idle timeout")
	fs.Var(positive(&a.RefreshTTL, orD(a.RefreshTTL, auth.DefaultRefreshTTL)), "refresh-ttl", "refresh token lifetime and session maximum")
	fs.Var(positive(&a.RenewBefore, orD(a.RenewBefore, auth.DefaultRenewBefore)), "renew-before", "renew access tokens with less than this left")
	fs.Var(positive(&a.TokenLeeway, orD(a.TokenLeeway, token.DefaultLeeway)), "token-leeway", "clock skew tolerated on token times")
	fs.Var(count(&a.MaxSessions, a.MaxSessions), "max-sessions", "concurrent sessions per user, 0 for no cap")
	fs.BoolVar(&a.BindIP, "bind-ip", a.BindIP, "tie sessions to the client address")
	fs.StringVar(&a.RedisAddr, "redis-addr", a.RedisAddr, "Redis `host:port` for sessions, comma-separated for a cluster; empty for memory")
	fs.StringVar(&a.RedisPrefix, "redis-prefix", or(a.RedisPrefix, "portico:session:"), "`prefix` of session keys in Redis")
	l.secrets = append(l.secrets, &secret{name: "jwt-secret", dst: &a.JWTSecret})
	l.auth = &a
	return &a
}

// secret is an environment-only setting.
type secret struct {
	name string
	dst  *[]byte
}

// Parse parses args, then the environment through getenv (os.Getenv, or
// a map in tests) for every flag args left unset, then checks the auth
// settings against each other. It returns every problem at once; -h
// returns flag.ErrHelp. Call it once, after every flag is defined.
func (l *Loader) Parse(args []string, getenv func(string) string) error {
	seen := map[string]string{}
	l.fs.VisitAll(func(f *flag.Flag) {
		if v := l.envName(f.Name); v != "" {
			f.Usage += " (env " + v + ")"
		}
	})
	if err := l.fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	l.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var errs []error
	l.fs.VisitAll(func(f *flag.Flag) {
		v := l.envName(f.Name)
		if v == "" {
			return
		}
		if other, dup := seen[v]; dup {
			errs = append(errs, fmt.Errorf("config: flags -%s and -%s both read %s", other, f.Name, v))
		}
		seen[v] = f.Name
		val := strings.TrimSpace(getenv(v))
		if set[f.Name] || val == "" {
			return
		}
		if err := f.Value.Set(val); err != nil {
			errs = append(errs, fmt.Errorf("%s: %q: %w", v, val, err))
		}
	})
	for _, s := range l.secrets {
		v := l.envName(s.name)
		val := getenv(v)
		if val == "" {
			continue
		}
		if len(val) < token.MinSecretLen {
			// Never echo the secret itself.
			errs = append(errs, fmt.Errorf("%s: must be at least %d bytes, got %d", v, token.MinSecretLen, len(val)))
			continue
		}
		*s.dst = []byte(val)
	}
	if l.auth != nil {
		errs = append(errs, l.checkAuth(set))
	}
	return errors.Join(errs...)
}

// checkAuth checks what auth.New would, in terms of the flags and
// variables the user set, and generates a missing secret.
func (l *Loader) checkAuth(set map[string]bool) error {
	a := l.auth
	name := func(flag string) string {
		if set[flag] {
			return "-" + flag
		}
		if v := l.envName(flag); v != "" {
			return v
		}
		return "-" + flag
	}
	var errs []error
	if a.RenewBefore >= a.AccessTTL {
		errs = append(errs, fmt.Errorf("%s (%v) must be shorter than %s (%v)", name("renew-before"), a.RenewBefore, name("access-ttl"), a.AccessTTL))
	}
	if a.RefreshTTL < a.AccessTTL {
		errs = append(errs, fmt.Errorf("%s (%v) must not be shorter than %s (%v)", name("refresh-ttl"), a.RefreshTTL, name("access-ttl"), a.AccessTTL))
	}
	if strings.ContainsAny(a.RedisPrefix, "{}") {
		errs = append(errs, fmt.Errorf("%s: %q must not contain braces (they would pick the Redis Cluster slot)", name("redis-prefix"), a.RedisPrefix))
	}
	if len(a.JWTSecret) == 0 {
		a.JWTSecret = []byte(rand.Text() + rand.Text()) // 2 × 128 bits, base32
		a.SecretGenerated = true
	}
	return errors.Join(errs...)
}

// Config returns the auth.Config for these settings, signing with one key
// called keyID. Store is left nil: the caller picks it (see RedisAddr).
func (a *Auth) Config(keyID string) auth.Config {
	return auth.Config{
		Issuer:             a.Issuer,
		Audience:           a.Audience,
		Keys:               []token.Key{{ID: keyID, Secret: a.JWTSecret}},
		ActiveKey:          keyID,
		AccessTTL:          a.AccessTTL,
		IdleTimeout:        a.IdleTimeout,
		RefreshTTL:         a.RefreshTTL,
		RenewBefore:        a.RenewBefore,
		Leeway:             a.TokenLeeway,
		MaxSessionsPerUser: a.MaxSessions,
		BindIP:             a.BindIP,
	}
}

// durationValue is a flag.Value for a positive duration.
type durationValue struct{ d *time.Duration }

func positive(d *time.Duration, def time.Duration) flag.Value {
	*d = def
	return durationValue{d}
}

func (v durationValue) String() string {
	if v.d == nil {
		return ""
	}
	return v.d.String()
}

func (v durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a Go duration such as 15m or 1h30m")
	}
	if d <= 0 {
		return errors.New("must be positive")
	}
	*v.d = d
	return nil
}

// countValue is a flag.Value for a non-negative whole number.
type countValue struct{ n *int }

func count(n *int, def int) flag.Value {
	*n = def
	return countValue{n}
}

func (v countValue) String() string {
	if v.n == nil {
		return "0"
	}
	return strconv.Itoa(*v.n)
}

func (v countValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return errors.New("not a non-negative whole number")
	}
	*v.n = n
	return nil
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

func orD(v, def time.Duration) time.Duration {
	if v != 0 {
		return v
	}
	return def
}
