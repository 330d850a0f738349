package main

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portico-go/portico/internal/redistest"
)

// backend is a session store to run the contract against.
type backend struct {
	name string
	// env returns the app environment for the store and, when the test owns
	// the Redis server, the server so it can be stopped (else nil).
	env func(t *testing.T) (map[string]string, *redistest.Instance)
}

func backends() []backend {
	return []backend{
		{"memory", func(*testing.T) (map[string]string, *redistest.Instance) { return map[string]string{}, nil }},
		{"redis", redisEnv},
	}
}

// redisEnv points the app at REDIS_ADDR if set, else at a private
// redis-server (redistest.Server skips the test when there is none). Each
// test gets its own key prefix.
func redisEnv(t *testing.T) (map[string]string, *redistest.Instance) {
	prefix := redistest.Prefix(t)
	if addr := os.Getenv(redistest.AddrEnv); addr != "" {
		return map[string]string{envRedisAddr: addr, envRedisPrefix: prefix}, nil
	}
	srv := redistest.Server(t)
	return map[string]string{envRedisAddr: srv.Addr(), envRedisPrefix: prefix}, srv
}

// TestContract walks the whole HTTP contract of docs/example-app.md with
// each session store: statuses, reasons, the envelope, restart
// persistence and the login limiter.
func TestContract(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			env, redis := b.env(t)
			walkContract(t, b.name, env, redis)
		})
	}
}

