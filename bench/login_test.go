package bench

import (
	"context"
	"errors"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/redis/go-redis/v9"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/auth/session"
	"github.com/portico-go/portico/auth/token"
	"github.com/portico-go/portico/bench/internal/fixture"
)

// benchClaims mirrors the claims Portico's tokens carry, so the plain
// golang-jwt baseline decodes the same JSON into the same shape.
type benchClaims struct {
	jwt.RegisteredClaims
	Type          string `json:"typ"`
	SessionID     string `json:"sid"`
	Name          string `json:"name,omitempty"`
	SessionExpiry int64  `json:"sxp"`
}

// issueToken returns a Portico access token valid for the benchmark.
func issueToken(tb testing.TB) string {
	svc, err := token.New(fixture.TokenConfig(0))
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Now()
	tok, err := svc.Issue(token.Claims{
		Subject: "1", Name: "admin", SessionID: "bench-session-0123456789",
		IssuedAt: now, ExpiresAt: now.Add(15 * time.Minute), SessionDeadline: now.Add(24 * time.Hour),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// BenchmarkJWT is the token stage alone: golang-jwt's ParseWithClaims with
// the same checks Portico asks for (HS256 only, issuer, audience, exp
// required, iat, a kid lookup), against token.Service.Parse without and
// with its verified-token cache.
func BenchmarkJWT(b *testing.B) {
	tok := issueToken(b)
	b.Run("impl=golang-jwt", func(b *testing.B) {
		keys := map[string][]byte{fixture.KeyID: fixture.Secret}
		p := jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithIssuer(fixture.Issuer), jwt.WithAudience(fixture.Audience),
			jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(token.DefaultLeeway),
		)
		keyFunc := func(t *jwt.Token) (any, error) {
			kid, _ := t.Header["kid"].(string)
			if k, ok := keys[kid]; ok {
				return k, nil
			}
			return nil, errors.New("unknown kid")
		}
		b.ReportAllocs()
		for b.Loop() {
			var c benchClaims
			if _, err := p.ParseWithClaims(tok, &c, keyFunc); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, v := range []struct {
		name  string
		cache int
	}{{"portico-nocache", 0}, {"portico-cache", 1024}} {
		b.Run("impl="+v.name, func(b *testing.B) {
			svc, err := token.New(fixture.TokenConfig(v.cache))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := svc.Parse(tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// loginTarget is a protected app and a request that passes its check.
type loginTarget struct {
	h     http.Handler
	token string
	trips *fixture.RoundTrips // nil without Redis
	admin *redis.Client       // reads the server's command statistics; nil without Redis
}

// benchRedis returns a client for REDIS_ADDR with a round-trip counter
// (with go-redis's client-side cache when cached), and a plain client for
// the server's statistics; or skips: CI runs the suite without a Redis.
func benchRedis(tb testing.TB, cached bool) (*redis.Client, *fixture.RoundTrips, *redis.Client) {
	addr := os.Getenv(fixture.RedisAddrEnv)
	if addr == "" {
		tb.Skip("REDIS_ADDR not set; run.sh starts a redis-server")
	}
	ctx := context.Background()
	connect := fixture.Redis
	if cached {
		connect = fixture.CachingRedis
	}
	trips := &fixture.RoundTrips{}
	c, err := connect(ctx, addr, trips)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	admin, err := fixture.Redis(ctx, addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Close() })
	return c, trips, admin
}

// redisPortico is the Portico app on a Redis session store.
func redisPortico(tb testing.TB, cached bool) loginTarget {
	c, trips, admin := benchRedis(tb, cached)
	store, err := session.NewRedis(c, session.RedisConfig{Prefix: fixture.KeyPrefix()})
	if err != nil {
		tb.Fatal(err)
	}
	m, err := fixture.NewManager(store)
	if err != nil {
		tb.Fatal(err)
	}
	lt := porticoTarget(tb, m, trips)
	lt.admin = admin
	return lt
}

var loginImpls = []struct {
	name  string
	build func(tb testing.TB) loginTarget
}{
	{"store=memory/impl=portico", func(tb testing.TB) loginTarget {
		m, err := fixture.NewManager(nil)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { m.Close() })
		return porticoTarget(tb, m, nil)
	}},
	{"store=redis/impl=portico", func(tb testing.TB) loginTarget { return redisPortico(tb, false) }},
	{"store=redis-cached/impl=portico", func(tb testing.TB) loginTarget { return redisPortico(tb, true) }},
	{"store=redis/impl=seed-gin", func(tb testing.TB) loginTarget {
		c, trips, admin := benchRedis(tb, false)
		prefix := fixture.KeyPrefix()
		tok, err := fixture.SeedIssue(context.Background(), c, prefix)
		if err != nil {
			tb.Fatal(err)
		}
		return loginTarget{h: fixture.SeedBookApp(c, prefix), token: tok, trips: trips, admin: admin}
	}},
}

// porticoTarget is the book app behind Portico's login interceptor, with a
// session already logged in.
func porticoTarget(tb testing.TB, m *auth.Manager, trips *fixture.RoundTrips) loginTarget {
	tb.Helper()
	d, err := fixture.PorticoBookApp(m)
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := fixture.Login(context.Background(), m)
	if err != nil {
		tb.Fatal(err)
	}
	return loginTarget{h: d, token: tok, trips: trips}
}

// count starts counting Redis work; the returned func reports it per
// request, as seen by the client (socket writes) and by the server (INFO
// commandstats, so commands run inside scripts count too).
func (lt loginTarget) count(b *testing.B) func() {
	if lt.trips == nil {
		return func() {}
	}
	ctx := context.Background()
	trips := lt.trips.Load()
	cmds, err := fixture.ServerCommands(ctx, lt.admin)
	if err != nil {
		b.Fatal(err)
	}
	return func() {
		after, err := fixture.ServerCommands(ctx, lt.admin)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(lt.trips.Load()-trips)/float64(b.N), "roundtrips/op")
		b.ReportMetric(float64(after-cmds)/float64(b.N), "servercmds/op")
	}
}

func (lt loginTarget) request() *http.Request {
	r := newReqs("GET", "/book/42").rs[0]
	r.Header.Set("Authorization", "Bearer "+lt.token)
	return r
}

func TestLoginTargetsAnswer(t *testing.T) {
	for _, impl := range loginImpls {
		t.Run(impl.name, func(t *testing.T) {
			lt := impl.build(t)
			w := newWriter()
			lt.h.ServeHTTP(w, lt.request())
			if w.status != http.StatusOK {
				t.Fatalf("status %d", w.status)
			}
			bad := lt.request()
			bad.Header.Set("Authorization", "Bearer x"+lt.token)
			w = newWriter()
			lt.h.ServeHTTP(w, bad)
			if w.status != http.StatusUnauthorized {
				t.Fatalf("tampered token: status %d, want 401", w.status)
			}
		})
	}
}

// BenchmarkLogin is one authenticated request to the protected route,
// one at a time: with Redis, its latency is mostly round trips.
func BenchmarkLogin(b *testing.B) {
	for _, impl := range loginImpls {
		b.Run(impl.name, func(b *testing.B) {
			lt := impl.build(b)
			r := lt.request()
			w := newWriter()
			done := lt.count(b)
			b.ReportAllocs()
			for b.Loop() {
				w.status = 0
				lt.h.ServeHTTP(w, r)
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
			done()
		})
	}
}

// BenchmarkLoginParallel is the same under concurrency (64 goroutines on
// two cores), where throughput is bounded by Redis round trips and CPU.
func BenchmarkLoginParallel(b *testing.B) {
	for _, impl := range loginImpls {
		b.Run(impl.name, func(b *testing.B) {
			lt := impl.build(b)
			done := lt.count(b)
			b.SetParallelism(32)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				r := lt.request()
				w := newWriter()
				for pb.Next() {
					w.status = 0
					lt.h.ServeHTTP(w, r)
					if w.status != http.StatusOK {
						b.Errorf("status %d", w.status)
						return
					}
				}
			})
			done()
		})
	}
}
