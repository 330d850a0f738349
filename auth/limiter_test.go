package auth

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/portico-go/portico/internal/clocktest"
	"github.com/portico-go/portico/internal/redistest"
)

// limiterCase makes a limiter for one subtest, with a way to let its
// window pass.
type limiterCase struct {
	window time.Duration
	make   func(t *testing.T, cfg LimiterConfig) (l LoginLimiter, wait func())
}

// small thresholds keep the suite short: 2 per user and address, 4 per
// user, 6 per address.
func smallConfig(window time.Duration) LimiterConfig {
	return LimiterConfig{MaxFailures: 2, MaxUserFailures: 4, MaxAddressFailures: 6, Window: window}
}

func runLimiterSuite(t *testing.T, lc limiterCase) {
	ctx := context.Background()
	fail := func(t *testing.T, l LoginLimiter, user, ip string, n int) {
		t.Helper()
		for range n {
			if err := l.Failure(ctx, user, ip); err != nil {
				t.Fatalf("Failure: %v", err)
			}
		}
	}
	allowed := func(t *testing.T, l LoginLimiter, user, ip string, want bool) {
		t.Helper()
		err := l.Allow(ctx, user, ip)
		switch {
		case want && err != nil:
			t.Fatalf("Allow(%s, %s) = %v, want allowed", user, ip, err)
		case !want && ReasonOf(err) != ReasonTooManyRequests:
			t.Fatalf("Allow(%s, %s) = %v, want too_many_requests", user, ip, err)
		case !want:
			e := err.(*Error)
			if e.RetryAfter <= 0 || e.RetryAfter > lc.window || e.HTTPStatus() != 429 {
				t.Fatalf("refusal with RetryAfter %v and status %d, want (0, %v] and 429", e.RetryAfter, e.HTTPStatus(), lc.window)
			}
		}
	}
	t.Run("PairBlocksOnlyThePair", func(t *testing.T) {
		l, wait := lc.make(t, smallConfig(lc.window))
		fail(t, l, "alice", "192.0.2.1", 2)
		allowed(t, l, "alice", "192.0.2.1", false)
		allowed(t, l, "ALICE", "192.0.2.1", false) // case does not help
		// The NAT case: a colleague behind the same address, and alice
		// from home, are not locked out by alice's typos.
		allowed(t, l, "bob", "192.0.2.1", true)
		allowed(t, l, "alice", "198.51.100.1", true)
		wait()
		allowed(t, l, "alice", "192.0.2.1", true)
	})
	t.Run("UserFromManyAddresses", func(t *testing.T) {
		l, _ := lc.make(t, smallConfig(lc.window))
		for i := range 4 {
			fail(t, l, "carol", "203.0.113."+strconv.Itoa(i), 1)
		}
		allowed(t, l, "carol", "203.0.113.99", false)
		allowed(t, l, "dave", "203.0.113.0", true)
	})
	t.Run("AddressWithManyNames", func(t *testing.T) {
		l, _ := lc.make(t, smallConfig(lc.window))
		for i := range 6 {
			fail(t, l, "user"+strconv.Itoa(i), "192.0.2.50", 1)
		}
		allowed(t, l, "erin", "192.0.2.50", false)
		allowed(t, l, "erin", "192.0.2.51", true)
	})
	t.Run("SuccessResetsUserNotAddress", func(t *testing.T) {
		l, _ := lc.make(t, smallConfig(lc.window))
		fail(t, l, "frank", "192.0.2.60", 2)
		for i := range 4 {
			fail(t, l, "x"+strconv.Itoa(i), "192.0.2.60", 1)
		}
		if err := l.Success(ctx, "frank", "192.0.2.60"); err != nil {
			t.Fatal(err)
		}
		allowed(t, l, "frank", "192.0.2.61", true)
		allowed(t, l, "grace", "192.0.2.60", false) // 6 failures from the address
	})
}

