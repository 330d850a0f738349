package loginapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"
	"golang.org/x/crypto/bcrypt"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/auth/loginapi"
	"github.com/portico-go/portico/auth/token"
	"github.com/portico-go/portico/client"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor/login"
	"github.com/portico-go/portico/registry"
)

// users is an Authenticator over a map, hashed at bcrypt's minimum cost
// to keep the tests fast.
type users map[string]loginapi.User

func (u users) FindUser(_ context.Context, name string) (loginapi.User, error) {
	if v, ok := u[name]; ok {
		return v, nil
	}
	return loginapi.User{}, loginapi.ErrUnknownUser
}

func newUsers(t testing.TB) users {
	t.Helper()
	h, err := auth.HashPassword("secret-1", bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return users{"alice": {ID: "1", Name: "alice", PasswordHash: h}}
}

func newManager(t testing.TB) *auth.Manager {
	t.Helper()
	m, err := auth.New(auth.Config{
		Issuer: "test", Audience: "test",
		Keys: []token.Key{{ID: "k", Secret: []byte(strings.Repeat("k", 32))}}, ActiveKey: "k",
		// No reuse grace: a replayed refresh token revokes at once, so the
		// round trip sees the client's ErrSessionExpired path.
		ReuseGrace: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// serve starts portico.Module with the login API (through its fx Module),
// the login interceptor on every path and one protected route, /me.
func serve(t *testing.T, opts ...fx.Option) string {
	t.Helper()
	var srv *portico.Server
	app := fxtest.New(t,
		portico.Module,
		loginapi.Module,
		fx.Supply(portico.Config{Addr: "127.0.0.1:0"}),
		fx.Provide(
			func() *auth.Manager { return newManager(t) },
			fx.Annotate(func() users { return newUsers(t) }, fx.As(new(loginapi.Authenticator))),
			func(m *auth.Manager) (*login.Interceptor, error) { return login.New(m) },
			portico.AsInterceptor(func(li *login.Interceptor) *registry.Registration {
				return registry.NewRegistration(li).AddPathPatterns("/**")
			}),
			portico.AsRegistrar(func() portico.Registrar {
				return portico.RegistrarFunc(func(d *dispatcher.Dispatcher) error {
					return d.GET("/me", handler.Typed(func(ctx context.Context, _ handler.Empty) (string, error) {
						u, _ := login.CurrentUser(ctx)
						return u.Name, nil
					}))
				})
			}),
		),
		fx.Options(opts...),
		fx.Populate(&srv),
	)
	app.RequireStart()
	t.Cleanup(app.RequireStop)
	return "http://" + srv.Addr()
}

// TestClientRoundTrip: the shipped client logs in, calls, refreshes and
// is logged out against the shipped endpoints: one token shape on both
// sides.
func TestClientRoundTrip(t *testing.T) {
	base := serve(t)
	ctx := t.Context()
	tokens, err := client.Login(ctx, nil, base+loginapi.DefaultLoginPath, "alice", "secret-1")
	if err != nil {
		t.Fatal(err)
	}
	if tokens.Access == "" || tokens.Refresh == "" {
		t.Fatalf("tokens %+v", tokens)
	}
	me := func(access string) int {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/me", nil)
		req.Header.Set("Authorization", "Bearer "+access)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := me(tokens.Access); got != 200 {
		t.Fatalf("/me with the login token: %d", got)
	}
	fresh, err := client.JSONRefresher(base+loginapi.DefaultRefreshPath).Refresh(ctx, http.DefaultClient, tokens)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Access == "" || fresh.Refresh == tokens.Refresh {
		t.Fatalf("refresh did not rotate: %+v", fresh)
	}
	if got := me(fresh.Access); got != 200 {
		t.Fatalf("/me with the refreshed token: %d", got)
	}
	// The old refresh token is spent: the client reports the session over.
	if _, err := client.JSONRefresher(base+loginapi.DefaultRefreshPath).Refresh(ctx, http.DefaultClient, tokens); !errors.Is(err, client.ErrSessionExpired) {
		t.Errorf("reused refresh token: %v", err)
	}
	// Logout ends the session; logout-all ends all of them.
	other, err := client.Login(ctx, nil, base+loginapi.DefaultLoginPath, "alice", "secret-1")
	if err != nil {
		t.Fatal(err)
	}
	third, err := client.Login(ctx, nil, base+loginapi.DefaultLoginPath, "alice", "secret-1")
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := post(t, base+loginapi.DefaultLogoutPath, "", other.Access); code != 200 {
		t.Fatalf("logout: %d", code)
	}
	if me(other.Access) != 401 || me(third.Access) != 200 {
		t.Fatal("logout ended the wrong sessions")
	}
	if code, _ := post(t, base+loginapi.DefaultLogoutAllPath, "", third.Access); code != 200 {
		t.Fatalf("logout-all: %d", code)
	}
	if me(third.Access) != 401 {
		t.Error("logout-all left a session alive")
	}
	if code, _ := post(t, base+loginapi.DefaultLogoutPath, "", ""); code != 401 {
		t.Errorf("logout without a token: %d", code)
	}
}

func post(t *testing.T, url, body, bearer string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(b, &m)
	if resp.StatusCode == 429 && resp.Header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}
	return resp.StatusCode, m
}

// TestTokenShape pins the JSON the endpoints answer with.
func TestTokenShape(t *testing.T) {
	base := serve(t)
	code, m := post(t, base+loginapi.DefaultLoginPath, `{"username":"alice","password":"secret-1"}`, "")
	if code != 200 || m["code"] != 200.0 || m["message"] != "ok" {
		t.Fatalf("%d %v", code, m)
	}
	data, _ := m["data"].(map[string]any)
	for _, k := range []string{"accessToken", "refreshToken", "tokenType", "expiresIn"} {
		if _, ok := data[k]; !ok {
			t.Errorf("data lacks %q: %v", k, data)
		}
	}
	if data["tokenType"] != "Bearer" || data["expiresIn"] != 900.0 {
		t.Errorf("data %v", data)
	}
}

// failing is a Sessions whose every call fails with err, standing in for
// a session store that is down or a refresh racing another.
type failing struct{ err error }

func (f failing) Login(context.Context, auth.Principal, string) (auth.TokenPair, error) {
	return auth.TokenPair{}, f.err
}
func (f failing) Refresh(context.Context, string, string) (auth.TokenPair, error) {
	return auth.TokenPair{}, f.err
}
func (f failing) Logout(context.Context, string) error    { return f.err }
func (f failing) LogoutAll(context.Context, string) error { return f.err }

// brokenLimiter cannot reach its store.
type brokenLimiter struct{}

func (brokenLimiter) Allow(context.Context, string, string) error {
	return errors.New("dial tcp: connection refused")
}
func (brokenLimiter) Failure(context.Context, string, string) error { return nil }
func (brokenLimiter) Success(context.Context, string, string) error { return nil }

// plain serves the API built with New (no fx) on a bare dispatcher.
func plain(t *testing.T, s loginapi.Sessions, l auth.LoginLimiter, cfg loginapi.Config) string {
	t.Helper()
	api, err := loginapi.New(s, newUsers(t), l, cfg)
	if err != nil {
		t.Fatal(err)
	}
	d := dispatcher.New()
	if err := api.RegisterRoutes(d); err != nil {
		t.Fatal(err)
	}
	if err := d.Build(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestErrors(t *testing.T) {
	good := `{"username":"alice","password":"secret-1"}`
	storeDown := &auth.Error{Reason: auth.ReasonStoreUnavailable, Err: errors.New("redis down")}
	inProgress := &auth.Error{Reason: "refresh_in_progress", Err: errors.New("another refresh holds the lock")}
	tests := []struct {
		name     string
		sessions loginapi.Sessions
		limiter  auth.LoginLimiter
		path     string
		body     string
		status   int
		reason   string
	}{
		{"malformed body", nil, nil, "/auth/login", `{"username":`, 400, ""},
		{"missing password", nil, nil, "/auth/login", `{"username":"alice"}`, 400, ""},
		{"password over bcrypt's limit", nil, nil, "/auth/login", `{"username":"alice","password":"` + strings.Repeat("p", 73) + `"}`, 400, ""},
		{"wrong password", nil, nil, "/auth/login", `{"username":"alice","password":"nope"}`, 401, "bad_credentials"},
		{"unknown user", nil, nil, "/auth/login", `{"username":"mallory","password":"secret-1"}`, 401, "bad_credentials"},
		{"good login", nil, nil, "/auth/login", good, 200, ""},
		{"limiter down", nil, brokenLimiter{}, "/auth/login", good, 503, "store_unavailable"},
		{"store down at login", failing{storeDown}, nil, "/auth/login", good, 503, "store_unavailable"},
		{"refresh without token", nil, nil, "/auth/refresh", `{}`, 401, "missing_token"},
		{"refresh with garbage", nil, nil, "/auth/refresh", `{"refreshToken":"garbage"}`, 401, "invalid_token"},
		{"refresh in progress", failing{inProgress}, nil, "/auth/refresh", `{"refreshToken":"x"}`, 409, "refresh_in_progress"},
		{"store down at refresh", failing{storeDown}, nil, "/auth/refresh", `{"refreshToken":"x"}`, 503, "store_unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.sessions
			if s == nil {
				s = newManager(t)
			}
			base := plain(t, s, tt.limiter, loginapi.Config{})
			code, m := post(t, base+tt.path, tt.body, "")
			if code != tt.status {
				t.Fatalf("status %d, want %d: %v", code, tt.status, m)
			}
			if tt.status >= 400 {
				if m["code"] != float64(tt.status) || m["message"] == "" {
					t.Errorf("not the framework's error shape: %v", m)
				}
				if tt.reason != "" && m["reason"] != tt.reason {
					t.Errorf("reason %v, want %s", m["reason"], tt.reason)
				}
			}
		})
	}
}

// TestLimited: failures, for unknown and known users alike, run into the
// limiter; once limited, even the right password gets 429 with
// Retry-After.
func TestLimited(t *testing.T) {
	base := plain(t, newManager(t), auth.NewLimiter(auth.LimiterConfig{MaxFailures: 2}), loginapi.Config{LoginPath: "/in"})
	for _, body := range []string{`{"username":"alice","password":"x"}`, `{"username":"alice","password":"y"}`} {
		if code, _ := post(t, base+"/in", body, ""); code != 401 {
			t.Fatalf("failure: %d", code)
		}
	}
	code, m := post(t, base+"/in", `{"username":"alice","password":"secret-1"}`, "")
	if code != 429 || m["reason"] != "too_many_requests" {
		t.Fatalf("limited: %d %v", code, m)
	}
	if code, _ := post(t, base+"/auth/login", `{}`, ""); code != 404 && code != 405 {
		t.Errorf("default path still served after configuring LoginPath: %d", code)
	}
}

// outcomes is an auth.Observer recording login outcomes.
type outcomes struct{ got []string }

func (o *outcomes) LoginOutcome(reason string)             { o.got = append(o.got, reason) }
func (o *outcomes) StoreCall(string, time.Duration, error) {}

// TestLoginOutcomes: refusals decided before Manager.Login (bad
// credentials, the limiter) reach the manager's Observer too, so metrics
// count every outcome of the login endpoint.
func TestLoginOutcomes(t *testing.T) {
	obs := &outcomes{}
	m, err := auth.New(auth.Config{
		Issuer: "test", Audience: "test",
		Keys: []token.Key{{ID: "k", Secret: []byte(strings.Repeat("k", 32))}}, ActiveKey: "k",
		Observer: obs,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	base := plain(t, m, auth.NewLimiter(auth.LimiterConfig{MaxFailures: 2}), loginapi.Config{})
	for _, tt := range []struct {
		body string
		code int
	}{
		{`{"username":"alice","password":"secret-1"}`, 200},
		{`{"username":"nobody","password":"x"}`, 401},
		{`{"username":"alice","password":"x"}`, 401},
		{`{"username":"alice","password":"y"}`, 401},
		{`{"username":"alice","password":"secret-1"}`, 429}, // alice's two failures from this address
	} {
		if code, m := post(t, base+"/auth/login", tt.body, ""); code != tt.code {
			t.Fatalf("%s: %d %v, want %d", tt.body, code, m, tt.code)
		}
	}
	want := []string{auth.LoginSucceeded, "bad_credentials", "bad_credentials", "bad_credentials", "too_many_requests"}
	if strings.Join(obs.got, ",") != strings.Join(want, ",") {
		t.Errorf("outcomes %q, want %q", obs.got, want)
	}
}

// TestDummyHashChecked: an unknown user whose password happens to match
// the dummy hash is still refused.
func TestDummyHashChecked(t *testing.T) {
	dummy, err := auth.HashPassword("letmein", bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	base := plain(t, newManager(t), nil, loginapi.Config{DummyHash: dummy})
	if code, _ := post(t, base+"/auth/login", `{"username":"nobody","password":"letmein"}`, ""); code != 401 {
		t.Errorf("unknown user with the dummy's password: %d", code)
	}
}

// BenchmarkLogin compares a failed login for an unknown user with one for a
// known user and a wrong password: with the dummy hash at the real hashes'
// cost they should take the same time. Run with -benchtime=20x; the limiter
// is off (a huge MaxFailures) so every attempt reaches bcrypt.
func BenchmarkLogin(b *testing.B) {
	h, err := auth.HashPassword("secret-1", 0) // bcrypt.DefaultCost, as DummyHash
	if err != nil {
		b.Fatal(err)
	}
	u := users{"alice": {ID: "1", Name: "alice", PasswordHash: h}}
	api, err := loginapi.New(newManager(b), u, auth.NewLimiter(auth.LimiterConfig{MaxFailures: 1 << 30}), loginapi.Config{})
	if err != nil {
		b.Fatal(err)
	}
	d := dispatcher.New()
	if err := api.RegisterRoutes(d); err != nil {
		b.Fatal(err)
	}
	if err := d.Build(); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, body string }{
		{"unknown-user", `{"username":"mallory","password":"nope"}`},
		{"wrong-password", `{"username":"alice","password":"nope"}`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				r := httptest.NewRequest("POST", "/auth/login", strings.NewReader(bc.body))
				r.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				d.ServeHTTP(w, r)
				if w.Code != 401 {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
