package session_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/portico-go/portico/auth/session"
	"github.com/portico-go/portico/auth/session/sessiontest"
	"github.com/portico-go/portico/internal/redistest"
)

// revocationBound is what issue 14 promises: a session revoked through one
// instance is refused by every other within this time. The 1,000-revocation
// test holds its p99 to it; single observations (each revocation's own lag,
// the outage tests) get schedulerSlack on top, since on a loaded two-core
// CI machine a goroutine can wait that long to run at all, which says
// nothing about the cache.
const (
	revocationBound = 100 * time.Millisecond
	schedulerSlack  = 150 * time.Millisecond
)

// cachedPair returns two stores with their own caching clients, as two
// instances of an application would have, on one real redis-server, and a
// plain client for administration and command statistics.
func cachedPair(t *testing.T) (a, b *session.Redis, bc *redis.Client, srv *redistest.Instance, admin redis.UniversalClient) {
	t.Helper()
	srv = redistest.Server(t)
	prefix := redistest.Prefix(t)
	ac := redistest.CachingClient(t, srv.Addr(), session.CacheConfig(0))
	bc = redistest.CachingClient(t, srv.Addr(), session.CacheConfig(0))
	var err error
	if a, err = session.NewRedis(ac, session.RedisConfig{Prefix: prefix}); err != nil {
		t.Fatal(err)
	}
	if b, err = session.NewRedis(bc, session.RedisConfig{Prefix: prefix}); err != nil {
		t.Fatal(err)
	}
	return a, b, bc, srv, srv.Client(t)
}

