package session

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultPrefix is the key prefix of a Redis store when none is configured.
const DefaultPrefix = "portico:session:"

// RedisConfig configures a Redis store.
type RedisConfig struct {
	// Prefix starts every key; zero means DefaultPrefix. It must not
	// contain braces, which would change the cluster hash slot.
	Prefix string
	// Now is the clock used for deadline checks; nil means time.Now. Key
	// expiry itself runs on the Redis server's clock.
	Now func() time.Time
	// MaxStaleness is the client-side cache's MaxStaleness: for that long
	// after this store ends a session it reads that session past the
	// cache. Zero means DefaultMaxStaleness, as CacheConfig sets.
	MaxStaleness time.Duration
}

// Redis is a Store on Redis (6.2 or later).
//
// Touch reads a session with a plain GET, which go-redis can answer from
// its client-side cache (see CacheConfig), and writes only when the idle
// expiry needs sliding: when less than half of the idle window is left. So
// a hot session costs no round trip at all on a client with client-side
// caching, and one GET elsewhere (Cluster, RESP2).
//
// Keys of one user share a cluster hash tag derived from the user ID, and
// that tag is also the first 8 characters of every session ID, so all
// multi-key work (login with eviction, log out everywhere) runs as one Lua
// script on one slot while a session can still be found from its ID alone.
// Layout, for prefix P and tag T:
//
//	P{T}:s:<sid>   the session: "<refresh hash>|<deadline ms>|<idle expiry
//	               ms>|<json>", expiring at its idle expiry
//	P{T}:r:<sid>   list of rotated-away refresh hashes, newest first, as
//	               "<hash>|<rotated ms>", at most MaxPreviousRefresh,
//	               expiring at the deadline
//	P{T}:t:<sid>   tombstone holding the end reason, TTL at the old deadline
//	P{T}:u:<uid>   sorted set of the user's session IDs by creation time
//
// The idle expiry is part of the value, not only the key's TTL, so that a
// cached copy can tell by itself when it has run out.
type Redis struct {
	c         redis.UniversalClient
	prefix    string
	now       func() time.Time
	staleness time.Duration

	// recent maps IDs of sessions this store ended to when a cached copy
	// of them can no longer be served; see wrote.
	recent  sync.Map
	recentN atomic.Int64
	// parsed maps session IDs to *decoded; see decodeCached.
	parsed  sync.Map
	parsedN atomic.Int64
}

// NewRedis returns a Redis store on c. The caller keeps ownership of c.
//
// Create c with ContextTimeoutEnabled (or read and write timeouts no longer
// than the caller's per-call budget): go-redis otherwise ignores context
// deadlines on the socket, and a hung server would hold requests for the
// client's 3 second default read timeout.
func NewRedis(c redis.UniversalClient, cfg RedisConfig) (*Redis, error) {
	if c == nil {
		return nil, errors.New("session: nil redis client")
	}
	r := &Redis{c: c, prefix: cfg.Prefix, now: cfg.Now, staleness: cfg.MaxStaleness}
	if r.staleness <= 0 {
		r.staleness = DefaultMaxStaleness
	}
	if r.prefix == "" {
		r.prefix = DefaultPrefix
	}
	if strings.ContainsAny(r.prefix, "{}") {
		return nil, fmt.Errorf("session: key prefix %q must not contain braces", r.prefix)
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r, nil
}

const (
	tagLen       = 8 // base64url of 6 bytes of SHA-256(user ID)
	redisIDLen   = tagLen + 22
	hashField    = 64
	hashFieldEnd = hashField + 1 // index just past the '|' after the hash
)

// userTag spreads users over cluster slots while keeping each user's keys
// together. Two users sharing a tag merely share a slot.
func userTag(userID string) string {
	sum := sha256.Sum256([]byte(userID))
	return base64.RawURLEncoding.EncodeToString(sum[:6])
}

// base is the key prefix of all keys in the tag's slot.
func (r *Redis) base(tag string) string { return r.prefix + "{" + tag + "}:" }

// tagOf returns the tag embedded in a session ID, or false for IDs this
// store cannot have issued (they then name no session).
func tagOf(id string) (string, bool) {
	if len(id) != redisIDLen {
		return "", false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return "", false
		}
	}
	return id[:tagLen], true
}

