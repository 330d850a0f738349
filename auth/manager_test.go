package auth_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portico-go/portico/internal/clocktest"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/auth/session"
	"github.com/portico-go/portico/auth/token"
	"github.com/portico-go/portico/internal/redistest"
	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
)

var testKeys = []token.Key{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}}

func baseConfig() auth.Config {
	return auth.Config{Issuer: "portico", Audience: "portico-api", Keys: testKeys, ActiveKey: "k1"}
}

func newManager(t testing.TB, cfg auth.Config) *auth.Manager {
	t.Helper()
	m, err := auth.New(cfg)
	if err != nil {
		t.Fatalf("auth.New: %v", err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

// memManager is a Manager on a memory store driven by a fake clock.
func memManager(t testing.TB, edit func(*auth.Config)) (*auth.Manager, *clocktest.Clock) {
	t.Helper()
	clk := clocktest.New()
	cfg := baseConfig()
	cfg.Now = clk.Now
	if edit != nil {
		edit(&cfg)
	}
	return newManager(t, cfg), clk
}

// redisManager is a Manager on the test Redis with the real clock.
func redisManager(t testing.TB, c redis.UniversalClient, prefix string, edit func(*auth.Config)) *auth.Manager {
	t.Helper()
	store, err := session.NewRedis(c, session.RedisConfig{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	cfg := baseConfig()
	cfg.Store = store
	if edit != nil {
		edit(&cfg)
	}
	return newManager(t, cfg)
}

var alice = auth.Principal{ID: "u1", Name: "alice"}

func login(t testing.TB, m *auth.Manager, p auth.Principal, ip string) auth.TokenPair {
	t.Helper()
	pair, err := m.Login(context.Background(), p, ip)
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	return pair
}

func authOK(t testing.TB, m *auth.Manager, access, ip string) (*auth.Identity, string) {
	t.Helper()
	id, renewed, err := m.Authenticate(context.Background(), access, ip)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	return id, renewed
}

func wantReason(t testing.TB, err error, want auth.Reason) {
	t.Helper()
	var ae *auth.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an *auth.Error, want reason %s", err, want)
	}
	if ae.Reason != want {
		t.Fatalf("reason %s (%v), want %s", ae.Reason, err, want)
	}
}

func TestLoginAuthenticate(t *testing.T) {
	m, clk := memManager(t, nil)
	pair := login(t, m, alice, "192.0.2.1")
	if pair.TokenType != "Bearer" || pair.ExpiresIn != int64(auth.DefaultAccessTTL/time.Second) || pair.AccessToken == "" || pair.RefreshToken == "" {
		t.Fatalf("Login = %+v", pair)
	}
	id, renewed := authOK(t, m, pair.AccessToken, "192.0.2.1")
	if id.UserID != "u1" || id.Name != "alice" || id.SessionID == "" || renewed != "" ||
		!id.ExpiresAt.Equal(clk.Now().Add(auth.DefaultAccessTTL)) || !id.SessionDeadline.Equal(clk.Now().Add(auth.DefaultRefreshTTL)) {
		t.Fatalf("Authenticate = %+v, renewed %q", id, renewed)
	}
	if !strings.HasPrefix(pair.RefreshToken, id.SessionID+".") {
		t.Fatalf("refresh token does not name session %s", id.SessionID)
	}
}

// TestReasons produces every token and session reason through the Manager.
func TestReasons(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		cfg  func(*auth.Config)
		run  func(t *testing.T, m *auth.Manager, clk *clocktest.Clock) error
		want auth.Reason
	}{
		{"missing access token", nil, func(t *testing.T, m *auth.Manager, _ *clocktest.Clock) error {
			_, _, err := m.Authenticate(ctx, "", "")
			return err
		}, auth.ReasonMissingToken},
		{"missing refresh token", nil, func(t *testing.T, m *auth.Manager, _ *clocktest.Clock) error {
			_, err := m.Refresh(ctx, "", "")
			return err
		}, auth.ReasonMissingToken},
		{"garbage", nil, func(t *testing.T, m *auth.Manager, _ *clocktest.Clock) error {
			_, _, err := m.Authenticate(ctx, "not.a.jwt", "")
			return err
		}, auth.ReasonInvalidToken},
		{"refresh token as access token", nil, func(t *testing.T, m *auth.Manager, _ *clocktest.Clock) error {
			_, _, err := m.Authenticate(ctx, login(t, m, alice, "").RefreshToken, "")
			return err
		}, auth.ReasonInvalidToken},
		{"access token as refresh token", nil, func(t *testing.T, m *auth.Manager, _ *clocktest.Clock) error {
			_, err := m.Refresh(ctx, login(t, m, alice, "").AccessToken, "")
			return err
		}, auth.ReasonInvalidToken},
		{"forged refresh secret", nil, func(t *testing.T, m *auth.Manager, _ *clocktest.Clock) error {
			rt := login(t, m, alice, "").RefreshToken
			sid, _, _ := strings.Cut(rt, ".")
			_, err := m.Refresh(ctx, sid+"."+strings.Repeat("A", 43), "")
			// The session ID is in every access token, so a wrong secret
			// proves nothing and must not log the user out.
			return err
		}, auth.ReasonInvalidToken},
		{"other address with BindIP", func(c *auth.Config) { c.BindIP = true }, func(t *testing.T, m *auth.Manager, _ *clocktest.Clock) error {
			_, _, err := m.Authenticate(ctx, login(t, m, alice, "192.0.2.1").AccessToken, "192.0.2.2")
			return err
		}, auth.ReasonInvalidToken},
		{"access token expired", nil, func(t *testing.T, m *auth.Manager, clk *clocktest.Clock) error {
			pair := login(t, m, alice, "")
			clk.Advance(auth.DefaultAccessTTL + token.DefaultLeeway)
			_, _, err := m.Authenticate(ctx, pair.AccessToken, "")
			return err
		}, auth.ReasonExpired},
		{"session idle", func(c *auth.Config) { c.IdleTimeout = 10 * time.Minute }, func(t *testing.T, m *auth.Manager, clk *clocktest.Clock) error {
			pair := login(t, m, alice, "")
			clk.Advance(11 * time.Minute) // the access token (15m) is still good
			_, _, err := m.Authenticate(ctx, pair.AccessToken, "")
			return err
		}, auth.ReasonExpired},
		{"refresh after idle timeout", nil, func(t *testing.T, m *auth.Manager, clk *clocktest.Clock) error {
			pair := login(t, m, alice, "")
			clk.Advance(auth.DefaultIdleTimeout)
			_, err := m.Refresh(ctx, pair.RefreshToken, "")
			return err
		}, auth.ReasonExpired},
		{"logout", nil, func(t *testing.T, m *auth.Manager, _ *clocktest.Clock) error {
			pair := login(t, m, alice, "")
			id, _ := authOK(t, m, pair.AccessToken, "")
			if err := m.Logout(ctx, id.SessionID); err != nil {
				t.Fatal(err)
			}
			_, _, err := m.Authenticate(ctx, pair.AccessToken, "")
			return err
		}, auth.ReasonRevoked},
		{"refresh after logout", nil, func(t *testing.T, m *auth.Manager, _ *clocktest.Clock) error {
			pair := login(t, m, alice, "")
			id, _ := authOK(t, m, pair.AccessToken, "")
			if err := m.Logout(ctx, id.SessionID); err != nil {
				t.Fatal(err)
			}
			_, err := m.Refresh(ctx, pair.RefreshToken, "")
			return err
		}, auth.ReasonRevoked},
		{"logout everywhere", nil, func(t *testing.T, m *auth.Manager, _ *clocktest.Clock) error {
			a, b := login(t, m, alice, ""), login(t, m, alice, "")
			if err := m.LogoutAll(ctx, alice.ID); err != nil {
				t.Fatal(err)
			}
			if _, _, err := m.Authenticate(ctx, a.AccessToken, ""); auth.ReasonOf(err) != auth.ReasonRevoked {
				t.Fatalf("first session: %v", err)
			}
			_, _, err := m.Authenticate(ctx, b.AccessToken, "")
			return err
		}, auth.ReasonRevoked},
		{"kicked out", nil, func(t *testing.T, m *auth.Manager, _ *clocktest.Clock) error {
			pair := login(t, m, alice, "")
			bob := login(t, m, auth.Principal{ID: "u2"}, "")
			if err := m.Kickout(ctx, alice.ID); err != nil {
				t.Fatal(err)
			}
			authOK(t, m, bob.AccessToken, "")
			_, _, err := m.Authenticate(ctx, pair.AccessToken, "")
			return err
		}, auth.ReasonKickedOut},
		{"replaced by a newer login", func(c *auth.Config) { c.MaxSessionsPerUser = 1 }, func(t *testing.T, m *auth.Manager, clk *clocktest.Clock) error {
			old := login(t, m, alice, "")
			clk.Advance(time.Second)
			newer := login(t, m, alice, "")
			authOK(t, m, newer.AccessToken, "")
			_, _, err := m.Authenticate(ctx, old.AccessToken, "")
			return err
		}, auth.ReasonReplaced},
		{"store down", func(c *auth.Config) { c.Store = brokenStore{errors.New("connection refused")} }, func(t *testing.T, m *auth.Manager, _ *clocktest.Clock) error {
			_, err := m.Login(ctx, alice, "")
			return err
		}, auth.ReasonStoreUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, clk := memManager(t, tt.cfg)
			err := tt.run(t, m, clk)
			wantReason(t, err, tt.want)
		})
	}
}

// brokenStore fails every call with err, which is deliberately not wrapped
// in session.ErrUnavailable: unknown store errors must fail closed too.
type brokenStore struct{ err error }

func (b brokenStore) Create(context.Context, session.Record, time.Time, int) (session.Record, error) {
	return session.Record{}, b.err
}
func (b brokenStore) Touch(context.Context, string, time.Time) (session.Record, error) {
	return session.Record{}, b.err
}
func (b brokenStore) Rotate(context.Context, string, string, string, time.Time, time.Duration) (session.Record, error) {
	return session.Record{}, b.err
}
func (b brokenStore) Revoke(context.Context, string, session.Reason) error { return b.err }
func (b brokenStore) RevokeUser(context.Context, string, session.Reason) (int, error) {
	return 0, b.err
}

func TestStoreFailureFailsClosed(t *testing.T) {
	// A store that worked for Login and then fails must not let a valid
	// token through.
	mem := session.NewMemory(session.MemoryConfig{CleanupInterval: -1})
	flaky := &switchStore{Store: mem}
	cfg := baseConfig()
	cfg.Store = flaky
	m := newManager(t, cfg)
	pair := login(t, m, alice, "")
	flaky.broken.Store(true)
	_, _, err := m.Authenticate(context.Background(), pair.AccessToken, "")
	wantReason(t, err, auth.ReasonStoreUnavailable)
	var ae *auth.Error
	if errors.As(err, &ae); ae.HTTPStatus() != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", ae.HTTPStatus())
	}
	flaky.broken.Store(false)
	authOK(t, m, pair.AccessToken, "")
}

type switchStore struct {
	session.Store
	broken atomic.Bool
}

func (s *switchStore) Touch(ctx context.Context, id string, until time.Time) (session.Record, error) {
	if s.broken.Load() {
		return session.Record{}, context.DeadlineExceeded
	}
	return s.Store.Touch(ctx, id, until)
}

func TestHTTPStatus(t *testing.T) {
	tests := []struct {
		reason auth.Reason
		want   int
	}{
		{auth.ReasonMissingToken, 401}, {auth.ReasonInvalidToken, 401}, {auth.ReasonExpired, 401},
		{auth.ReasonRevoked, 401}, {auth.ReasonReplaced, 401}, {auth.ReasonKickedOut, 401},
		{auth.ReasonBadCredentials, 401}, {auth.ReasonForbidden, 403},
		{auth.ReasonTooManyRequests, 429}, {auth.ReasonStoreUnavailable, 503},
	}
	for _, tt := range tests {
		err := error(&auth.Error{Reason: tt.reason, Err: errors.New("detail")})
		wrapped := errors.Join(errors.New("context"), err)
		var ae *auth.Error
		if !errors.As(wrapped, &ae) || ae.HTTPStatus() != tt.want || auth.ReasonOf(wrapped) != tt.reason {
			t.Errorf("%s: status %d, want %d", tt.reason, ae.HTTPStatus(), tt.want)
		}
	}
	if auth.ReasonOf(errors.New("plain")) != "" {
		t.Error("ReasonOf(plain error) is not empty")
	}
}

func TestRenewal(t *testing.T) {
	m, clk := memManager(t, nil)
	pair := login(t, m, alice, "")
	clk.Advance(auth.DefaultAccessTTL - auth.DefaultRenewBefore - time.Second)
	if _, renewed := authOK(t, m, pair.AccessToken, ""); renewed != "" {
		t.Fatal("renewed a token with more than RenewBefore left")
	}
	clk.Advance(2 * time.Second)
	id, renewed := authOK(t, m, pair.AccessToken, "")
	if renewed == "" {
		t.Fatal("no renewal with less than RenewBefore left")
	}
	clk.Advance(auth.DefaultRenewBefore + token.DefaultLeeway) // the old token is now past exp and leeway
	if _, _, err := m.Authenticate(context.Background(), pair.AccessToken, ""); auth.ReasonOf(err) != auth.ReasonExpired {
		t.Fatalf("old token: %v, want expired", err)
	}
	id2, _ := authOK(t, m, renewed, "")
	if id2.SessionID != id.SessionID {
		t.Fatal("renewal changed the session")
	}
}

// TestSlidingAndHardExpiry keeps a session busy until its hard deadline:
// activity slides the idle timeout, but never past RefreshTTL.
func TestSlidingAndHardExpiry(t *testing.T) {
	m, clk := memManager(t, func(c *auth.Config) { c.RefreshTTL = 2 * time.Hour })
	pair := login(t, m, alice, "")
	access := pair.AccessToken
	start := clk.Now()
	// Every 4 minutes: inside the idle timeout, and often enough to land in
	// each token's renewal window.
	for clk.Now().Before(start.Add(2*time.Hour - 4*time.Minute)) {
		clk.Advance(4 * time.Minute)
		_, renewed := authOK(t, m, access, "")
		if renewed != "" {
			access = renewed
		}
	}
	// Near the end the renewed token's expiry is cut at the deadline; at
	// the deadline everything is over, leeway or not.
	clk.Advance(4 * time.Minute)
	if _, _, err := m.Authenticate(context.Background(), access, ""); auth.ReasonOf(err) != auth.ReasonExpired {
		t.Fatalf("at the hard deadline: %v, want expired", err)
	}
	if _, err := m.Refresh(context.Background(), pair.RefreshToken, ""); auth.ReasonOf(err) != auth.ReasonExpired {
		t.Fatalf("refresh at the hard deadline: %v, want expired", err)
	}
}

// refreshOnce logs alice in and refreshes once, checking that both tokens
// rotated and that the new access token works.
func refreshOnce(t testing.TB, m *auth.Manager) (first, second auth.TokenPair) {
	t.Helper()
	first = login(t, m, alice, "")
	second, err := m.Refresh(context.Background(), first.RefreshToken, "")
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	if second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Fatal("Refresh did not rotate both tokens")
	}
	authOK(t, m, second.AccessToken, "")
	return first, second
}

