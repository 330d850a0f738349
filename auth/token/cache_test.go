package token

import (
	"strconv"
	"testing"
	"time"
)

func newCachedService(t *testing.T, now *time.Time, size int) *Service {
	t.Helper()
	s, err := New(Config{
		Issuer: "i", Audience: "a", ActiveKey: "k", Leeway: -1, CacheSize: size,
		Keys: []Key{{ID: "k", Secret: []byte("0123456789abcdef0123456789abcdef")}},
		Now:  func() time.Time { return *now },
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func issueFor(t *testing.T, s *Service, now time.Time, sid string, life time.Duration) string {
	t.Helper()
	tok, err := s.Issue(Claims{Subject: "u", SessionID: sid, IssuedAt: now, ExpiresAt: now.Add(life), SessionDeadline: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestCacheHitAndExpiry(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	s := newCachedService(t, &now, 100)
	tok := issueFor(t, s, now, "s1", time.Minute)
	first, err := s.Parse(tok)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.cache.get(tok, now); !ok {
		t.Fatal("verified token was not cached")
	}
	again, err := s.Parse(tok)
	if err != nil || again != first {
		t.Fatalf("cached Parse = %+v, %v; want %+v", again, err, first)
	}
	// At exp the cached entry must not be served; the full parse (no leeway
	// here) then reports the expiry.
	now = now.Add(time.Minute)
	if _, err := s.Parse(tok); err == nil {
		t.Fatal("Parse at exp succeeded from the cache")
	}
	if n := s.cache.len(); n != 0 {
		t.Fatalf("expired entry kept: len = %d", n)
	}
}

func TestCacheRejectsNothingNew(t *testing.T) {
	// A token that fails verification must not be cached, or a later
	// request could skip the check.
	now := time.Unix(1_700_000_000, 0)
	s := newCachedService(t, &now, 100)
	tok := issueFor(t, s, now, "s1", time.Minute)
	bad := tok[:len(tok)-2] + "AA"
	for range 2 {
		if _, err := s.Parse(bad); err == nil {
			t.Fatal("tampered token accepted")
		}
	}
	if n := s.cache.len(); n != 0 {
		t.Fatalf("cache holds %d entries after failures, want 0", n)
	}
}

func TestCacheBounded(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	const size = 64
	s := newCachedService(t, &now, size)
	for i := range 2000 {
		tok := issueFor(t, s, now, "s"+strconv.Itoa(i), time.Hour)
		if _, err := s.Parse(tok); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.cache.len(); n > size || n == 0 {
		t.Fatalf("cache len = %d, want 1..%d", n, size)
	}
}

func TestCacheEvictsExpiredFirst(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	c := newCache(cacheShards) // one entry per shard
	cl := Claims{ExpiresAt: now.Add(time.Second)}
	// Fill every shard with an entry that will be dead.
	for i := 0; c.len() < cacheShards; i++ {
		c.put("dead"+strconv.Itoa(i), cl, now)
	}
	later := now.Add(time.Minute)
	for i := range 100 {
		c.put("live"+strconv.Itoa(i), Claims{ExpiresAt: later.Add(time.Hour)}, later)
	}
	for i := range c.shards {
		for k, v := range c.shards[i].m {
			if !later.Before(v.ExpiresAt) {
				t.Fatalf("dead entry %q survived a full shard's eviction", k)
			}
		}
	}
}
