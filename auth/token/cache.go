package token

import (
	"hash/maphash"
	"sync"
	"time"
)

// cacheShards spreads lock contention; a power of two keeps the modulo cheap.
const cacheShards = 16

// cache remembers tokens that passed full verification so that a client
// sending the same token on every request pays for the HMAC and JSON work
// once. An entry is never served at or after its token's exp, so caching
// cannot extend a token's life; it also never vouches for the session,
// which callers check on every request regardless.
//
// Memory is bounded by a fixed entry count. When a shard is full, a few
// entries are sampled and the expired ones dropped, or else one arbitrary
// entry: like Redis's approximated eviction this is O(1) and good enough for
// a cache whose misses only cost CPU.
type cache struct {
	seed   maphash.Seed
	perCap int
	shards [cacheShards]cacheShard
}

type cacheShard struct {
	mu sync.Mutex
	m  map[string]Claims
}

func newCache(size int) *cache {
	c := &cache{seed: maphash.MakeSeed(), perCap: (size + cacheShards - 1) / cacheShards}
	for i := range c.shards {
		c.shards[i].m = make(map[string]Claims)
	}
	return c
}

func (c *cache) shard(tok string) *cacheShard {
	return &c.shards[maphash.String(c.seed, tok)%cacheShards]
}

func (c *cache) get(tok string, now time.Time) (Claims, bool) {
	s := c.shard(tok)
	s.mu.Lock()
	defer s.mu.Unlock()
	cl, ok := s.m[tok]
	if !ok {
		return Claims{}, false
	}
	if !now.Before(cl.ExpiresAt) {
		delete(s.m, tok)
		return Claims{}, false
	}
	return cl, true
}

func (c *cache) put(tok string, cl Claims, now time.Time) {
	s := c.shard(tok)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[tok]; !ok && len(s.m) >= c.perCap {
		s.evict(now)
	}
	s.m[tok] = cl
}

// evict frees at least one slot.
func (s *cacheShard) evict(now time.Time) {
	const samples = 8
	var victim string
	n, freed := 0, false
	for k, v := range s.m {
		if !now.Before(v.ExpiresAt) {
			delete(s.m, k)
			freed = true
		} else if victim == "" {
			victim = k
		}
		if n++; n == samples {
			break
		}
	}
	if !freed {
		delete(s.m, victim)
	}
}

func (c *cache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += len(s.m)
		s.mu.Unlock()
	}
	return n
}