// wantReused replays a rotated-away refresh token and checks it is refused
// as reuse: reason revoked, wrapping session.ErrReused.
func wantReused(t testing.TB, m *auth.Manager, refreshToken string) {
	t.Helper()
	_, err := m.Refresh(context.Background(), refreshToken, "")
	wantReason(t, err, auth.ReasonRevoked)
	if !errors.Is(err, session.ErrReused) {
		t.Fatalf("reuse error %v does not wrap session.ErrReused", err)
	}
}

// refreshReuse checks the three answers to a refresh token that is not
// the current one: a made-up secret is invalid_token and ends nothing; the
// token rotated away a moment ago is refresh_in_progress and ends nothing;
// after wait() has let the reuse grace pass, it is reuse and ends the
// session.
func refreshReuse(t *testing.T, m *auth.Manager, wait func()) {
	t.Helper()
	ctx := context.Background()
	first, second := refreshOnce(t, m)
	sid, _, _ := strings.Cut(first.RefreshToken, ".")
	_, err := m.Refresh(ctx, sid+"."+strings.Repeat("A", 43), "")
	wantReason(t, err, auth.ReasonInvalidToken)
	authOK(t, m, second.AccessToken, "")
	_, err = m.Refresh(ctx, first.RefreshToken, "")
	wantReason(t, err, auth.ReasonRefreshInProgress)
	if st := auth.ReasonOf(err).HTTPStatus(); st != 409 {
		t.Fatalf("refresh_in_progress maps to HTTP %d, want 409", st)
	}
	authOK(t, m, second.AccessToken, "")
	wait()
	third, err := m.Refresh(ctx, second.RefreshToken, "")
	if err != nil {
		t.Fatalf("Refresh with the current token: %v", err)
	}
	// Replaying the first refresh token after the grace reveals a copy: the
	// family dies.
	wantReused(t, m, first.RefreshToken)
	for name, access := range map[string]string{"second": second.AccessToken, "third": third.AccessToken} {
		_, _, err := m.Authenticate(ctx, access, "")
		if auth.ReasonOf(err) != auth.ReasonRevoked {
			t.Errorf("%s access token after reuse: %v, want revoked", name, err)
		}
	}
	_, err = m.Refresh(ctx, third.RefreshToken, "")
	wantReason(t, err, auth.ReasonRevoked)
}