// body is the JSON part of a stored session; the refresh hash and deadline
// sit in front of it so the Lua scripts can read them without a JSON codec.
type body struct {
	UserID    string `json:"uid"`
	Name      string `json:"name,omitempty"`
	ClientIP  string `json:"ip,omitempty"`
	CreatedAt int64  `json:"ct"`
}

func encode(rec Record, idleUntil time.Time) (string, error) {
	b, err := json.Marshal(body{UserID: rec.UserID, Name: rec.Name, ClientIP: rec.ClientIP, CreatedAt: rec.CreatedAt.UnixMilli()})
	if err != nil {
		return "", fmt.Errorf("session: encode: %w", err)
	}
	return rec.RefreshHash + "|" + strconv.FormatInt(rec.Deadline.UnixMilli(), 10) + "|" +
		strconv.FormatInt(idleUntil.UnixMilli(), 10) + "|" + string(b), nil
}

// decode parses a stored session and returns it with its idle expiry.
func decode(id, v string) (Record, time.Time, error) {
	// The error is built only on the failure paths: decode runs on every
	// authenticated request.
	bad := func() error { return fmt.Errorf("%w: malformed session record %s", ErrUnavailable, id) }
	if len(v) < hashFieldEnd || v[hashField] != '|' {
		return Record{}, time.Time{}, bad()
	}
	dl, rest, ok := strings.Cut(v[hashFieldEnd:], "|")
	if !ok {
		return Record{}, time.Time{}, bad()
	}
	idle, js, ok := strings.Cut(rest, "|")
	if !ok {
		return Record{}, time.Time{}, bad()
	}
	dlms, err := strconv.ParseInt(dl, 10, 64)
	if err != nil {
		return Record{}, time.Time{}, bad()
	}
	idlems, err := strconv.ParseInt(idle, 10, 64)
	if err != nil {
		return Record{}, time.Time{}, bad()
	}
	var b body
	if err := json.Unmarshal([]byte(js), &b); err != nil {
		return Record{}, time.Time{}, bad()
	}
	return Record{
		ID:          id,
		UserID:      b.UserID,
		Name:        b.Name,
		ClientIP:    b.ClientIP,
		CreatedAt:   time.UnixMilli(b.CreatedAt),
		Deadline:    time.UnixMilli(dlms),
		RefreshHash: v[:hashField],
	}, time.UnixMilli(idlems), nil
}

// luaLib is shared by the scripts. finish ends one session and leaves a
// tombstone until the session's own deadline, past which none of its tokens
// can be valid anyway. Millisecond values stay strings when passed back to
// Redis so that Lua's float formatting never touches them.
const luaLib = `
local function fields(v)
  local b1 = string.find(v, '|', 66, true)
  local b2 = string.find(v, '|', b1 + 1, true)
  return string.sub(v, 66, b1 - 1), string.sub(v, b1 + 1, b2 - 1), b2
end
local function finish(base, sid, reason, now)
  local k = base .. 's:' .. sid
  local v = redis.call('GET', k)
  if not v then return false end
  redis.call('DEL', k, base .. 'r:' .. sid)
  local dl = fields(v)
  if tonumber(dl) > now then
    redis.call('SET', base .. 't:' .. sid, reason, 'PXAT', dl)
  end
  return true
end
`

// createScript: KEYS = session, user index. ARGV = value, idle expiry ms,
// created ms, sid, limit, base, now ms, deadline ms. It returns the IDs of
// the sessions it ended.
var createScript = redis.NewScript(luaLib + `
local base, now, limit = ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[5])
local live = {}
for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if redis.call('EXISTS', base .. 's:' .. m) == 1 then
    table.insert(live, m)
  else
    redis.call('ZREM', KEYS[2], m)
  end
end
local evicted = {}
if limit > 0 then
  local i = 1
  while #live - i + 1 >= limit do
    finish(base, live[i], 'replaced', now)
    redis.call('ZREM', KEYS[2], live[i])
    table.insert(evicted, live[i])
    i = i + 1
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[8]) - now then
  redis.call('PEXPIREAT', KEYS[2], ARGV[8])
end
return evicted
`)

