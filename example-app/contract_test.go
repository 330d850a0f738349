package main

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portico-go/portico/internal/redistest"
	"github.com/portico-go/portico/porticotest"
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

// TestContract walks the HTTP contract of docs/example-app.md with each
// session store, in-process with porticotest: statuses, reasons, the
// envelope (newKit checks it on every answer), token rotation, logout,
// kick-out, the pages, the store going away and the login limiter.
// Authentication on every protected route, the user info and the book
// writes are in mvc_test.go; restarting on the same database is
// TestRestart.
func TestContract(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			env, redis := b.env(t)
			walkContract(t, env, redis)
		})
	}
}

func walkContract(t *testing.T, env map[string]string, redis *redistest.Instance) {
	kit := newKit(t, env)
	admin := loginKit(t, kit, "admin", "admin123")
	reader := loginKit(t, kit, "reader", "reader123")
	if admin.ExpiresIn != 900 {
		t.Errorf("expiresIn %d, want 900 (15m)", admin.ExpiresIn)
	}

	t.Run("login", func(t *testing.T) {
		kit := kit.For(t)
		for _, tt := range []struct {
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
		} {
			kit.POST("/user/login").JSON(tt.body).Do().Status(tt.status).Reason(tt.reason)
		}
		// Exactly one field error, for the password.
		kit.POST("/user/login").JSON(map[string]string{"username": "admin"}).Do().JSON("$.errors[*].field", "password")
	})

	t.Run("list and get", func(t *testing.T) {
		kit := kit.For(t)
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
			r := kit.GET("/book/list" + tt.query).Bearer(reader.AccessToken).Do().Status(tt.status)
			if tt.status != 200 {
				r.Reason("").JSON("$.errors[0].field", tt.errorField)
				continue
			}
			var page bookPage
			r.JSON("$.data.total", 25).DecodeAt("$.data", &page)
			if len(page.Items) != tt.items {
				t.Errorf("list%s: %d items, want %d", tt.query, len(page.Items), tt.items)
			}
			for _, b := range page.Items {
				if b.ID == 0 || b.Title == "" || b.Author == "" {
					t.Errorf("list%s: incomplete book %+v", tt.query, b)
				}
			}
		}
		kit.GET("/book/{id}", 1).Bearer(reader.AccessToken).Do().
			Status(200).
			JSON("$.data.id", 1).
			JSON("$.data.title", "The Go Programming Language")
		kit.GET("/book/{id}", 99999).Bearer(reader.AccessToken).Do().Status(404).Reason("")
		kit.GET("/book/{id}", "abc").Bearer(reader.AccessToken).Do().Status(400).Reason("")
	})

	t.Run("refresh rotation and reuse", func(t *testing.T) {
		kit := kit.For(t)
		refresh := func(token any) *porticotest.Response {
			t.Helper()
			body := map[string]any{}
			if token != nil {
				body["refreshToken"] = token
			}
			return kit.POST("/user/refresh").JSON(body).Do()
		}
		first := loginKit(t, kit, "reader", "reader123")
		var second tokenPair
		refresh(first.RefreshToken).Status(200).JSON("$.data.tokenType", "Bearer").DecodeAt("$.data", &second)
		if second.AccessToken == "" || second.RefreshToken == first.RefreshToken || second.ExpiresIn <= 0 {
			t.Fatalf("refreshed pair %+v", second)
		}
		kit.GET("/api/user/info").Bearer(second.AccessToken).Do().Status(200)
		// Within the reuse grace the rotated-away token is a second tab
		// racing the first: refused, and the session lives. (Reuse after
		// the grace, which revokes, is tested in package auth.)
		refresh(first.RefreshToken).Status(409).Reason("refresh_in_progress")
		kit.GET("/api/user/info").Bearer(second.AccessToken).Do().Status(200)
		// The session ID is readable in every access token: a made-up
		// secret must not log the user out.
		sid, _, _ := strings.Cut(first.RefreshToken, ".")
		refresh(sid + "." + strings.Repeat("A", 43)).Status(401).Reason("invalid_token")
		refresh(second.RefreshToken).Status(200)
		refresh("garbage").Status(401).Reason("invalid_token")
		refresh(nil).Status(401).Reason("missing_token")
		refresh(admin.AccessToken).Status(401).Reason("invalid_token")
		kit.POST("/user/refresh").JSON("{").Do().Status(400).Reason("")
	})

	t.Run("logout", func(t *testing.T) {
		kit := kit.For(t)
		p := loginKit(t, kit, "admin", "admin123")
		kit.POST("/user/logout").Bearer(p.AccessToken).Do().Status(200)
		kit.GET("/book/list").Bearer(p.AccessToken).Do().Status(401).Reason("revoked")
		kit.POST("/user/refresh").JSON(map[string]string{"refreshToken": p.RefreshToken}).Do().Status(401).Reason("revoked")
		kit.POST("/user/logout").Bearer(p.AccessToken).Do().Status(401).Reason("revoked")
		// The admin's other session is unaffected.
		kit.GET("/book/list").Bearer(admin.AccessToken).Do().Status(200)
	})

	t.Run("kickout", func(t *testing.T) {
		kit := kit.For(t)
		victim := loginKit(t, kit, "reader", "reader123")
		const path = "/api/admin/users/{username}/kickout"
		kit.POST(path, "reader").Bearer(victim.AccessToken).Do().Status(403).Reason("forbidden")
		kit.POST(path, "nobody").Bearer(admin.AccessToken).Do().Status(404).Reason("")
		kit.POST(path, "reader").Bearer(admin.AccessToken).Do().Status(200)
		kit.GET("/book/list").Bearer(victim.AccessToken).Do().Status(401).Reason("kicked_out")
		// Every session of the user, not only the newest.
		kit.GET("/book/list").Bearer(reader.AccessToken).Do().Status(401).Reason("kicked_out")
	})

	t.Run("pages", func(t *testing.T) {
		kit := kit.For(t)
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
			kit.GET(tt.path).Do().Status(200).ContentType(tt.ctype).BodyContains(tt.contains)
		}
		r := kit.GET("/about.html").Do().Status(200)
		m := regexp.MustCompile(`id="server-time" datetime="([^"]+)"`).FindSubmatch(r.Body)
		if m == nil {
			t.Fatalf("/about.html shows no server time from the model:\n%s", r.Body)
		}
		at, err := time.Parse(time.RFC3339, string(m[1]))
		if err != nil || time.Since(at).Abs() > time.Minute {
			t.Errorf("/about.html server time %q: %v", m[1], err)
		}
		kit.GET("/").Do().BodyContains(`<dd id="book-count">25</dd>`) // the seeded books
		for _, p := range []string{"/static/", "/static/js/", "/static/nope.js", "/nope", "/web/templates/layout.html"} {
			kit.GET(p).Do().Status(404).Reason("")
		}
		kit.GET("/static/{*path}", "../main.go").Do().Status(400).Reason("rejected_path") // the request firewall
	})

	if redis != nil {
		t.Run("store unavailable", func(t *testing.T) {
			kit := kit.For(t)
			redis.Stop()
			// A session cached on the client is refused as soon as go-redis
			// sees its connections close: within 100 ms, not at once.
			time.Sleep(100 * time.Millisecond)
			kit.GET("/book/list").Bearer(admin.AccessToken).Do().Status(503).Reason("store_unavailable")
			kit.POST("/user/login").JSON(map[string]string{"username": "admin", "password": "admin123"}).Do().
				Status(503).Reason("store_unavailable")
			redis.Start()
			// The server kept nothing: sessions are gone, logging in works.
			kit.GET("/book/list").Bearer(admin.AccessToken).Do().Status(401).Reason("expired")
			loginKit(t, kit, "admin", "admin123")
		})
	}

	// On an app of its own, so the failures above do not count: the limiter
	// keeps failed logins in memory, per user and per client address.
	t.Run("login limiter", func(t *testing.T) {
		kit := newKit(t, env)
		admin := loginKit(t, kit, "admin", "admin123")
		for range 5 {
			kit.POST("/user/login").JSON(map[string]string{"username": "admin", "password": "guess"}).Do().
				Status(401).Reason("bad_credentials")
		}
		// The sixth attempt, with the right password.
		r := kit.POST("/user/login").JSON(map[string]string{"username": "admin", "password": "admin123"}).Do().
			Status(429).Reason("too_many_requests")
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
			t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		// One user's typos do not lock out everyone behind the same
		// address (an office NAT).
		kit.POST("/user/login").JSON(map[string]string{"username": "reader", "password": "reader123"}).Do().Status(200)
		// Existing sessions still work.
		kit.GET("/book/list").Bearer(admin.AccessToken).Do().Status(200)
	})
}