func TestRefreshReuseMemory(t *testing.T) {
	m, clk := memManager(t, nil)
	refreshReuse(t, m, func() { clk.Advance(auth.DefaultReuseGrace) })
}

func TestRefreshReuseRedis(t *testing.T) {
	const grace = 300 * time.Millisecond
	m := redisManager(t, redistest.Client(t), redistest.Prefix(t), func(c *auth.Config) { c.ReuseGrace = grace })
	refreshReuse(t, m, func() { time.Sleep(grace) })
}

func TestRefreshBindIP(t *testing.T) {
	ctx := context.Background()
	m, _ := memManager(t, func(c *auth.Config) { c.BindIP = true })
	pair := login(t, m, alice, "192.0.2.1")
	_, err := m.Refresh(ctx, pair.RefreshToken, "198.51.100.9")
	wantReason(t, err, auth.ReasonInvalidToken)
	// The stolen refresh token took the session down with it.
	_, _, err = m.Authenticate(ctx, pair.AccessToken, "192.0.2.1")
	wantReason(t, err, auth.ReasonRevoked)
}

func TestRefreshRaceMemory(t *testing.T) {
	m, _ := memManager(t, nil)
	refreshRace(t, m, auth.ReasonRefreshInProgress)
	m, _ = memManager(t, func(c *auth.Config) { c.ReuseGrace = -1 })
	refreshRace(t, m, auth.ReasonRevoked)
}

