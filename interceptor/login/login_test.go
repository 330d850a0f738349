package login_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portico-go/portico/internal/clocktest"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/auth/token"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/interceptor/login"
)

// directory is an Authorizer that counts its lookups.
type directory struct {
	roles, perms map[string][]string
	fail         bool
	calls        atomic.Int32
}

func (d *directory) Roles(_ context.Context, id string) ([]string, error) {
	d.calls.Add(1)
	if d.fail {
		return nil, errors.New("directory down")
	}
	return d.roles[id], nil
}

func (d *directory) Permissions(_ context.Context, id string) ([]string, error) {
	d.calls.Add(1)
	if d.fail {
		return nil, errors.New("directory down")
	}
	return d.perms[id], nil
}

type fixture struct {
	d     *dispatcher.Dispatcher
	mgr   *auth.Manager
	clk   *clocktest.Clock
	dir   *directory
	admin auth.TokenPair
	read  auth.TokenPair
}

func newFixture(t *testing.T, opts ...login.Option) *fixture {
	t.Helper()
	clk := clocktest.New()
	mgr, err := auth.New(auth.Config{
		Issuer: "portico", Audience: "api", ActiveKey: "k1",
		Keys:        []token.Key{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}},
		AccessTTL:   10 * time.Minute,
		RenewBefore: 2 * time.Minute,
		IdleTimeout: 30 * time.Minute,
		Now:         clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mgr.Close() })
	dir := &directory{
		roles: map[string][]string{"1": {"admin"}, "2": {"reader"}},
		perms: map[string][]string{"1": {"book:*"}, "2": {"book:read"}},
	}
	li, err := login.New(mgr, append([]login.Option{login.WithAuthorizer(dir)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	d := dispatcher.New()
	me := func(w http.ResponseWriter, r *http.Request) {
		u, ok := login.CurrentUser(r.Context())
		if !ok {
			http.Error(w, "no user", 500)
			return
		}
		roles, _ := u.Roles(r.Context())
		io.WriteString(w, u.Name+":"+strings.Join(roles, ","))
	}
	ok := func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }
	must(t, d.GET("/me", me))
	must(t, d.GET("/user/login", ok))
	must(t, d.GET("/public", ok, dispatcher.WithMeta(login.Ignore(), login.RequireRoles(login.All, "admin"))))
	must(t, d.POST("/book", ok, dispatcher.WithMeta(login.RequirePermissions(login.All, "book:create"))))
	must(t, d.GET("/book/{id}", ok, dispatcher.WithMeta(login.RequirePermissions(login.Any, "book:read", "book:update"))))
	must(t, d.DELETE("/admin/{id}", ok, dispatcher.WithMeta(login.RequireRoles(login.Any, "admin", "root"), login.RequirePermissions(login.All, "book:delete"))))
	must(t, d.GET("/open", ok))
	d.Interceptors().AddInterceptor(li).AddPathPatterns("/**").ExcludePathPatterns("/user/login")
	f := &fixture{d: d, mgr: mgr, clk: clk, dir: dir}
	ctx := context.Background()
	if f.admin, err = mgr.Login(ctx, auth.Principal{ID: "1", Name: "admin"}, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if f.read, err = mgr.Login(ctx, auth.Principal{ID: "2", Name: "reader"}, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) do(method, path string, auth ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, nil)
	r.RemoteAddr = "192.0.2.1:1234"
	for _, a := range auth {
		r.Header.Add("Authorization", a)
	}
	w := httptest.NewRecorder()
	f.d.ServeHTTP(w, r)
	return w
}

type body struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Reason  string `json:"reason"`
}

func decode(t *testing.T, w *httptest.ResponseRecorder) body {
	t.Helper()
	var b body
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil {
		t.Fatalf("not JSON (%d): %q", w.Code, w.Body)
	}
	if b.Code != w.Code {
		t.Fatalf("code %d != status %d", b.Code, w.Code)
	}
	return b
}

func TestTokenExtraction(t *testing.T) {
	f := newFixture(t)
	tok := f.admin.AccessToken
	tests := []struct {
		name   string
		auth   []string
		status int
		reason string
	}{
		{"none", nil, 401, "missing_token"},
		{"empty", []string{""}, 401, "missing_token"},
		{"scheme only", []string{"Bearer"}, 401, "missing_token"},
		{"bearer lower", []string{"bearer " + tok}, 200, ""},
		{"bearer upper, spaces", []string{"BEARER   " + tok + "  "}, 200, ""},
		{"basic", []string{"Basic " + tok}, 401, "invalid_token"},
		{"two headers", []string{"Bearer " + tok, "Bearer " + tok}, 401, "invalid_token"},
		{"garbage", []string{"Bearer not.a.jwt"}, 401, "invalid_token"},
		{"truncated", []string{"Bearer " + tok[:len(tok)-5]}, 401, "invalid_token"},
		{"100k dots", []string{"Bearer " + strings.Repeat(".", 100_000)}, 401, "invalid_token"},
		{"huge header", []string{"Bearer " + strings.Repeat("a", login.MaxHeaderLen)}, 401, "invalid_token"},
		{"refresh as access", []string{"Bearer " + f.admin.RefreshToken}, 401, "invalid_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do("GET", "/me", tt.auth...)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.status == 200 {
				if w.Body.String() != "admin:admin" {
					t.Fatalf("body %q", w.Body)
				}
				return
			}
			if b := decode(t, w); b.Reason != tt.reason {
				t.Fatalf("reason %q, want %q", b.Reason, tt.reason)
			}
		})
	}
}

