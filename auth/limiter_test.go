package auth

import (
	"strconv"
	"testing"

	"github.com/portico-go/portico/internal/clocktest"
)

func TestLimiter(t *testing.T) {
	ctx := t.Context()
	clk := clocktest.New()
	l := NewLimiter(LimiterConfig{Now: clk.Now})
	for i := range DefaultMaxFailures {
		if err := l.Allow(ctx, "alice", "192.0.2.1"); err != nil {
			t.Fatalf("attempt %d refused: %v", i, err)
		}
		l.Failure(ctx, "alice", "192.0.2.1")
	}
	err := l.Allow(ctx, "alice", "192.0.2.1")
	if ReasonOf(err) != ReasonTooManyRequests {
		t.Fatalf("after %d failures: %v, want too_many_requests", DefaultMaxFailures, err)
	}
	if e := err.(*Error); e.RetryAfter != DefaultWindow || e.HTTPStatus() != 429 {
		t.Fatalf("RetryAfter %v status %d", e.RetryAfter, e.HTTPStatus())
	}
	// Both keys are blocked on their own: the name from anywhere, the
	// address for any name, and case does not help.
	for _, tc := range []struct{ user, ip string }{{"alice", "198.51.100.1"}, {"ALICE", "198.51.100.1"}, {"bob", "192.0.2.1"}} {
		if ReasonOf(l.Allow(ctx, tc.user, tc.ip)) != ReasonTooManyRequests {
			t.Errorf("Allow(%s, %s) not blocked", tc.user, tc.ip)
		}
	}
	if err := l.Allow(ctx, "bob", "198.51.100.1"); err != nil {
		t.Fatalf("unrelated attempt blocked: %v", err)
	}
	clk.Advance(DefaultWindow)
	if err := l.Allow(ctx, "alice", "192.0.2.1"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestLimiterSuccessResetsUserOnly(t *testing.T) {
	ctx := t.Context()
	clk := clocktest.New()
	l := NewLimiter(LimiterConfig{MaxFailures: 2, Now: clk.Now})
	l.Failure(ctx, "alice", "192.0.2.1")
	l.Failure(ctx, "alice", "192.0.2.1")
	l.Success(ctx, "alice", "192.0.2.1")
	if err := l.Allow(ctx, "alice", "198.51.100.1"); err != nil {
		t.Fatalf("name still blocked after success: %v", err)
	}
	if ReasonOf(l.Allow(ctx, "carol", "192.0.2.1")) != ReasonTooManyRequests {
		t.Fatal("a success reset the address counter")
	}
}

func TestLimiterBounded(t *testing.T) {
	ctx := t.Context()
	clk := clocktest.New()
	l := NewLimiter(LimiterConfig{MaxKeys: 100, Now: clk.Now})
	for i := range 10_000 {
		l.Failure(ctx, "user"+strconv.Itoa(i), "ip"+strconv.Itoa(i))
	}
	if n := l.len(); n > 200 {
		t.Fatalf("tracking %d keys, want at most 200", n)
	}
}