func TestRefreshRaceRedis(t *testing.T) {
	c, prefix := redistest.Client(t), redistest.Prefix(t)
	refreshRace(t, redisManager(t, c, prefix, nil), auth.ReasonRefreshInProgress)
	refreshRace(t, redisManager(t, c, prefix, func(c *auth.Config) { c.ReuseGrace = -1 }), auth.ReasonRevoked)
}

// refreshRace fires 50 refreshes of one token at once: exactly one wins.
// Within the reuse grace the others are told a refresh is in progress and
// the session lives on; without a grace they present a token that has just
// been rotated away, and the session ends.
func refreshRace(t *testing.T, m *auth.Manager, loser auth.Reason) {
	const n = 50
	pair := login(t, m, alice, "")
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make([]error, n)
		wins  = make([]auth.TokenPair, n)
	)
	for i := range n {
		wg.Go(func() {
			<-start
			wins[i], errs[i] = m.Refresh(context.Background(), pair.RefreshToken, "")
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch r := auth.ReasonOf(err); {
		case err == nil:
			won++
			if wins[i].AccessToken == "" {
				t.Fatal("winner got no token")
			}
		case r != loser:
			t.Fatalf("loser: %v, want %s", err, loser)
		}
	}
	if won != 1 {
		t.Fatalf("%d refreshes won, want exactly 1", won)
	}
	for _, w := range wins {
		if w.AccessToken == "" {
			continue
		}
		_, _, err := m.Authenticate(context.Background(), w.AccessToken, "")
		if loser == auth.ReasonRevoked {
			wantReason(t, err, auth.ReasonRevoked)
		} else if err != nil {
			t.Fatalf("winner's access token after a raced refresh: %v", err)
		}
	}
}

func TestTwoManagersShareRedis(t *testing.T) {
	// Two clients, as two processes would have.
	addrs := redistest.Addrs(t)
	prefix := redistest.Prefix(t)
	a := redisManager(t, redistest.Connect(t, addrs), prefix, nil)
	b := redisManager(t, redistest.Connect(t, addrs), prefix, nil)
	ctx := context.Background()
	pair := login(t, a, alice, "")
	id, _ := authOK(t, b, pair.AccessToken, "")
	if err := a.Logout(ctx, id.SessionID); err != nil {
		t.Fatal(err)
	}
	_, _, err := b.Authenticate(ctx, pair.AccessToken, "")
	wantReason(t, err, auth.ReasonRevoked)

	// And the other way round, through a refresh made on b.
	pair = login(t, b, alice, "")
	next, err := b.Refresh(ctx, pair.RefreshToken, "")
	if err != nil {
		t.Fatal(err)
	}
	authOK(t, a, next.AccessToken, "")
	if err := b.Kickout(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = a.Authenticate(ctx, next.AccessToken, "")
	wantReason(t, err, auth.ReasonKickedOut)
}

func TestRedisOutage(t *testing.T) {
	srv := redistest.Server(t)
	m := redisManager(t, srv.Client(t), redistest.Prefix(t), func(c *auth.Config) { c.StoreTimeout = 300 * time.Millisecond })
	ctx := context.Background()
	pair := login(t, m, alice, "")
	id, _ := authOK(t, m, pair.AccessToken, "")
	srv.Stop()
	_, _, err := m.Authenticate(ctx, pair.AccessToken, "")
	wantReason(t, err, auth.ReasonStoreUnavailable)
	if !errors.Is(err, session.ErrUnavailable) {
		t.Fatalf("%v does not wrap session.ErrUnavailable", err)
	}
	for name, err := range map[string]error{
		"Login":     func() error { _, err := m.Login(ctx, alice, ""); return err }(),
		"Refresh":   func() error { _, err := m.Refresh(ctx, pair.RefreshToken, ""); return err }(),
		"Logout":    m.Logout(ctx, id.SessionID),
		"LogoutAll": m.LogoutAll(ctx, alice.ID),
		"Kickout":   m.Kickout(ctx, alice.ID),
	} {
		if auth.ReasonOf(err) != auth.ReasonStoreUnavailable {
			t.Errorf("%s with Redis down: %v, want store_unavailable", name, err)
		}
	}
	srv.Start()
	// Same client, same Manager: it recovers by itself. The restarted
	// server has no data, so the old session is simply gone.
	_, _, err = m.Authenticate(ctx, pair.AccessToken, "")
	wantReason(t, err, auth.ReasonExpired)
	authOK(t, m, login(t, m, alice, "").AccessToken, "")
}

func TestSlowRedis(t *testing.T) {
	srv := redistest.Server(t)
	m := redisManager(t, srv.Client(t), redistest.Prefix(t), func(c *auth.Config) { c.StoreTimeout = 100 * time.Millisecond })
	admin := srv.Client(t)
	ctx := context.Background()
	pair := login(t, m, alice, "")
	authOK(t, m, pair.AccessToken, "")
	// A server that stops answering must fail requests, not hold them or
	// let them pass. Pausing every client for far longer than the store
	// timeout simulates it; the pause ends by itself.
	const pause = time.Second
	if err := admin.Do(ctx, "CLIENT", "PAUSE", pause.Milliseconds(), "ALL").Err(); err != nil {
		t.Fatal(err)
	}
	paused := time.Now()
	_, _, err := m.Authenticate(ctx, pair.AccessToken, "")
	wantReason(t, err, auth.ReasonStoreUnavailable)
	time.Sleep(time.Until(paused.Add(pause + 100*time.Millisecond)))
	authOK(t, m, pair.AccessToken, "")
}

// commandCounter is a go-redis hook counting commands sent to Redis.
type commandCounter struct{ n atomic.Int64 }

func (c *commandCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *commandCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *commandCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1) // one round trip, however many commands
		return next(ctx, cmds)
	}
}

