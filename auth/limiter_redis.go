package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultLimiterPrefix is the key prefix of a RedisLimiter when none is
// configured.
const DefaultLimiterPrefix = "portico:login:"

// RedisLimiter is a LoginLimiter whose counts live in Redis, so the limits
// hold for all instances together. Each count is a key incremented by a Lua
// script and expiring at the end of its window, so it needs no cleanup and
// no bound on keys. Keys hold hashes, never user names or addresses:
//
//	P{U}:u      failures of user name U (case-folded) from any address
//	P{U}:p:<X>  failures of user name U from address hash X
//	P{A}:a      failures from address A with any user names
//
// U, X and A are truncated SHA-256 hashes. A user's two keys share a cluster
// slot; on a Cluster the address key lives elsewhere, so each call costs
// two round trips there and one on a single server.
type RedisLimiter struct {
	c       redis.UniversalClient
	cfg     LimiterConfig
	cluster bool
}

var _ LoginLimiter = (*RedisLimiter)(nil)

// NewRedisLimiter returns a RedisLimiter on c, which the caller keeps and
// closes. Create c with ContextTimeoutEnabled, so that the login request's
// deadline bounds a hung Redis.
func NewRedisLimiter(c redis.UniversalClient, cfg LimiterConfig) (*RedisLimiter, error) {
	if c == nil {
		return nil, errors.New("auth: nil redis client for the login limiter")
	}
	cfg.defaults()
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultLimiterPrefix
	}
	if strings.ContainsAny(cfg.Prefix, "{}") {
		return nil, fmt.Errorf("auth: login limiter key prefix %q must not contain braces", cfg.Prefix)
	}
	_, cluster := c.(*redis.ClusterClient)
	return &RedisLimiter{c: c, cfg: cfg, cluster: cluster}, nil
}

// limitTag hashes a user name or address into a fixed-size cluster tag.
func limitTag(kind, s string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + s))
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// limitKeys returns the keys and thresholds of one attempt: the user's
// group (one slot) and the address's.
func (l *RedisLimiter) limitKeys(username, clientIP string) (user []string, addr string) {
	name := strings.ToLower(username)
	u := l.cfg.Prefix + "{" + limitTag("u", name) + "}:"
	return []string{u + "p:" + limitTag("a", clientIP), u + "u"},
		l.cfg.Prefix + "{" + limitTag("a", clientIP) + "}:a"
}

// allowScript returns the longest time, in ms, that one of KEYS still
// blocks: a key blocks once its count reaches its threshold (ARGV, by
// position) until it expires.
var allowScript = redis.NewScript(`
local wait = 0
for i, k in ipairs(KEYS) do
  local n = tonumber(redis.call('GET', k) or '0')
  if n >= tonumber(ARGV[i]) then
    local ttl = redis.call('PTTL', k)
    if ttl > wait then wait = ttl end
  end
end
return wait
`)

// failureScript counts one failure on every key, starting its window
// (ARGV[1] ms) on the first; a key found without expiry gets one too.
var failureScript = redis.NewScript(`
for _, k in ipairs(KEYS) do
  if redis.call('INCR', k) == 1 or redis.call('PTTL', k) < 0 then
    redis.call('PEXPIRE', k, ARGV[1])
  end
end
return 0
`)

// group is keys in one cluster slot with their thresholds.
type group struct {
	keys []string
	max  []any
}

// groups splits an attempt's keys into one-slot groups: one group on a
// single server, the user's and the address's on a Cluster.
func (l *RedisLimiter) groups(username, clientIP string) []group {
	user, addr := l.limitKeys(username, clientIP)
	g := group{keys: user, max: []any{l.cfg.MaxFailures, l.cfg.MaxUserFailures}}
	if l.cluster {
		return []group{g, {keys: []string{addr}, max: []any{l.cfg.MaxAddressFailures}}}
	}
	g.keys = append(g.keys, addr)
	g.max = append(g.max, l.cfg.MaxAddressFailures)
	return []group{g}
}

func storeDown(err error) error {
	return &Error{Reason: ReasonStoreUnavailable, Err: fmt.Errorf("login limiter: %w", err)}
}

// Allow implements LoginLimiter.
func (l *RedisLimiter) Allow(ctx context.Context, username, clientIP string) error {
	var wait int64
	for _, g := range l.groups(username, clientIP) {
		ms, err := allowScript.Run(ctx, l.c, g.keys, g.max...).Int64()
		if err != nil {
			return storeDown(err)
		}
		wait = max(wait, ms)
	}
	if wait > 0 {
		return tooMany(time.Duration(wait) * time.Millisecond)
	}
	return nil
}

// Failure implements LoginLimiter.
func (l *RedisLimiter) Failure(ctx context.Context, username, clientIP string) error {
	for _, g := range l.groups(username, clientIP) {
		if err := failureScript.Run(ctx, l.c, g.keys, l.cfg.Window.Milliseconds()).Err(); err != nil {
			return storeDown(err)
		}
	}
	return nil
}

// Success implements LoginLimiter: it clears the user name's counts; the
// address count is kept, as with Limiter.
func (l *RedisLimiter) Success(ctx context.Context, username, clientIP string) error {
	user, _ := l.limitKeys(username, clientIP)
	if err := l.c.Del(ctx, user...).Err(); err != nil {
		return storeDown(err)
	}
	return nil
}
