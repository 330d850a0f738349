package main

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/fx"
	"golang.org/x/crypto/bcrypt"

	"github.com/portico-go/portico/porticotest"
)

// The seeded users as the login establishes them (auth.Principal IDs are
// the users table's ids); their roles come from the app's own Authorizer.
var (
	asAdmin  = porticotest.User{ID: "1", Name: "admin"}
	asReader = porticotest.User{ID: "2", Name: "reader"}
)

// newKit runs the whole app in-process under porticotest, on a fresh
// database: requests go through its filters, firewall, interceptors and
// views exactly as on the wire, with no socket in between. Every JSON
// answer is checked against the envelope contract.
func newKit(t *testing.T, env map[string]string) *porticotest.Kit {
	t.Helper()
	kit, _ := appKit(t, env, []porticotest.Option{porticotest.AlwaysExpect(checkEnvelope)})
	return kit
}

// appKit runs the app under porticotest with env (on top of a fixed JWT
// secret) on a fresh database, with extra fx options; it returns the kit
// and the app's log, printed if the test fails.
func appKit(t *testing.T, env map[string]string, opts []porticotest.Option, extra ...fx.Option) (*porticotest.Kit, *syncBuffer) {
	t.Helper()
	full := map[string]string{envJWTSecret: testSecret}
	for k, v := range env {
		full[k] = v
	}
	cfg, err := parseConfig([]string{"-addr", "127.0.0.1:0", "-db", tempDB(t)}, mapEnv(full), io.Discard)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	cfg.passwordCost = bcrypt.MinCost
	cfg.traceOut = io.Discard
	logs := &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("app log:\n%s", logs)
		}
	})
	app := fx.Options(append([]fx.Option{newApp(cfg, slog.New(slog.NewTextHandler(logs, nil)))}, extra...)...)
	return porticotest.NewApp(t, app, opts...), logs
}

// checkEnvelope checks the contract of every JSON answer (docs/example-app.md):
// an object whose code is the HTTP status, with a data member, null on
// errors. newKit checks it on every response.
func checkEnvelope(t testing.TB, r *porticotest.Response) {
	t.Helper()
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		r.JSON("$.code", r.Code).JSONExists("$.data")
	}
}

// loginKit logs in through the real endpoint and returns the token pair,
// failing the test unless the pair is complete.
func loginKit(t *testing.T, kit *porticotest.Kit, user, password string) tokenPair {
	t.Helper()
	var p tokenPair
	kit.POST("/user/login").JSON(map[string]string{"username": user, "password": password}).Do().
		Status(http.StatusOK).
		JSON("$.data.tokenType", "Bearer").
		DecodeAt("$.data", &p)
	if p.AccessToken == "" || p.RefreshToken == "" || p.ExpiresIn <= 0 {
		t.Fatalf("login %s: incomplete token pair %+v", user, p)
	}
	return p
}

// TestAuthentication: every protected route refuses a request without a
// valid access token, with the reason the client acts on.
func TestAuthentication(t *testing.T) {
	t.Parallel()
	kit := newKit(t, nil)
	pair := loginKit(t, kit, "admin", "admin123")
	protected := []struct{ method, path string }{
		{"GET", "/api/user/info"}, {"GET", "/book/list"}, {"GET", "/book/1"}, {"POST", "/book"},
		{"PUT", "/book/1"}, {"DELETE", "/book/1"}, {"POST", "/user/logout"},
		{"POST", "/api/admin/users/reader/kickout"},
	}
	for _, p := range protected {
		kit.Perform(p.method, p.path).Do().Status(401).Reason("missing_token").JSON("$.code", 401).JSON("$.data", nil)
		kit.Perform(p.method, p.path).Bearer("not.a.token").Do().Status(401).Reason("invalid_token")
		kit.Perform(p.method, p.path).Bearer(pair.RefreshToken).Do().Status(401).Reason("invalid_token")
	}
	kit.GET("/book/list").Bearer(pair.AccessToken).Do().Status(200).NoHeader("New-Token")
	// Only top-level pages (/*.html) skip the login interceptor, so a
	// book id that merely ends in .html still needs a token.
	kit.GET("/book/{id}", "1.html").Do().Status(401).Reason("missing_token")
}