func TestAuthenticateIsOneRoundTrip(t *testing.T) {
	c := redistest.Client(t)
	counter := &commandCounter{}
	c.AddHook(counter)
	m := redisManager(t, c, redistest.Prefix(t), nil)
	pair := login(t, m, alice, "")
	for i := range 3 { // cold and warm token cache alike
		before := counter.n.Load()
		authOK(t, m, pair.AccessToken, "")
		if got := counter.n.Load() - before; got != 1 {
			t.Fatalf("Authenticate #%d made %d Redis round trips, want 1", i, got)
		}
	}
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		edit func(*auth.Config)
	}{
		{"short secret", func(c *auth.Config) { c.Keys = []token.Key{{ID: "k1", Secret: []byte("short")}} }},
		{"renew before >= access ttl", func(c *auth.Config) { c.RenewBefore = c.AccessTTL }},
		{"refresh shorter than access", func(c *auth.Config) {
			c.RefreshTTL = time.Minute
			c.AccessTTL = 10 * time.Minute
			c.RenewBefore = time.Minute
		}},
		{"negative idle", func(c *auth.Config) { c.IdleTimeout = -time.Second }},
		{"negative session limit", func(c *auth.Config) { c.MaxSessionsPerUser = -1 }},
		{"no issuer", func(c *auth.Config) { c.Issuer = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig()
			cfg.AccessTTL = 15 * time.Minute
			tt.edit(&cfg)
			if m, err := auth.New(cfg); err == nil {
				m.Close()
				t.Fatal("New accepted the config")
			}
		})
	}
	cfg := baseConfig()
	cfg.Keys = []token.Key{{ID: "k1", Secret: []byte("short")}}
	if _, err := auth.New(cfg); err == nil || !strings.Contains(err.Error(), `"k1"`) {
		t.Fatalf("short-secret error %v does not name the key", err)
	}
}

