package redistest_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/portico-go/portico/internal/redistest"
	"github.com/redis/go-redis/v9"
)

func TestClient(t *testing.T) {
	c := redistest.Client(t)
	ctx := context.Background()
	key := redistest.Prefix(t) + "k"
	if err := c.Set(ctx, key, "v", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	if got, err := c.Get(ctx, key).Result(); err != nil || got != "v" {
		t.Fatalf("GET = %q, %v; want v", got, err)
	}
}

func TestServerStopStart(t *testing.T) {
	s := redistest.Server(t)
	c := s.Client(t)
	ctx := context.Background()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("ping: %v", err)
	}
	s.Stop()
	if err := c.Ping(ctx).Err(); err == nil || errors.Is(err, redis.Nil) {
		t.Fatalf("ping with server stopped = %v, want a connection error", err)
	}
	s.Start()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("ping after restart with the same client: %v", err)
	}
}

func TestCluster(t *testing.T) {
	c := redistest.Cluster(t)
	cc, ok := c.(*redis.ClusterClient)
	if !ok {
		t.Fatalf("Cluster returned %T, want *redis.ClusterClient", c)
	}
	ctx := context.Background()
	var (
		mu      sync.Mutex
		masters = map[string]bool{}
	)
	// ForEachMaster runs the callbacks concurrently.
	if err := cc.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error {
		mu.Lock()
		masters[n.Options().Addr] = true
		mu.Unlock()
		return n.Ping(ctx).Err()
	}); err != nil {
		t.Fatalf("ping masters: %v", err)
	}
	if os.Getenv(redistest.ClusterAddrEnv) == "" && len(masters) != 3 {
		t.Fatalf("masters %v, want 3", masters)
	}
	key := redistest.Prefix(t) + "k"
	if err := c.Set(ctx, key, "v", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	if got, err := c.Get(ctx, key).Result(); err != nil || got != "v" {
		t.Fatalf("GET = %q, %v; want v", got, err)
	}
}

// TestMiniredis runs the last-resort fallback on purpose: a key set with a
// TTL must expire in real time, as it would on a real server.
func TestMiniredis(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the miniredisd module; skipped under -short")
	}
	c := redistest.Connect(t, []string{redistest.Miniredis(t)})
	ctx := context.Background()
	key := redistest.Prefix(t) + "k"
	if err := c.Set(ctx, key, "v", 200*time.Millisecond).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	if got, err := c.Get(ctx, key).Result(); err != nil || got != "v" {
		t.Fatalf("GET = %q, %v; want v", got, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := c.Get(ctx, key).Err()
		if errors.Is(err, redis.Nil) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("key still there 5s after its 200ms TTL (GET err %v)", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCommandCalls(t *testing.T) {
	s := redistest.Server(t)
	c := s.Client(t)
	ctx := context.Background()
	key := redistest.Prefix(t) + "k"
	before, beforeGets := redistest.CommandCalls(t, c), redistest.CommandCalls(t, c, "get")
	for range 3 {
		if err := c.Get(ctx, key).Err(); !errors.Is(err, redis.Nil) {
			t.Fatalf("GET: %v", err)
		}
	}
	if err := c.Set(ctx, key, "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if got := redistest.CommandCalls(t, c) - before; got != 4 {
		t.Errorf("CommandCalls rose by %d after 3 GETs and a SET, want 4 (INFO not counted)", got)
	}
	if got := redistest.CommandCalls(t, c, "get") - beforeGets; got != 3 {
		t.Errorf(`CommandCalls(..., "get") rose by %d, want 3`, got)
	}
}

// TestCachingClient: a second GET of an unchanged key is answered from the
// client's cache; a change made through another client reaches it.
func TestCachingClient(t *testing.T) {
	s := redistest.Server(t)
	c := redistest.CachingClient(t, s.Addr(), &redis.ClientSideCacheConfig{MaxEntries: 10})
	other := s.Client(t)
	ctx := context.Background()
	key := redistest.Prefix(t) + "k"
	if err := other.Set(ctx, key, "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if got, err := c.Get(ctx, key).Result(); err != nil || got != "1" {
			t.Fatalf("GET = %q, %v", got, err)
		}
	}
	if hits := c.CSCStats().Hits; hits != 1 {
		t.Fatalf("%d cache hits after two GETs, want 1", hits)
	}
	if err := other.Set(ctx, key, "2", 0).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Second)
	for {
		got, err := c.Get(ctx, key).Result()
		if err == nil && got == "2" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET after a change elsewhere = %q, %v; want 2", got, err)
		}
		time.Sleep(time.Millisecond)
	}
}