// rotateScript: KEYS = session, tombstone, previous hashes. ARGV = old
// hash, new hash, idle expiry ms, now ms, base, sid, grace ms, how many
// previous hashes to keep.
var rotateScript = redis.NewScript(luaLib + `
local v = redis.call('GET', KEYS[1])
if not v then
  local r = redis.call('GET', KEYS[2])
  if r then return {'revoked', r} end
  return {'expired'}
end
local now = tonumber(ARGV[4])
local dl, idle, b2 = fields(v)
if tonumber(dl) <= now or tonumber(idle) <= now then
  redis.call('DEL', KEYS[1], KEYS[3])
  return {'expired'}
end
local cur = string.sub(v, 1, 64)
if cur ~= ARGV[1] then
  for _, e in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do
    if string.sub(e, 1, 64) == ARGV[1] then
      if now - tonumber(string.sub(e, 66)) < tonumber(ARGV[7]) then return {'inprogress'} end
      finish(ARGV[5], ARGV[6], 'revoked', now)
      return {'reused'}
    end
  end
  return {'unknown'}
end
local at = ARGV[3]
if tonumber(at) > tonumber(dl) then at = dl end
local nv = ARGV[2] .. '|' .. dl .. '|' .. at .. string.sub(v, b2)
redis.call('SET', KEYS[1], nv, 'PXAT', at)
redis.call('LPUSH', KEYS[3], cur .. '|' .. ARGV[4])
redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[8]) - 1)
redis.call('PEXPIREAT', KEYS[3], dl)
return {'ok', nv}
`)

// slideScript moves the idle expiry of a live session, unless another
// instance has just done so. KEYS = session. ARGV = idle expiry ms, now
// ms, the least remaining idle time that needs no write (ms).
var slideScript = redis.NewScript(luaLib + `
local v = redis.call('GET', KEYS[1])
if not v then return false end
local dl, idle, b2 = fields(v)
if tonumber(idle) - tonumber(ARGV[2]) >= tonumber(ARGV[3]) then return v end
local at = ARGV[1]
if tonumber(at) > tonumber(dl) then at = dl end
if tonumber(at) <= tonumber(idle) then return v end
local nv = string.sub(v, 1, 65) .. dl .. '|' .. at .. string.sub(v, b2)
redis.call('SET', KEYS[1], nv, 'PXAT', at)
return nv
`)

// revokeScript: KEYS = session (declared for cluster routing). ARGV = base,
// sid, reason, now ms.
var revokeScript = redis.NewScript(luaLib + `
if finish(ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])) then return 1 end
return 0
`)

// revokeUserScript: KEYS = user index. ARGV = base, reason, now ms. It
// returns the IDs of the sessions it ended.
var revokeUserScript = redis.NewScript(luaLib + `
local ended = {}
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if finish(ARGV[1], m, ARGV[2], tonumber(ARGV[3])) then table.insert(ended, m) end
end
redis.call('DEL', KEYS[1])
return ended
`)

// Create implements Store.
func (r *Redis) Create(ctx context.Context, rec Record, idleUntil time.Time, limit int) (Record, error) {
	now := r.now()
	if err := validate(rec, now); err != nil {
		return Record{}, err
	}
	rnd, err := randomID()
	if err != nil {
		return Record{}, err
	}
	tag := userTag(rec.UserID)
	rec.ID = tag + rnd
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = now
	}
	until := minTime(idleUntil, rec.Deadline)
	v, err := encode(rec, until)
	if err != nil {
		return Record{}, err
	}
	base := r.base(tag)
	ended, err := createScript.Run(ctx, r.c,
		[]string{base + "s:" + rec.ID, base + "u:" + rec.UserID},
		v, until.UnixMilli(), rec.CreatedAt.UnixMilli(), rec.ID, limit, base, now.UnixMilli(), rec.Deadline.UnixMilli(),
	).StringSlice()
	if err != nil {
		return Record{}, unavailable(err)
	}
	r.wrote(ended...)
	return rec, nil
}