func TestSessionReasons(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	bearer := func(p auth.TokenPair) string { return "Bearer " + p.AccessToken }

	id, _, err := f.mgr.Authenticate(ctx, f.admin.AccessToken, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.mgr.Logout(ctx, id.SessionID); err != nil {
		t.Fatal(err)
	}
	if b := decode(t, f.do("GET", "/me", bearer(f.admin))); b.Reason != "revoked" {
		t.Errorf("after logout: %+v", b)
	}
	if err := f.mgr.Kickout(ctx, "2"); err != nil {
		t.Fatal(err)
	}
	if b := decode(t, f.do("GET", "/me", bearer(f.read))); b.Reason != "kicked_out" {
		t.Errorf("after kickout: %+v", b)
	}
	p, err := f.mgr.Login(ctx, auth.Principal{ID: "1", Name: "admin"}, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(31 * time.Minute)
	if b := decode(t, f.do("GET", "/me", bearer(p))); b.Reason != "expired" {
		t.Errorf("after idle timeout: %+v", b)
	}
}

func TestRenewalHeader(t *testing.T) {
	f := newFixture(t)
	w := f.do("GET", "/me", "Bearer "+f.admin.AccessToken)
	if w.Header().Get("New-Token") != "" {
		t.Fatal("fresh token renewed")
	}
	f.clk.Advance(9 * time.Minute)
	w = f.do("GET", "/me", "Bearer "+f.admin.AccessToken)
	nt := w.Header().Get("New-Token")
	if w.Code != 200 || nt == "" || nt == f.admin.AccessToken {
		t.Fatalf("near expiry: %d New-Token %q", w.Code, nt)
	}
	if !strings.Contains(w.Header().Get("Access-Control-Expose-Headers"), "New-Token") {
		t.Error("New-Token not exposed to browsers")
	}
	f.clk.Advance(2 * time.Minute)
	if w := f.do("GET", "/me", "Bearer "+nt); w.Code != 200 {
		t.Fatalf("renewed token refused: %d %s", w.Code, w.Body)
	}
}

func TestAuthorization(t *testing.T) {
	f := newFixture(t)
	admin, reader := "Bearer "+f.admin.AccessToken, "Bearer "+f.read.AccessToken
	tests := []struct {
		method, path, auth string
		status             int
	}{
		{"GET", "/public", "", 200},
		{"GET", "/user/login", "", 200},
		{"GET", "/open", "", 401},
		{"GET", "/open", reader, 200},
		{"POST", "/book", admin, 200},
		{"POST", "/book", reader, 403},
		{"GET", "/book/1", reader, 200},
		{"DELETE", "/admin/1", admin, 200},
		{"DELETE", "/admin/1", reader, 403},
	}
	for _, tt := range tests {
		var hdr []string
		if tt.auth != "" {
			hdr = append(hdr, tt.auth)
		}
		w := f.do(tt.method, tt.path, hdr...)
		if w.Code != tt.status {
			t.Errorf("%s %s: %d, want %d: %s", tt.method, tt.path, w.Code, tt.status, w.Body)
		}
		if w.Code == 403 {
			if b := decode(t, w); b.Reason != "forbidden" {
				t.Errorf("403 reason %q", b.Reason)
			}
		}
	}
	f.dir.calls.Store(0)
	f.do("DELETE", "/admin/1", admin)
	if n := f.dir.calls.Load(); n != 2 {
		t.Errorf("authorizer asked %d times for one request, want once for roles and once for permissions", n)
	}
	f.dir.fail = true
	if w := f.do("POST", "/book", admin); w.Code != 503 {
		t.Errorf("authorizer down: %d, want 503", w.Code)
	}
}

func TestRulesAndAnnotationMode(t *testing.T) {
	f := newFixture(t, login.OnlyAnnotated(), login.WithRules(login.Rule{
		Match:   []string{"/open"},
		Methods: []string{"GET"},
		Check: func(ctx context.Context, r *http.Request, u *login.User) error {
			if ok, err := u.HasRole(ctx, "admin"); err != nil || !ok {
				return login.Forbidden("admins only")
			}
			return nil
		},
	}))
	if w := f.do("GET", "/me", ""); w.Code != 500 {
		// /me has no metadata: annotation mode lets it through with no user.
		t.Errorf("unannotated route: %d", w.Code)
	}
	if w := f.do("GET", "/book/1"); w.Code != 401 {
		t.Errorf("annotated route without token: %d", w.Code)
	}
	if w := f.do("GET", "/open", "Bearer "+f.read.AccessToken); w.Code != 403 {
		t.Errorf("rule for reader: %d", w.Code)
	}
	if w := f.do("GET", "/open", "Bearer "+f.admin.AccessToken); w.Code != 200 {
		t.Errorf("rule for admin: %d", w.Code)
	}
	if _, err := login.New(f.mgr, login.WithRules(login.Rule{Match: []string{"/a/{x"}})); err == nil {
		t.Error("bad rule pattern accepted")
	}
}

// fake answers every Authenticate with a fixed error.
type fake struct{ err error }

func (f fake) Authenticate(context.Context, string, string) (*auth.Identity, string, error) {
	return nil, "", f.err
}

func TestEveryReason(t *testing.T) {
	for _, tt := range []struct {
		reason auth.Reason
		status int
	}{
		{auth.ReasonInvalidToken, 401}, {auth.ReasonExpired, 401}, {auth.ReasonRevoked, 401},
		{auth.ReasonReplaced, 401}, {auth.ReasonKickedOut, 401}, {auth.ReasonStoreUnavailable, 503},
	} {
		li, err := login.New(fake{&auth.Error{Reason: tt.reason, Err: errors.New("detail with secret")}})
		if err != nil {
			t.Fatal(err)
		}
		d := dispatcher.New()
		must(t, d.GET("/x", func(w http.ResponseWriter, r *http.Request) { t.Error("handler ran") }))
		d.Interceptors().AddInterceptor(li)
		r := httptest.NewRequest("GET", "/x", nil)
		r.Header.Set("Authorization", "Bearer abc")
		w := httptest.NewRecorder()
		d.ServeHTTP(w, r)
		b := decode(t, w)
		if w.Code != tt.status || b.Reason != string(tt.reason) || strings.Contains(w.Body.String(), "secret") {
			t.Errorf("%s: %d %s", tt.reason, w.Code, w.Body)
		}
	}
}

func TestPermissionMatches(t *testing.T) {
	for _, tt := range []struct {
		granted, want string
		ok            bool
	}{
		{"book:read", "book:read", true},
		{"book:read", "book:create", false},
		{"book:*", "book:create", true},
		{"book:*", "book:chapter:edit", true},
		{"book:*", "book", false},
		{"book:*", "bookshelf:read", false},
		{"*", "anything:at:all", true},
		{"book", "book:read", false},
		{"book:*:edit", "book:ch:edit", true},
		{"book:*:edit", "book:ch:read", false},
		{"", "book", false},
		{"book:*", "", false},
	} {
		if got := login.PermissionMatches(tt.granted, tt.want); got != tt.ok {
			t.Errorf("PermissionMatches(%q, %q) = %v", tt.granted, tt.want, got)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
