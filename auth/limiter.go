package auth

import (
	"context"
	"errors"
	"hash/maphash"
	"strings"
	"sync"
	"time"
)

// Defaults for LimiterConfig.
const (
	DefaultMaxFailures = 5
	DefaultWindow      = time.Minute
	DefaultMaxKeys     = 10_000
)

// LimiterConfig configures a Limiter.
type LimiterConfig struct {
	// MaxFailures is how many failed logins a user name, and separately a
	// client address, may have within Window before further attempts are
	// refused until the window ends. Zero means DefaultMaxFailures.
	MaxFailures int
	// Window is the counting period, starting at the first failure. Zero
	// means DefaultWindow.
	Window time.Duration
	// MaxKeys bounds how many user names and how many addresses are
	// tracked. Zero means DefaultMaxKeys. When full, finished windows are
	// dropped first, then arbitrary ones: an attacker who floods the table
	// can reset some counters, so the per-address limit is what holds
	// against spraying.
	MaxKeys int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// LoginLimiter throttles password guessing. Login endpoints call Allow
// before checking a password, then Failure or Success. An implementation
// that cannot reach its state returns an error (an *Error with
// ReasonStoreUnavailable for a shared store that is down); callers refuse
// the login rather than skip the limit.
type LoginLimiter interface {
	Allow(ctx context.Context, username, clientIP string) error
	Failure(ctx context.Context, username, clientIP string) error
	Success(ctx context.Context, username, clientIP string) error
}

var _ LoginLimiter = (*Limiter)(nil)

// Limiter throttles password guessing per user name and per client address.
// It keeps state in memory, so each process counts on its own. It is safe
// for concurrent use.
type Limiter struct {
	max     int
	window  time.Duration
	maxKeys int
	now     func() time.Time
	seed    maphash.Seed

	mu    sync.Mutex
	users map[uint64]*failures
	addrs map[uint64]*failures
}

type failures struct {
	count int
	start time.Time
}

// NewLimiter returns a Limiter.
func NewLimiter(cfg LimiterConfig) *Limiter {
	l := &Limiter{
		max:     cfg.MaxFailures,
		window:  cfg.Window,
		maxKeys: cfg.MaxKeys,
		now:     cfg.Now,
		seed:    maphash.MakeSeed(),
		users:   make(map[uint64]*failures),
		addrs:   make(map[uint64]*failures),
	}
	if l.max <= 0 {
		l.max = DefaultMaxFailures
	}
	if l.window <= 0 {
		l.window = DefaultWindow
	}
	if l.maxKeys <= 0 {
		l.maxKeys = DefaultMaxKeys
	}
	if l.now == nil {
		l.now = time.Now
	}
	return l
}

// Keys are 64-bit hashes: fixed-size whatever the input, and user names are
// not kept in memory. Names are case-folded so "Alice" and "alice" share a
// budget.
func (l *Limiter) userKey(name string) uint64 {
	return maphash.String(l.seed, strings.ToLower(name))
}

func (l *Limiter) addrKey(ip string) uint64 { return maphash.String(l.seed, ip) }

// Allow reports whether a login attempt for username from clientIP may
// proceed. When it may not, the error is an *Error with
// ReasonTooManyRequests and RetryAfter set. Call it before checking the
// password, so a blocked guesser learns nothing.
func (l *Limiter) Allow(_ context.Context, username, clientIP string) error {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	wait := max(l.blocked(l.users[l.userKey(username)], now), l.blocked(l.addrs[l.addrKey(clientIP)], now))
	if wait > 0 {
		return &Error{Reason: ReasonTooManyRequests, Err: errors.New("too many failed logins"), RetryAfter: wait}
	}
	return nil
}

// Failure records a failed login for username from clientIP. The memory
// limiter never fails.
func (l *Limiter) Failure(_ context.Context, username, clientIP string) error {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.add(l.users, l.userKey(username), now)
	l.add(l.addrs, l.addrKey(clientIP), now)
	return nil
}

// Success clears the user name's failures after a good login. The address
// count is kept: otherwise an attacker owning one account could reset it
// between guesses at others. The memory limiter never fails.
func (l *Limiter) Success(_ context.Context, username, _ string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.users, l.userKey(username))
	return nil
}

// blocked returns how long f still blocks attempts, or 0.
func (l *Limiter) blocked(f *failures, now time.Time) time.Duration {
	if f == nil || f.count < l.max {
		return 0
	}
	return max(f.start.Add(l.window).Sub(now), 0)
}

func (l *Limiter) add(m map[uint64]*failures, k uint64, now time.Time) {
	f := m[k]
	if f == nil {
		if len(m) >= l.maxKeys {
			l.evict(m, now)
		}
		f = &failures{start: now}
		m[k] = f
	}
	if !now.Before(f.start.Add(l.window)) {
		*f = failures{start: now}
	}
	f.count++
}

func (l *Limiter) evict(m map[uint64]*failures, now time.Time) {
	for k, f := range m {
		if !now.Before(f.start.Add(l.window)) {
			delete(m, k)
		}
	}
	for k := range m {
		if len(m) < l.maxKeys {
			return
		}
		delete(m, k)
	}
}

// len reports the number of tracked keys, for tests.
func (l *Limiter) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.users) + len(l.addrs)
}