// TestRestart: books, and with Redis the sessions, outlive a restart on
// the same database. It stays on startApp and a real socket: NewApp stops
// an app only when the test ends, and this needs two lifetimes of the
// server in one test, with a real graceful shutdown in between (listener,
// database and session store closed, then opened again on the same
// files). It is also the one walk of the JSON API over a real HTTP
// connection, net/http's client and server with no recorder in between.
func TestRestart(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			env, _ := b.env(t)
			db := tempDB(t)
			a := startApp(t, db, env)
			if !fileExists(db) {
				t.Fatalf("database %s not created", db)
			}
			admin := a.login(t, "admin", "admin123")
			in := map[string]any{"title": "The Linux Programming Interface", "author": "Michael Kerrisk", "year": 2010, "isbn": "978-1593272203"}
			r := a.call(t, "POST", "/book", admin.AccessToken, in)
			expect(t, "create", r, 201, "")
			var kept Book
			r.data(t, &kept)
			if kept.ID == 0 || kept.Title != in["title"] {
				t.Fatalf("created %+v", kept)
			}

			a.stop()
			a = startApp(t, db, env)
			r = a.call(t, "GET", "/book/list", admin.AccessToken, nil)
			if b.name == "memory" {
				expect(t, "token from before the restart (memory sessions)", r, 401, "expired")
				admin = a.login(t, "admin", "admin123")
			} else {
				expect(t, "token from before the restart (Redis sessions)", r, 200, "")
			}
			r = a.call(t, "GET", "/book/"+strconv.FormatInt(kept.ID, 10), admin.AccessToken, nil)
			expect(t, "book added before the restart", r, 200, "")
			var got Book
			r.data(t, &got)
			if got != kept {
				t.Errorf("after restart %+v, want %+v", got, kept)
			}
		})
	}
}