// TestUserInfo: the current user, acting as each seeded user.
func TestUserInfo(t *testing.T) {
	t.Parallel()
	kit := newKit(t, nil)
	for _, tt := range []struct {
		as   porticotest.User
		id   int
		role string
	}{{asAdmin, 1, "admin"}, {asReader, 2, "reader"}} {
		kit.GET("/api/user/info").As(tt.as).Do().
			Status(200).
			JSON("$.data.id", tt.id).
			JSON("$.data.username", tt.as.Name).
			JSON("$.data.roles", []string{tt.role})
	}
}

// TestBookWrites: create, update and delete with validation and role
// checks (admin writes, reader may not).
func TestBookWrites(t *testing.T) {
	t.Parallel()
	kit := newKit(t, nil)
	in := map[string]any{"title": "The Linux Programming Interface", "author": "Michael Kerrisk", "year": 2010, "isbn": "978-1593272203"}
	var kept Book
	kit.POST("/book").As(asAdmin).JSON(in).Do().
		Status(201).
		JSON("$.data.title", in["title"]).
		JSON("$.data.year", 2010).
		DecodeAt("$.data", &kept)
	kit.GET("/book/{id}", kept.ID).As(asReader).Do().Status(200).JSON("$.data.author", "Michael Kerrisk")

	for _, tt := range []struct {
		name  string
		body  any
		field string
	}{
		{"empty title", map[string]any{"title": "", "author": "x"}, "title"},
		{"blank title", map[string]any{"title": "   ", "author": "x"}, "title"},
		{"no title", map[string]any{"author": "x"}, "title"},
		{"no author", map[string]any{"title": "x"}, "author"},
		{"year too big", map[string]any{"title": "x", "author": "y", "year": 99999}, "year"},
		{"year not a number", map[string]any{"title": "x", "author": "y", "year": "1999"}, "year"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			kit.For(t).POST("/book").As(asAdmin).JSON(tt.body).Do().Status(400).JSON("$.errors[0].field", tt.field)
		})
	}
	kit.POST("/book").As(asReader).JSON(in).Do().Status(403).Reason("forbidden")

	upd := map[string]any{"title": "The Linux Programming Interface (2nd printing)", "author": "Michael Kerrisk", "year": 2010}
	// PUT replaces: no isbn given, none kept.
	kit.PUT("/book/{id}", kept.ID).As(asAdmin).JSON(upd).Do().Status(200).JSON("$.data.title", upd["title"]).JSONAbsent("$.data.isbn")
	kit.PUT("/book/{id}", kept.ID).As(asReader).JSON(upd).Do().Status(403).Reason("forbidden")
	kit.PUT("/book/{id}", 99999).As(asAdmin).JSON(upd).Do().Status(404)
	kit.PUT("/book/{id}", kept.ID).As(asAdmin).JSON(map[string]any{"title": "", "author": "x"}).Do().Status(400).FieldError("title", "")

	kit.DELETE("/book/{id}", kept.ID).As(asReader).Do().Status(403).Reason("forbidden")
	kit.DELETE("/book/{id}", kept.ID).As(asAdmin).Do().Status(200)
	kit.GET("/book/{id}", kept.ID).As(asAdmin).Do().Status(404)
	kit.DELETE("/book/{id}", kept.ID).As(asAdmin).Do().Status(404)
}

// TestIndexPage: the server-rendered page, its view and its model,
// including the attribute the modelTime interceptor adds in PostHandle.
func TestIndexPage(t *testing.T) {
	t.Parallel()
	kit := newKit(t, nil)
	kit.GET("/").Do().
		Status(200).
		ContentType("text/html").
		View("index").
		Model("title", "Home").
		ModelHas("bookCount").
		ModelHas(modelTimeKey).
		HasHeader("X-Content-Type-Options", "nosniff")
	kit.GET("/static/{*path}", "../main.go").Do().Status(400).Reason("rejected_path")
}
