package auth_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/auth/session"
	"github.com/portico-go/portico/auth/token"
)

type observed struct {
	mu     sync.Mutex
	logins []string
	calls  []string
}

func (o *observed) LoginOutcome(reason string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.logins = append(o.logins, reason)
}

func (o *observed) StoreCall(op string, d time.Duration, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if d < 0 {
		op += "(negative duration)"
	}
	o.calls = append(o.calls, fmt.Sprintf("%s:%v", op, err != nil))
}

// failing wraps a store and fails every call once broken is set.
type failing struct {
	session.Store
	broken bool
}

func (f *failing) Create(ctx context.Context, rec session.Record, idle time.Time, limit int) (session.Record, error) {
	if f.broken {
		return session.Record{}, fmt.Errorf("dial: %w", session.ErrUnavailable)
	}
	return f.Store.Create(ctx, rec, idle, limit)
}

func (f *failing) Touch(ctx context.Context, id string, idle time.Time) (session.Record, error) {
	if f.broken {
		return session.Record{}, fmt.Errorf("dial: %w", session.ErrUnavailable)
	}
	return f.Store.Touch(ctx, id, idle)
}

func TestObserver(t *testing.T) {
	obs := &observed{}
	mem := session.NewMemory(session.MemoryConfig{})
	defer mem.Close()
	store := &failing{Store: mem}
	m, err := auth.New(auth.Config{
		Issuer: "portico", Audience: "portico-api", ActiveKey: "k1",
		Keys:  []token.Key{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}},
		Store: store, Observer: obs,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pair, err := m.Login(ctx, auth.Principal{ID: "u1"}, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Authenticate(ctx, pair.AccessToken, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Refresh(ctx, pair.RefreshToken, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	// A session that is gone is an answer, not a store failure.
	if err := m.Logout(ctx, "no-such-session"); err != nil {
		t.Fatal(err)
	}
	if err := m.LogoutAll(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Authenticate(ctx, pair.AccessToken, "192.0.2.1"); auth.ReasonOf(err) != auth.ReasonRevoked {
		t.Fatalf("after LogoutAll: %v", err)
	}
	m.ReportLoginFailure(auth.ReasonBadCredentials)
	if _, err := m.Login(ctx, auth.Principal{ID: ""}, ""); err == nil {
		t.Fatal("empty user id accepted")
	}
	store.broken = true
	if _, err := m.Login(ctx, auth.Principal{ID: "u2"}, ""); auth.ReasonOf(err) != auth.ReasonStoreUnavailable {
		t.Fatalf("broken store: %v", err)
	}
	if _, _, err := m.Authenticate(ctx, pair.AccessToken, "192.0.2.1"); auth.ReasonOf(err) != auth.ReasonStoreUnavailable {
		t.Fatalf("broken store: %v", err)
	}

	wantLogins := []string{"success", "bad_credentials", "error", "store_unavailable"}
	wantCalls := []string{"create:false", "touch:false", "rotate:false", "revoke:false", "revoke_user:false",
		"touch:false", "create:true", "touch:true"}
	if !slices.Equal(obs.logins, wantLogins) {
		t.Errorf("logins %v, want %v", obs.logins, wantLogins)
	}
	if !slices.Equal(obs.calls, wantCalls) {
		t.Errorf("store calls %v, want %v", obs.calls, wantCalls)
	}
}

// Without an Observer nothing is reported and nothing breaks.
func TestNoObserver(t *testing.T) {
	m, err := auth.New(auth.Config{Issuer: "i", Audience: "a", ActiveKey: "k1",
		Keys: []token.Key{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	m.ReportLoginFailure(auth.ReasonBadCredentials)
	if _, err := m.Login(context.Background(), auth.Principal{ID: "u"}, ""); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}