func walkContract(t *testing.T, store string, env map[string]string, redis *redistest.Instance) {
	db := tempDB(t)
	a := startApp(t, db, env)
	if !fileExists(db) {
		t.Fatalf("database %s not created", db)
	}
	admin := a.login(t, "admin", "admin123")
	reader := a.login(t, "reader", "reader123")
	if admin.ExpiresIn != 900 {
		t.Errorf("expiresIn %d, want 900 (15m)", admin.ExpiresIn)
	}

	t.Run("login", func(t *testing.T) {
		tests := []struct {
			name   string
			body   any
			status int
			reason string
		}{
			{"wrong password", map[string]string{"username": "admin", "password": "nope"}, 401, "bad_credentials"},
			{"unknown user", map[string]string{"username": "nobody", "password": "admin123"}, 401, "bad_credentials"},
			{"malformed JSON", `{"username": "admin",`, 400, ""},
			{"not an object", `["admin"]`, 400, ""},
			{"missing password", map[string]string{"username": "admin"}, 400, ""},
		}
		for _, tt := range tests {
			expect(t, tt.name, a.call(t, "POST", "/user/login", "", tt.body), tt.status, tt.reason)
		}
		r := a.call(t, "POST", "/user/login", "", map[string]string{"username": "admin"})
		if len(r.Errors) != 1 || r.Errors[0].Field != "password" {
			t.Errorf("missing password: errors %+v", r.Errors)
		}
	})

	// Authentication on every protected route, the user info and the book
	// writes are tested in-process with porticotest (mvc_test.go).

	t.Run("list and get", func(t *testing.T) {
		for _, tt := range []struct {
			query      string
			status     int
			items      int
			errorField string
		}{
			{"?page=1&size=10", 200, 10, ""},
			{"", 200, 10, ""},
			{"?page=2&size=5", 200, 5, ""},
			{"?page=1&size=100", 200, 25, ""},
			{"?page=99&size=10", 200, 0, ""},
			{"?page=0&size=10", 400, 0, "page"},
			{"?page=-1", 400, 0, "page"},
			{"?page=1&size=0", 400, 0, "size"},
			{"?page=1&size=101", 400, 0, "size"},
			{"?page=abc", 400, 0, "page"},
		} {
			r := a.call(t, "GET", "/book/list"+tt.query, reader.AccessToken, nil)
			expect(t, "list"+tt.query, r, tt.status, "")
			if tt.status != 200 {
				if len(r.Errors) == 0 || r.Errors[0].Field != tt.errorField {
					t.Errorf("list%s: errors %+v, want field %q", tt.query, r.Errors, tt.errorField)
				}
				continue
			}
			var page struct {
				Total int    `json:"total"`
				Items []Book `json:"items"`
			}
			r.data(t, &page)
			if page.Total != 25 || len(page.Items) != tt.items {
				t.Errorf("list%s: total %d, %d items; want 25, %d", tt.query, page.Total, len(page.Items), tt.items)
			}
			for _, b := range page.Items {
				if b.ID == 0 || b.Title == "" || b.Author == "" {
					t.Errorf("list%s: incomplete book %+v", tt.query, b)
				}
			}
		}
		r := a.call(t, "GET", "/book/1", reader.AccessToken, nil)
		expect(t, "get 1", r, 200, "")
		var b Book
		r.data(t, &b)
		if b.ID != 1 || b.Title != "The Go Programming Language" {
			t.Errorf("book 1: %+v", b)
		}
		expect(t, "get missing", a.call(t, "GET", "/book/99999", reader.AccessToken, nil), 404, "")
		expect(t, "get non-numeric", a.call(t, "GET", "/book/abc", reader.AccessToken, nil), 400, "")
		// Only top-level pages (/*.html) are public: the login interceptor
		// guards /book/1.html like any other book path.
		expect(t, "get 1.html without token", a.call(t, "GET", "/book/1.html", "", nil), 401, "missing_token")
	})

	// The restart check below looks for this book; validation, updates and
	// deletes are TestBookWrites (mvc_test.go).
	var kept Book
	t.Run("create", func(t *testing.T) {
		in := map[string]any{"title": "The Linux Programming Interface", "author": "Michael Kerrisk", "year": 2010, "isbn": "978-1593272203"}
		r := a.call(t, "POST", "/book", admin.AccessToken, in)
		expect(t, "create", r, 201, "")
		r.data(t, &kept)
		if kept.ID == 0 || kept.Title != in["title"] {
			t.Fatalf("created %+v", kept)
		}
	})

	t.Run("refresh rotation and reuse", func(t *testing.T) {
		first := a.login(t, "reader", "reader123")
		r := a.call(t, "POST", "/user/refresh", "", map[string]string{"refreshToken": first.RefreshToken})
		expect(t, "refresh", r, 200, "")
		var second tokenPair
		r.data(t, &second)
		if second.AccessToken == "" || second.RefreshToken == first.RefreshToken || second.TokenType != "Bearer" || second.ExpiresIn <= 0 {
			t.Fatalf("refreshed pair %s", r.Data)
		}
		expect(t, "new access token", a.call(t, "GET", "/api/user/info", second.AccessToken, nil), 200, "")
		// Within the reuse grace the rotated-away token is a second tab
		// racing the first: refused, and the session lives. (Reuse after
		// the grace, which revokes, is tested in package auth.)
		expect(t, "refresh token rotated away a moment ago", a.call(t, "POST", "/user/refresh", "", map[string]string{"refreshToken": first.RefreshToken}), 409, "refresh_in_progress")
		expect(t, "access token after the refused replay", a.call(t, "GET", "/api/user/info", second.AccessToken, nil), 200, "")
		// The session ID is readable in every access token: a made-up
		// secret must not log the user out.
		sid, _, _ := strings.Cut(first.RefreshToken, ".")
		expect(t, "forged refresh secret", a.call(t, "POST", "/user/refresh", "", map[string]string{"refreshToken": sid + "." + strings.Repeat("A", 43)}), 401, "invalid_token")
		expect(t, "new refresh token after a forgery", a.call(t, "POST", "/user/refresh", "", map[string]string{"refreshToken": second.RefreshToken}), 200, "")
		expect(t, "garbage refresh token", a.call(t, "POST", "/user/refresh", "", map[string]string{"refreshToken": "garbage"}), 401, "invalid_token")
		expect(t, "no refresh token", a.call(t, "POST", "/user/refresh", "", map[string]string{}), 401, "missing_token")
		expect(t, "access token as refresh token", a.call(t, "POST", "/user/refresh", "", map[string]string{"refreshToken": admin.AccessToken}), 401, "invalid_token")
		expect(t, "malformed JSON", a.call(t, "POST", "/user/refresh", "", "{"), 400, "")
	})

	t.Run("logout", func(t *testing.T) {
		p := a.login(t, "admin", "admin123")
		expect(t, "logout", a.call(t, "POST", "/user/logout", p.AccessToken, nil), 200, "")
		expect(t, "access token after logout", a.call(t, "GET", "/book/list", p.AccessToken, nil), 401, "revoked")
		expect(t, "refresh token after logout", a.call(t, "POST", "/user/refresh", "", map[string]string{"refreshToken": p.RefreshToken}), 401, "revoked")
		expect(t, "logout again", a.call(t, "POST", "/user/logout", p.AccessToken, nil), 401, "revoked")
		expect(t, "other session unaffected", a.call(t, "GET", "/book/list", admin.AccessToken, nil), 200, "")
	})

	t.Run("kickout", func(t *testing.T) {
		victim := a.login(t, "reader", "reader123")
		path := "/api/admin/users/reader/kickout"
		expect(t, "kickout as reader", a.call(t, "POST", path, victim.AccessToken, nil), 403, "forbidden")
		expect(t, "kickout unknown user", a.call(t, "POST", "/api/admin/users/nobody/kickout", admin.AccessToken, nil), 404, "")
		expect(t, "kickout", a.call(t, "POST", path, admin.AccessToken, nil), 200, "")
		expect(t, "kicked-out token", a.call(t, "GET", "/book/list", victim.AccessToken, nil), 401, "kicked_out")
		expect(t, "earlier reader token", a.call(t, "GET", "/book/list", reader.AccessToken, nil), 401, "kicked_out")
		reader = a.login(t, "reader", "reader123")
	})

	t.Run("pages", func(t *testing.T) {
		for _, tt := range []struct {
			path, ctype, contains string
		}{
			{"/", "text/html", `href="/login.html"`},
			{"/login.html", "text/html", `id="login-form"`},
			{"/books.html", "text/html", `src="/static/js/books.js"`},
			{"/static/css/app.css", "text/css", "--primary"},
			{"/static/js/api.js", "text/javascript", "New-Token"},
			{"/favicon.ico", "image/x-icon", ""},
		} {
			r := a.call(t, "GET", tt.path, "", nil)
			if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), tt.ctype) || !strings.Contains(string(r.Raw), tt.contains) {
				t.Errorf("GET %s: %d %s, want 200 %s containing %q", tt.path, r.Status, r.Header.Get("Content-Type"), tt.ctype, tt.contains)
			}
		}
		r := a.call(t, "GET", "/about.html", "", nil)
		m := regexp.MustCompile(`id="server-time" datetime="([^"]+)"`).FindSubmatch(r.Raw)
		if m == nil {
			t.Fatalf("/about.html shows no server time from the model:\n%s", r.Raw)
		}
		at, err := time.Parse(time.RFC3339, string(m[1]))
		if err != nil || time.Since(at).Abs() > time.Minute {
			t.Errorf("/about.html server time %q: %v", m[1], err)
		}
		r = a.call(t, "GET", "/", "", nil)
		if !strings.Contains(string(r.Raw), `<dd id="book-count">26</dd>`) {
			t.Errorf("/ does not count 26 books")
		}
		for _, p := range []string{"/static/", "/static/js/", "/static/nope.js", "/nope", "/web/templates/layout.html"} {
			expect(t, "GET "+p, a.call(t, "GET", p, "", nil), 404, "")
		}
		expect(t, "traversal (request firewall)", a.call(t, "GET", "/static/../main.go", "", nil), 400, "rejected_path")
	})

	if redis != nil {
		t.Run("store unavailable", func(t *testing.T) {
			redis.Stop()
			// A session cached on the client is refused as soon as go-redis
			// sees its connections close: within 100 ms, not at once.
			time.Sleep(100 * time.Millisecond)
			expect(t, "request with Redis down", a.call(t, "GET", "/book/list", admin.AccessToken, nil), 503, "store_unavailable")
			expect(t, "login with Redis down", a.call(t, "POST", "/user/login", "", map[string]string{"username": "admin", "password": "admin123"}), 503, "store_unavailable")
			redis.Start()
			// The server kept nothing: sessions are gone, logging in works.
			expect(t, "old session after Redis restart", a.call(t, "GET", "/book/list", admin.AccessToken, nil), 401, "expired")
			admin = a.login(t, "admin", "admin123")
		})
	}

	// Restart on the same database (and, for Redis, the same sessions).
	a.stop()
	a = startApp(t, db, env)
	t.Run("restart", func(t *testing.T) {
		r := a.call(t, "GET", "/book/list", admin.AccessToken, nil)
		if store == "memory" {
			expect(t, "token from before the restart (memory sessions)", r, 401, "expired")
			admin = a.login(t, "admin", "admin123")
		} else {
			expect(t, "token from before the restart (Redis sessions)", r, 200, "")
		}
		r = a.call(t, "GET", "/book/"+strconv.FormatInt(kept.ID, 10), admin.AccessToken, nil)
		expect(t, "book added before the restart", r, 200, "")
		var b Book
		r.data(t, &b)
		if b != kept {
			t.Errorf("after restart %+v, want %+v", b, kept)
		}
	})

	// Last: the limiter blocks this user name from this address for a
	// minute, and nobody else.
	t.Run("login limiter", func(t *testing.T) {
		for i := range 5 {
			expect(t, fmt.Sprintf("failure %d", i+1), a.call(t, "POST", "/user/login", "", map[string]string{"username": "admin", "password": "guess"}), 401, "bad_credentials")
		}
		r := a.call(t, "POST", "/user/login", "", map[string]string{"username": "admin", "password": "admin123"})
		expect(t, "sixth attempt, right password", r, 429, "too_many_requests")
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
			t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		// One user's typos do not lock out everyone behind the same
		// address (an office NAT).
		expect(t, "other user, same address", a.call(t, "POST", "/user/login", "", map[string]string{"username": "reader", "password": "reader123"}), 200, "")
		expect(t, "existing sessions still work", a.call(t, "GET", "/book/list", admin.AccessToken, nil), 200, "")
	})
}
