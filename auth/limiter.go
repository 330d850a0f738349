package auth

import (
	"context"
	"errors"
	"hash/maphash"
	"strings"
	"sync"
	"time"
)

// LoginLimiter throttles password guessing. Login endpoints call Allow
// before checking a password (so a blocked guesser learns nothing), then
// Failure or Success with the outcome.
//
// Allow's refusal is an *Error with ReasonTooManyRequests and RetryAfter
// set. Any method may fail because the limiter's store does: that error is
// an *Error with ReasonStoreUnavailable, to be answered with 503 and never
// taken as permission.
type LoginLimiter interface {
	Allow(ctx context.Context, username, clientIP string) error
	Failure(ctx context.Context, username, clientIP string) error
	Success(ctx context.Context, username, clientIP string) error
}

// Defaults for LimiterConfig, after OWASP's authentication guidance: a user
// name from one address is throttled early; a user name from anywhere
// later (guessing spread over many addresses); an address for any names
// much later, so that one office NAT is not locked out by a few typos.
const (
	DefaultMaxFailures        = 5
	DefaultMaxUserFailures    = 20
	DefaultMaxAddressFailures = 100
	DefaultWindow             = time.Minute
	DefaultMaxKeys            = 10_000
)

// LimiterConfig configures a Limiter or a RedisLimiter.
type LimiterConfig struct {
	// MaxFailures is how many failed logins one user name may have from
	// one client address within Window before further attempts of that
	// pair are refused until the window ends. Zero means
	// DefaultMaxFailures.
	MaxFailures int
	// MaxUserFailures is the same for a user name from any address. Zero
	// means DefaultMaxUserFailures.
	MaxUserFailures int
	// MaxAddressFailures is the same for a client address with any user
	// names. Zero means DefaultMaxAddressFailures.
	MaxAddressFailures int
	// Window is the counting period, starting at the first failure. Zero
	// means DefaultWindow.
	Window time.Duration
	// MaxKeys bounds how many keys of each kind the in-memory Limiter
	// tracks. Zero means DefaultMaxKeys. When full, finished windows are
	// dropped first, then arbitrary ones: an attacker who floods the table
	// can reset some counters, so the per-address limit is what holds
	// against spraying. The Redis limiter ignores it: its keys expire.
	MaxKeys int
	// Prefix starts every key of a RedisLimiter; zero means
	// DefaultLimiterPrefix. It must not contain braces.
	Prefix string
	// Now is the in-memory Limiter's clock; nil means time.Now. The Redis
	// limiter counts windows on the Redis server's clock.
	Now func() time.Time
}

func (cfg *LimiterConfig) defaults() {
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = DefaultMaxFailures
	}
	if cfg.MaxUserFailures <= 0 {
		cfg.MaxUserFailures = DefaultMaxUserFailures
	}
	if cfg.MaxAddressFailures <= 0 {
		cfg.MaxAddressFailures = DefaultMaxAddressFailures
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = DefaultMaxKeys
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
}

// tooMany is Allow's refusal.
func tooMany(wait time.Duration) error {
	return &Error{Reason: ReasonTooManyRequests, Err: errors.New("too many failed logins"), RetryAfter: wait}
}

// Limiter is a LoginLimiter in process memory: each process counts on its
// own, so N instances allow N times the guesses. Use RedisLimiter when
// several instances serve logins. It is safe for concurrent use.
type Limiter struct {
	cfg  LimiterConfig
	seed maphash.Seed

	mu    sync.Mutex
	pairs counters // user name and address
	users counters
	addrs counters
}

var _ LoginLimiter = (*Limiter)(nil)

// counters is one kind of key with its threshold.
type counters struct {
	max int
	m   map[uint64]*failures
}

type failures struct {
	count int
	start time.Time
}

// NewLimiter returns an in-memory Limiter.
func NewLimiter(cfg LimiterConfig) *Limiter {
	cfg.defaults()
	return &Limiter{
		cfg:   cfg,
		seed:  maphash.MakeSeed(),
		pairs: counters{max: cfg.MaxFailures, m: make(map[uint64]*failures)},
		users: counters{max: cfg.MaxUserFailures, m: make(map[uint64]*failures)},
		addrs: counters{max: cfg.MaxAddressFailures, m: make(map[uint64]*failures)},
	}
}

// Keys are 64-bit hashes: fixed-size whatever the input, and user names are
// not kept in memory. Names are case-folded so "Alice" and "alice" share a
// budget.
func (l *Limiter) keys(username, clientIP string) (pair, user, addr uint64) {
	name := strings.ToLower(username)
	var h maphash.Hash
	h.SetSeed(l.seed)
	h.WriteString(name)
	h.WriteByte(0)
	h.WriteString(clientIP)
	return h.Sum64(), maphash.String(l.seed, name), maphash.String(l.seed, "\x00"+clientIP)
}

// Allow implements LoginLimiter; it never fails for lack of a store.
func (l *Limiter) Allow(_ context.Context, username, clientIP string) error {
	pair, user, addr := l.keys(username, clientIP)
	now := l.cfg.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	wait := max(l.blocked(&l.pairs, pair, now), l.blocked(&l.users, user, now), l.blocked(&l.addrs, addr, now))
	if wait > 0 {
		return tooMany(wait)
	}
	return nil
}

// Failure implements LoginLimiter: it counts a failed login against the
// pair, the user name and the address.
func (l *Limiter) Failure(_ context.Context, username, clientIP string) error {
	pair, user, addr := l.keys(username, clientIP)
	now := l.cfg.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.add(&l.pairs, pair, now)
	l.add(&l.users, user, now)
	l.add(&l.addrs, addr, now)
	return nil
}

// Success implements LoginLimiter: it clears the user name's failures
// after a good login. The address count is kept: otherwise an attacker
// owning one account could reset it between guesses at others.
func (l *Limiter) Success(_ context.Context, username, clientIP string) error {
	pair, user, _ := l.keys(username, clientIP)
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.pairs.m, pair)
	delete(l.users.m, user)
	return nil
}

// blocked returns how long key k of c still blocks attempts, or 0.
func (l *Limiter) blocked(c *counters, k uint64, now time.Time) time.Duration {
	f := c.m[k]
	if f == nil || f.count < c.max {
		return 0
	}
	return max(f.start.Add(l.cfg.Window).Sub(now), 0)
}

func (l *Limiter) add(c *counters, k uint64, now time.Time) {
	f := c.m[k]
	if f == nil {
		if len(c.m) >= l.cfg.MaxKeys {
			l.evict(c.m, now)
		}
		f = &failures{start: now}
		c.m[k] = f
	}
	if !now.Before(f.start.Add(l.cfg.Window)) {
		*f = failures{start: now}
	}
	f.count++
}

func (l *Limiter) evict(m map[uint64]*failures, now time.Time) {
	for k, f := range m {
		if !now.Before(f.start.Add(l.cfg.Window)) {
			delete(m, k)
		}
	}
	for k := range m {
		if len(m) < l.cfg.MaxKeys {
			return
		}
		delete(m, k)
	}
}

// len reports the number of tracked keys, for tests.
func (l *Limiter) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.pairs.m) + len(l.users.m) + len(l.addrs.m)
}
