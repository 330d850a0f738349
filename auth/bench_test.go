package auth_test

import (
	"context"
	"testing"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/internal/redistest"
)

func BenchmarkAuthenticate(b *testing.B) {
	b.Run("Memory", func(b *testing.B) {
		benchAuthenticate(b, newManager(b, baseConfig()))
	})
	b.Run("MemoryNoCache", func(b *testing.B) {
		cfg := baseConfig()
		cfg.TokenCacheSize = -1
		benchAuthenticate(b, newManager(b, cfg))
	})
	b.Run("Redis", func(b *testing.B) {
		c := redistest.Client(b)
		counter := &commandCounter{}
		c.AddHook(counter)
		m := redisManager(b, c, redistest.Prefix(b), nil)
		before := counter.n.Load()
		benchAuthenticate(b, m)
		// Includes the one Login; negligible over many iterations.
		b.ReportMetric(float64(counter.n.Load()-before)/float64(b.N), "roundtrips/op")
	})
	b.Run("RedisParallel", func(b *testing.B) {
		m := redisManager(b, redistest.Client(b), redistest.Prefix(b), nil)
		pair := login(b, m, alice, "")
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, _, err := m.Authenticate(context.Background(), pair.AccessToken, ""); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func benchAuthenticate(b *testing.B, m *auth.Manager) {
	pair := login(b, m, alice, "")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := m.Authenticate(ctx, pair.AccessToken, ""); err != nil {
			b.Fatal(err)
		}
	}
}