func TestLoginRejectsBadUserID(t *testing.T) {
	m, _ := memManager(t, nil)
	for _, id := range []string{"", strings.Repeat("x", 257)} {
		if _, err := m.Login(context.Background(), auth.Principal{ID: id}, ""); err == nil {
			t.Errorf("Login accepted user id of %d bytes", len(id))
		}
	}
}

func TestCloseStopsOwnedStore(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	m, err := auth.New(baseConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
}

// The in-process store needs no timeout context, and a cached token needs
// no decoding: an authenticated request costs the Identity and nothing else.
func TestAuthenticateAllocations(t *testing.T) {
	m, _ := memManager(t, nil)
	pair := login(t, m, auth.Principal{ID: "7", Name: "ada"}, "192.0.2.1")
	ctx := context.Background()
	authOK(t, m, pair.AccessToken, "192.0.2.1") // warm the token cache
	allocs := testing.AllocsPerRun(100, func() {
		if _, _, err := m.Authenticate(ctx, pair.AccessToken, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("Authenticate allocates %v times per call, want at most 1", allocs)
	}
}

// TestAuthenticateCachedIsLocal: on a client with go-redis's client-side
// cache, a hot authenticated request runs no command on the server, and a
// logout through another instance still ends it there.
func TestAuthenticateCachedIsLocal(t *testing.T) {
	srv := redistest.Server(t)
	prefix := redistest.Prefix(t)
	a := redisManager(t, redistest.CachingClient(t, srv.Addr(), session.CacheConfig(0)), prefix, nil)
	b := redisManager(t, redistest.CachingClient(t, srv.Addr(), session.CacheConfig(0)), prefix, nil)
	admin := srv.Client(t)
	pair := login(t, a, alice, "")
	id, _ := authOK(t, b, pair.AccessToken, "") // fills b's cache
	const n = 1000
	before := redistest.CommandCalls(t, admin)
	for range n {
		authOK(t, b, pair.AccessToken, "")
	}
	if got := redistest.CommandCalls(t, admin) - before; got > n/100 {
		t.Fatalf("%d hot requests ran %d commands on the server, want ~0", n, got)
	}
	if err := a.Logout(context.Background(), id.SessionID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(100 * time.Millisecond)
	for {
		_, _, err := b.Authenticate(context.Background(), pair.AccessToken, "")
		if auth.ReasonOf(err) == auth.ReasonRevoked {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("100 ms after a logout elsewhere: %v, want revoked", err)
		}
		time.Sleep(time.Millisecond)
	}
}