// Touch implements Store. The read is a plain GET, served from go-redis's
// client-side cache when the client has one; a write follows only when less
// than half of the idle window (idleUntil - now) is left, so the idle
// expiry lags real activity by at most half a window.
func (r *Redis) Touch(ctx context.Context, id string, idleUntil time.Time) (Record, error) {
	tag, ok := tagOf(id)
	if !ok {
		return Record{}, ErrExpired
	}
	now := r.now()
	if !idleUntil.After(now) {
		return Record{}, ErrExpired
	}
	base := r.base(tag)
	key := base + "s:" + id
	fresh := r.ownWrite(id)
	v, err := r.read(ctx, key, fresh)
	if errors.Is(err, redis.Nil) {
		return Record{}, r.gone(ctx, base, id)
	}
	if err != nil {
		return Record{}, unavailable(err)
	}
	rec, idle, err := r.decodeCached(id, v)
	if err != nil {
		return Record{}, err
	}
	if !now.Before(rec.Deadline) {
		return Record{}, ErrExpired
	}
	if !now.Before(idle) {
		if !fresh {
			// The copy may be cached from before another instance slid
			// the expiry; only the server can say.
			r.wrote(id)
			return r.Touch(ctx, id, idleUntil)
		}
		return Record{}, ErrExpired
	}
	idleUntil = minTime(idleUntil, rec.Deadline)
	keep := idleUntil.Sub(now) / 2
	if idle.Sub(now) >= keep {
		return rec, nil
	}
	nv, err := slideScript.Run(ctx, r.c, []string{key}, idleUntil.UnixMilli(), now.UnixMilli(), keep.Milliseconds()).Text()
	if errors.Is(err, redis.Nil) {
		return Record{}, r.gone(ctx, base, id)
	}
	if err != nil {
		return Record{}, unavailable(err)
	}
	rec, _, err = decode(id, nv)
	return rec, err
}

// decoded is a parsed session value, kept to skip parsing the same value
// again on the next Touch: with a client-side cache, parsing would be most
// of a hot Touch's cost.
type decoded struct {
	v    string
	rec  Record
	idle time.Time
}

// decodeCached is decode, remembering the result per session ID. An entry
// is used only for the very value it was parsed from, so it cannot be
// stale; the table is bounded by clearing it when full.
func (r *Redis) decodeCached(id, v string) (Record, time.Time, error) {
	if d, ok := r.parsed.Load(id); ok {
		if d := d.(*decoded); d.v == v {
			return d.rec, d.idle, nil
		}
	}
	rec, idle, err := decode(id, v)
	if err != nil {
		return Record{}, time.Time{}, err
	}
	if r.parsedN.Add(1) > maxParsed {
		r.parsedN.Store(0)
		r.parsed.Clear()
	}
	r.parsed.Store(id, &decoded{v: v, rec: rec, idle: idle})
	return rec, idle, nil
}

// maxParsed bounds the parsed-value table, like DefaultCacheEntries bounds
// go-redis's copies.
const maxParsed = DefaultCacheEntries

// read returns the session value at key: from go-redis's client-side cache
// if the client has one, unless fresh asks for the server's copy. GETEX
// without options changes nothing and is not cacheable.
func (r *Redis) read(ctx context.Context, key string, fresh bool) (string, error) {
	if fresh {
		// Built by hand: GetEx with a zero expiration sends PERSIST.
		cmd := redis.NewStringCmd(ctx, "getex", key)
		_ = r.c.Process(ctx, cmd)
		return cmd.Result()
	}
	return r.c.Get(ctx, key).Result()
}