func TestRedisCachedConformance(t *testing.T) {
	srv := redistest.Server(t)
	c := redistest.CachingClient(t, srv.Addr(), session.CacheConfig(0))
	sessiontest.Run(t, func(t *testing.T) session.Store {
		s, err := session.NewRedis(c, session.RedisConfig{Prefix: redistest.Prefix(t)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestRedisCachedTouchIsLocal counts, with a go-redis hook on the client
// and with the server's own statistics, the commands a hot session costs.
func TestRedisCachedTouchIsLocal(t *testing.T) {
	a, b, bc, _, admin := cachedPair(t)
	wire := &redistest.Writes{}
	bc.AddHook(wire)
	ctx := context.Background()
	now := time.Now()
	rec, err := a.Create(ctx, newRecord(t, "hot", now, time.Hour), now.Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Touch(ctx, rec.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err) // the miss that fills the cache
	}
	const n = 10_000
	wireBefore, serverBefore, hitsBefore := wire.Load(), redistest.CommandCalls(t, admin), bc.CSCStats().Hits
	for range n {
		if _, err := b.Touch(ctx, rec.ID, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	writes, server, hits := wire.Load()-wireBefore, redistest.CommandCalls(t, admin)-serverBefore, bc.CSCStats().Hits-hitsBefore
	t.Logf("%d hot touches: %d socket writes by the client, %d commands run by the server, %d cache hits", n, writes, server, hits)
	if writes > n/1000 || server > n/1000 {
		t.Fatalf("%d hot touches cost %d socket writes and %d server commands, want ~0", n, writes, server)
	}
	if hits < n*999/1000 {
		t.Fatalf("%d cache hits for %d hot touches", hits, n)
	}
}

// TestRedisCachedRevocationBound revokes 1,000 sessions through store A,
// each one cached by store B, and measures how long B keeps accepting it.
func TestRedisCachedRevocationBound(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 revocations")
	}
	a, b, bc, _, _ := cachedPair(t)
	ctx := context.Background()
	const n = 1000
	lags := make([]time.Duration, 0, n)
	for i := range n {
		now := time.Now()
		rec, err := a.Create(ctx, newRecord(t, "u", now, time.Hour), now.Add(time.Hour), 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Touch(ctx, rec.ID, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		hits := bc.CSCStats().Hits
		if _, err := b.Touch(ctx, rec.ID, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if bc.CSCStats().Hits == hits {
			t.Fatalf("revocation %d: B's second read was not served from its cache", i)
		}
		start := time.Now()
		if err := a.Revoke(ctx, rec.ID, session.ReasonRevoked); err != nil {
			t.Fatal(err)
		}
		for {
			_, err := b.Touch(ctx, rec.ID, time.Now().Add(time.Hour))
			if errors.Is(err, session.ErrRevoked) {
				break
			}
			if err != nil {
				t.Fatalf("revocation %d: B says %v, want revoked", i, err)
			}
			if time.Since(start) > time.Second {
				t.Fatalf("revocation %d: B still accepts the session after 1s", i)
			}
			time.Sleep(100 * time.Microsecond)
		}
		lags = append(lags, time.Since(start))
	}
	slices.Sort(lags)
	p50, p99, worst := lags[n/2], lags[n*99/100], lags[n-1]
	t.Logf("revocation through A refused by B after: p50 %v, p99 %v, max %v (%d revocations)", p50, p99, worst, n)
	if p99 > revocationBound {
		t.Fatalf("p99 revocation lag %v, want at most %v", p99, revocationBound)
	}
	if worst > revocationBound+schedulerSlack {
		t.Fatalf("max revocation lag %v, want at most %v", worst, revocationBound+schedulerSlack)
	}
}

// TestRedisCachedDisconnect: when B's connections die, the invalidations
// they would have carried are lost; B must drop its copies, not serve them.
func TestRedisCachedDisconnect(t *testing.T) {
	a, b, _, _, admin := cachedPair(t)
	ctx := context.Background()
	rec := cachedOnB(t, a, b)
	if err := admin.Do(ctx, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Err(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := a.Revoke(ctx, rec.ID, session.ReasonRevoked); err != nil {
		t.Fatal(err)
	}
	waitRefused(t, b, rec.ID, start, session.ErrRevoked)
}

// TestRedisCachedOutage: with the server gone, cached copies stop being
// served: the store fails closed within the revocation bound.
func TestRedisCachedOutage(t *testing.T) {
	a, b, _, srv, _ := cachedPair(t)
	rec := cachedOnB(t, a, b)
	start := time.Now()
	srv.Stop()
	waitRefused(t, b, rec.ID, start, session.ErrUnavailable)
}

// cachedOnB creates a session through a and reads it twice through b, so
// that b holds it in its client-side cache.
func cachedOnB(t *testing.T, a, b session.Store) session.Record {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	rec, err := a.Create(ctx, newRecord(t, "u", now, time.Hour), now.Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := b.Touch(ctx, rec.ID, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	return rec
}

// waitRefused polls s until it refuses id with want, failing when that
// takes longer than the revocation bound.
func waitRefused(t *testing.T, s session.Store, id string, start time.Time, want error) {
	t.Helper()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		_, err := s.Touch(ctx, id, time.Now().Add(time.Hour))
		cancel()
		if errors.Is(err, want) {
			t.Logf("refused after %v: %v", time.Since(start), err)
			if lag := time.Since(start); lag > revocationBound+schedulerSlack {
				t.Fatalf("refused only after %v, want within %v", lag, revocationBound+schedulerSlack)
			}
			return
		}
		if err != nil && !errors.Is(err, session.ErrUnavailable) {
			t.Fatalf("Touch = %v, want %v", err, want)
		}
		if time.Since(start) > 2*time.Second {
			t.Fatalf("session still accepted %v after it should have been refused", time.Since(start))
		}
		time.Sleep(time.Millisecond)
	}
}

// TestRedisRESP2NotCached: without RESP3 there is no tracking, so go-redis
// must not cache, and every Touch goes to the server.
func TestRedisRESP2NotCached(t *testing.T) {
	srv := redistest.Server(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: 2, ContextTimeoutEnabled: true, ClientSideCacheConfig: session.CacheConfig(0)})
	t.Cleanup(func() { _ = c.Close() })
	s, err := session.NewRedis(c, session.RedisConfig{Prefix: redistest.Prefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	admin := srv.Client(t)
	ctx := context.Background()
	now := time.Now()
	rec, err := s.Create(ctx, newRecord(t, "u", now, time.Hour), now.Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	const n = 100
	before := redistest.CommandCalls(t, admin)
	for range n {
		if _, err := s.Touch(ctx, rec.ID, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if got := redistest.CommandCalls(t, admin) - before; got != n {
		t.Fatalf("%d touches on RESP2 ran %d server commands, want %d (one GET each)", n, got, n)
	}
}

// TestRedisLazySlide: the idle expiry is written only once less than half
// of the idle window is left, and then once per half window.
func TestRedisLazySlide(t *testing.T) {
	srv := redistest.Server(t)
	c := srv.Client(t)
	s, err := session.NewRedis(c, session.RedisConfig{Prefix: redistest.Prefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	admin := srv.Client(t)
	ctx := context.Background()
	const idle = 1200 * time.Millisecond
	created := time.Now()
	rec, err := s.Create(ctx, newRecord(t, "u", created, time.Hour), created.Add(idle), 0)
	if err != nil {
		t.Fatal(err)
	}
	// Counting the SETs the slide script runs, not the scripts: a script's
	// first EVALSHA fails with NOSCRIPT and is counted too.
	evals := func() int64 { return redistest.CommandCalls(t, admin, "set") }
	before := evals()
	touchFor := func(d time.Duration) {
		for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
			if _, err := s.Touch(ctx, rec.ID, time.Now().Add(idle)); err != nil {
				t.Fatal(err)
			}
		}
	}
	touchFor(idle / 2 * 8 / 10) // well within the first half
	if got := evals() - before; got != 0 {
		t.Fatalf("%d slide writes while more than half the idle window was left, want 0", got)
	}
	time.Sleep(time.Until(created.Add(idle/2 + 50*time.Millisecond)))
	touchFor(idle / 4) // the first touch slides, the rest find it fresh
	if got := evals() - before; got != 1 {
		t.Fatalf("%d slide writes in the second half of the idle window, want exactly 1", got)
	}
}

// TestRedisCachedOwnWrites: a store refuses a session at once after ending
// it itself, although the invalidation of its cached copy is still on its
// way (the same instance must never serve a session it just revoked).
func TestRedisCachedOwnWrites(t *testing.T) {
	srv := redistest.Server(t)
	s, err := session.NewRedis(redistest.CachingClient(t, srv.Addr(), session.CacheConfig(0)), session.RedisConfig{Prefix: redistest.Prefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ends := map[string]func(rec session.Record) error{
		"Revoke": func(rec session.Record) error { return s.Revoke(ctx, rec.ID, session.ReasonRevoked) },
		"RevokeUser": func(rec session.Record) error {
			_, err := s.RevokeUser(ctx, rec.UserID, session.ReasonRevoked)
			return err
		},
		"Create past the limit": func(rec session.Record) error {
			_, err := s.Create(ctx, newRecord(t, rec.UserID, time.Now(), time.Hour), time.Now().Add(time.Hour), 1)
			return err
		},
	}
	for name, end := range ends {
		for i := range 200 {
			now := time.Now()
			rec, err := s.Create(ctx, newRecord(t, "own"+strconv.Itoa(i), now, time.Hour), now.Add(time.Hour), 0)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if _, err := s.Touch(ctx, rec.ID, time.Now().Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			if err := end(rec); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Touch(ctx, rec.ID, time.Now().Add(time.Hour)); !errors.Is(err, session.ErrRevoked) {
				t.Fatalf("%s #%d: Touch right after = %v, want revoked", name, i, err)
			}
		}
	}
}