func TestLimiter(t *testing.T) {
	runLimiterSuite(t, limiterCase{
		window: time.Minute,
		make: func(t *testing.T, cfg LimiterConfig) (LoginLimiter, func()) {
			clk := clocktest.New()
			cfg.Now = clk.Now
			return NewLimiter(cfg), func() { clk.Advance(cfg.Window) }
		},
	})
}

func TestRedisLimiter(t *testing.T) {
	c := redistest.Client(t)
	runLimiterSuite(t, redisLimiterCase(t, c))
}

func TestRedisLimiterCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node Redis Cluster")
	}
	c := redistest.Cluster(t)
	runLimiterSuite(t, redisLimiterCase(t, c))
}

func redisLimiterCase(t *testing.T, c redis.UniversalClient) limiterCase {
	const window = 400 * time.Millisecond
	return limiterCase{
		window: window,
		make: func(t *testing.T, cfg LimiterConfig) (LoginLimiter, func()) {
			cfg.Prefix = redistest.Prefix(t)
			l, err := NewRedisLimiter(c, cfg)
			if err != nil {
				t.Fatal(err)
			}
			return l, func() { time.Sleep(window + 50*time.Millisecond) }
		},
	}
}

// TestRedisLimiterShared: failures counted by one instance block attempts
// on another.
func TestRedisLimiterShared(t *testing.T) {
	addrs := redistest.Addrs(t)
	cfg := LimiterConfig{Prefix: redistest.Prefix(t)}
	a, err := NewRedisLimiter(redistest.Connect(t, addrs), cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewRedisLimiter(redistest.Connect(t, addrs), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range DefaultMaxFailures {
		l := []LoginLimiter{a, b}[i%2]
		if err := l.Allow(ctx, "alice", "192.0.2.1"); err != nil {
			t.Fatalf("attempt %d refused: %v", i, err)
		}
		if err := l.Failure(ctx, "alice", "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
	}
	for name, l := range map[string]LoginLimiter{"a": a, "b": b} {
		if ReasonOf(l.Allow(ctx, "alice", "192.0.2.1")) != ReasonTooManyRequests {
			t.Errorf("instance %s allows a guess past the shared limit", name)
		}
	}
}

// TestRedisLimiterOutage: with Redis down every call is store_unavailable
// (503), never permission.
func TestRedisLimiterOutage(t *testing.T) {
	srv := redistest.Server(t)
	l, err := NewRedisLimiter(srv.Client(t), LimiterConfig{Prefix: redistest.Prefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	for name, err := range map[string]error{
		"Allow":   l.Allow(ctx, "alice", "192.0.2.1"),
		"Failure": l.Failure(ctx, "alice", "192.0.2.1"),
		"Success": l.Success(ctx, "alice", "192.0.2.1"),
	} {
		if ReasonOf(err) != ReasonStoreUnavailable || err.(*Error).HTTPStatus() != 503 {
			t.Errorf("%s with Redis down = %v, want store_unavailable (503)", name, err)
		}
	}
}

func TestRedisLimiterConfig(t *testing.T) {
	if _, err := NewRedisLimiter(nil, LimiterConfig{}); err == nil {
		t.Error("NewRedisLimiter accepted a nil client")
	}
	if _, err := NewRedisLimiter(redistest.Client(t), LimiterConfig{Prefix: "a{b}"}); err == nil {
		t.Error("NewRedisLimiter accepted a prefix with braces")
	}
}

func TestLimiterBounded(t *testing.T) {
	clk := clocktest.New()
	l := NewLimiter(LimiterConfig{MaxKeys: 100, Now: clk.Now})
	ctx := context.Background()
	for i := range 10_000 {
		_ = l.Failure(ctx, "user"+strconv.Itoa(i), "ip"+strconv.Itoa(i))
	}
	if n := l.len(); n > 300 {
		t.Fatalf("tracking %d keys, want at most 300", n)
	}
}