// wrote records that this store just ended the sessions ids. Redis sends
// the invalidation for a key to the connection that read it, and go-redis
// applies it a little later, so without this a Touch right after a Revoke
// on the same instance could still find the cached copy. Reads of these
// IDs skip the cache for as long as a stale copy could be served.
func (r *Redis) wrote(ids ...string) {
	until := time.Now().Add(r.staleness)
	for _, id := range ids {
		r.recent.Store(id, until)
	}
	if r.recentN.Add(int64(len(ids))) >= recentPrune {
		r.recentN.Store(0)
		now := time.Now()
		r.recent.Range(func(k, v any) bool {
			if !now.Before(v.(time.Time)) {
				r.recent.CompareAndDelete(k, v)
			}
			return true
		})
	}
}

// recentPrune is how many writes pass between sweeps of expired marks.
const recentPrune = 1024

// ownWrite reports whether this store ended session id recently enough
// that a cached copy could still be served.
func (r *Redis) ownWrite(id string) bool {
	v, ok := r.recent.Load(id)
	if !ok {
		return false
	}
	if time.Now().Before(v.(time.Time)) {
		return true
	}
	r.recent.CompareAndDelete(id, v)
	return false
}

// gone explains a missing session: a tombstone means it was ended on purpose.
func (r *Redis) gone(ctx context.Context, base, id string) error {
	reason, err := r.c.Get(ctx, base+"t:"+id).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return ErrExpired
	case err != nil:
		return unavailable(err)
	}
	return &RevokedError{Reason: Reason(reason)}
}

// Rotate implements Store as one Lua script, so the compare and the swap
// cannot interleave with another refresh.
func (r *Redis) Rotate(ctx context.Context, id, oldHash, newHash string, idleUntil time.Time, grace time.Duration) (Record, error) {
	tag, ok := tagOf(id)
	if !ok || !validHash(newHash) {
		return Record{}, ErrExpired
	}
	now := r.now()
	base := r.base(tag)
	res, err := rotateScript.Run(ctx, r.c, []string{base + "s:" + id, base + "t:" + id, base + "r:" + id},
		oldHash, newHash, idleUntil.UnixMilli(), now.UnixMilli(), base, id, grace.Milliseconds(), MaxPreviousRefresh).StringSlice()
	if err != nil {
		return Record{}, unavailable(err)
	}
	switch {
	case len(res) == 2 && res[0] == "ok":
		rec, _, err := decode(id, res[1])
		return rec, err
	case len(res) == 2 && res[0] == "revoked":
		return Record{}, &RevokedError{Reason: Reason(res[1])}
	case len(res) == 1 && res[0] == "reused":
		r.wrote(id)
		return Record{}, reused()
	case len(res) == 1 && res[0] == "expired":
		return Record{}, ErrExpired
	case len(res) == 1 && res[0] == "inprogress":
		return Record{}, ErrRefreshInProgress
	case len(res) == 1 && res[0] == "unknown":
		return Record{}, ErrUnknownRefresh
	}
	return Record{}, fmt.Errorf("%w: unexpected script reply %q", ErrUnavailable, res)
}

// Revoke implements Store.
func (r *Redis) Revoke(ctx context.Context, id string, reason Reason) error {
	tag, ok := tagOf(id)
	if !ok {
		return nil
	}
	base := r.base(tag)
	// Marked before the call: if the reply is lost, the session may be
	// ended all the same.
	r.wrote(id)
	err := revokeScript.Run(ctx, r.c, []string{base + "s:" + id}, base, id, string(reason), r.now().UnixMilli()).Err()
	if err != nil {
		return unavailable(err)
	}
	return nil
}

// RevokeUser implements Store.
func (r *Redis) RevokeUser(ctx context.Context, userID string, reason Reason) (int, error) {
	base := r.base(userTag(userID))
	ended, err := revokeUserScript.Run(ctx, r.c, []string{base + "u:" + userID}, base, string(reason), r.now().UnixMilli()).StringSlice()
	if err != nil {
		return 0, unavailable(err)
	}
	r.wrote(ended...)
	return len(ended), nil
}
