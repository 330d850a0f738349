package security

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/auth/session"
	"github.com/portico-go/portico/auth/token"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
	"github.com/portico-go/portico/interceptor/login"
)

// Fixture constants. The secret is only ever used by these tests.
const (
	testIssuer   = "portico-security"
	testAudience = "portico-security-api"
	testKeyID    = "k1"
	// marker is in every protected handler's answer: a hostile request
	// whose response contains it reached protected data.
	marker = "PROTECTED-DATA"
	// publicHeader marks answers of public handlers, so a HEAD (which has
	// no body) can still be told apart.
	publicHeader = "X-Public"
)

var testSecret = []byte("security-suite-secret-0123456789abcdef")

// excluded mirrors the example app's login exclusions.
var excluded = []string{"/user/login", "/user/refresh", "/", "/static/**", "/**/*.html", "/favicon.ico"}

// users are the fixture's accounts; passwords are compared in plain text
// because bcrypt would dominate the load test and is tested in auth.
var users = map[string]struct {
	id, password string
	roles, perms []string
}{
	"admin":  {"1", "admin123", []string{"admin"}, []string{"book:*"}},
	"reader": {"2", "reader123", nil, []string{"book:read"}},
}

// roleSource is the fixture's login.Authorizer.
type roleSource struct{}

func (roleSource) Roles(_ context.Context, id string) ([]string, error) {
	for _, u := range users {
		if u.id == id {
			return u.roles, nil
		}
	}
	// Load-test users ("u17") read and write books.
	return nil, nil
}

func (roleSource) Permissions(_ context.Context, id string) ([]string, error) {
	for _, u := range users {
		if u.id == id {
			return u.perms, nil
		}
	}
	return []string{"book:read", "book:create"}, nil
}

// appConfig varies the guarded app between tests.
type appConfig struct {
	// store is the session store; nil means the Manager's in-memory one.
	store        session.Store
	storeTimeout time.Duration
	// redirect turns on trailing-slash redirects.
	redirect bool
	// maxSessions is auth.Config.MaxSessionsPerUser.
	maxSessions int
	// reuseGrace is auth.Config.ReuseGrace (zero: the default).
	reuseGrace time.Duration
	// anyUser lets any user name log in with password "pw" (load tests).
	anyUser bool
	// routes registers extra routes and interceptors before the login
	// interceptor is added.
	routes func(t testing.TB, d *dispatcher.Dispatcher)
	// opts are extra dispatcher options.
	opts []dispatcher.Option
	// noLogin leaves the login interceptor out: the control that proves
	// the oracles can see protected data.
	noLogin bool
}

// app is the guarded application: the example app's interceptor setup
// (access log and login on /** minus the public paths) and its protected
// routes, assembled from framework pieces so the race detector and the
// fuzzer see framework code.
type app struct {
	t   testing.TB
	d   *dispatcher.Dispatcher
	mgr *auth.Manager
	// srv is nil until serve is called.
	srv *httptest.Server
	// logs holds everything the dispatcher, the access log and the server
	// logged, for token-leak checks.
	logs *syncBuffer
	// bypass counts protected handler runs without an authenticated user:
	// the one thing the suite exists to keep at zero.
	bypass atomic.Int64
	// served counts protected handler runs with a user.
	served atomic.Int64
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// envelope is the example app's success shape.
type envelope struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data"`
}

type loginIn struct {
	Username string `json:"username" validate:"required"`
	Password string `json:"password" validate:"required"`
}

type refreshIn struct {
	RefreshToken string `json:"refreshToken" validate:"required"`
}

type bookIn struct {
	ID int64 `path:"id"`
}

type newBookIn struct {
	Title string `json:"title" validate:"required,max=200"`
}

type tokensOut struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	ExpiresIn    int64  `json:"expiresIn"`
}

// newApp builds the guarded app. Call serve to put it on a TCP port.
func newApp(t testing.TB, cfg appConfig) *app {
	t.Helper()
	a := &app{t: t, logs: &syncBuffer{}}
	mgr, err := auth.New(auth.Config{
		Issuer: testIssuer, Audience: testAudience,
		Keys:      []token.Key{{ID: testKeyID, Secret: testSecret}},
		ActiveKey: testKeyID,
		Store:     cfg.store, StoreTimeout: cfg.storeTimeout,
		MaxSessionsPerUser: cfg.maxSessions,
		ReuseGrace:         cfg.reuseGrace,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mgr.Close() })
	a.mgr = mgr
	log := slog.New(slog.NewJSONHandler(a.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := append([]dispatcher.Option{dispatcher.WithLogger(log), dispatcher.WithErrorRenderer(dispatcher.JSONErrors{Data: true})}, cfg.opts...)
	if cfg.redirect {
		opts = append(opts, dispatcher.RedirectTrailingSlash())
	}
	d := dispatcher.New(opts...)
	a.d = d

	public := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(publicHeader, "yes")
		io.WriteString(w, "public")
	}
	must(t, d.GET("/", public))
	must(t, d.GET("/favicon.ico", public))
	must(t, d.GET("/index.html", public))
	must(t, d.GET("/static/{*path}", public))

	must(t, d.POST("/user/login", handler.Typed(func(ctx context.Context, in loginIn) (envelope, error) {
		u, ok := users[in.Username]
		switch {
		case cfg.anyUser && in.Password == "pw":
			u.id = in.Username
		case !ok || u.password != in.Password:
			return envelope{}, login.ToHTTP(&auth.Error{Reason: auth.ReasonBadCredentials})
		}
		p, err := mgr.Login(ctx, auth.Principal{ID: u.id, Name: in.Username}, "")
		if err != nil {
			return envelope{}, login.ToHTTP(err)
		}
		return ok200(tokensOut{p.AccessToken, p.RefreshToken, p.ExpiresIn}), nil
	})))
	must(t, d.POST("/user/refresh", handler.Typed(func(ctx context.Context, in refreshIn) (envelope, error) {
		p, err := mgr.Refresh(ctx, in.RefreshToken, "")
		if err != nil {
			return envelope{}, login.ToHTTP(err)
		}
		return ok200(tokensOut{p.AccessToken, p.RefreshToken, p.ExpiresIn}), nil
	})))

	// protected wraps a protected handler body: it runs only after the
	// login interceptor put a user in the context, and counts a bypass
	// otherwise.
	protected := func(ctx context.Context) (*login.User, error) {
		u, ok := login.CurrentUser(ctx)
		if !ok {
			a.bypass.Add(1)
			return nil, nil
		}
		a.served.Add(1)
		return u, nil
	}
	must(t, d.POST("/user/logout", handler.Typed(func(ctx context.Context, _ handler.Empty) (envelope, error) {
		u, err := protected(ctx)
		if u == nil {
			return ok200(marker), err
		}
		if err := mgr.Logout(ctx, u.SessionID); err != nil {
			return envelope{}, login.ToHTTP(err)
		}
		return ok200(nil), nil
	})))
	must(t, d.GET("/api/user/info", handler.Typed(func(ctx context.Context, _ handler.Empty) (envelope, error) {
		u, err := protected(ctx)
		if u == nil {
			return ok200(marker), err
		}
		return ok200(map[string]string{"id": u.ID, "name": u.Name, "secret": marker}), nil
	})))
	must(t, d.GET("/book/list", handler.Typed(func(ctx context.Context, _ handler.Empty) (envelope, error) {
		_, err := protected(ctx)
		return ok200([]string{marker + " book 1", marker + " book 2"}), err
	}), dispatcher.WithMeta(login.RequirePermissions(login.All, "book:read"))))
	must(t, d.GET("/book/{id}", handler.Typed(func(ctx context.Context, in bookIn) (envelope, error) {
		_, err := protected(ctx)
		return ok200(map[string]any{"id": in.ID, "title": marker}), err
	}), dispatcher.WithMeta(login.RequirePermissions(login.All, "book:read"))))
	must(t, d.POST("/book", handler.Typed(func(ctx context.Context, in newBookIn) (envelope, error) {
		_, err := protected(ctx)
		return ok200(map[string]any{"title": in.Title, "note": marker}), err
	}), dispatcher.WithMeta(login.RequirePermissions(login.All, "book:create"))))
	must(t, d.DELETE("/book/{id}", handler.Typed(func(ctx context.Context, in bookIn) (envelope, error) {
		_, err := protected(ctx)
		return ok200(marker), err
	}), dispatcher.WithMeta(login.RequireRoles(login.All, "admin"))))
	if cfg.routes != nil {
		cfg.routes(t, d)
	}
	li, err := login.New(mgr, login.WithAuthorizer(roleSource{}))
	if err != nil {
		t.Fatal(err)
	}
	d.Interceptors().AddInterceptor(&interceptor.AccessLog{Logger: log}).Name("accesslog").AddPathPatterns("/**").Order(-10)
	if !cfg.noLogin {
		d.Interceptors().AddInterceptor(li).Name("login").AddPathPatterns("/**").ExcludePathPatterns(excluded...)
	}
	must(t, d.Build())
	return a
}

func ok200(data any) envelope { return envelope{Code: 200, Message: "ok", Data: data} }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// serve puts the app on a loopback port; the server is closed at cleanup.
func (a *app) serve() *app {
	a.t.Helper()
	srv := httptest.NewUnstartedServer(a.d)
	srv.Config.ErrorLog = slog.NewLogLogger(slog.NewTextHandler(a.logs, nil).WithGroup("net/http"), slog.LevelWarn)
	srv.Start()
	a.srv = srv
	a.t.Cleanup(srv.Close)
	return a
}

// addr is the host:port the app listens on.
func (a *app) addr() string { return a.srv.Listener.Addr().String() }

// checkNoBypass fails the test if a protected handler ran without a user.
func (a *app) checkNoBypass(t testing.TB) {
	t.Helper()
	if n := a.bypass.Load(); n > 0 {
		t.Errorf("a protected handler ran %d times without an authenticated user", n)
	}
}

// reply is one parsed response.
type reply struct {
	status int
	header http.Header
	body   string
	// dur is how long the exchange took, for logs only.
	dur time.Duration
}

// errorBody is the framework's error shape.
type errorBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Reason  string `json:"reason"`
}

func (r reply) reason() string {
	var e errorBody
	_ = json.Unmarshal([]byte(r.body), &e)
	return e.Reason
}

// isErrorShape reports whether the body is the framework's error shape
// with the response's status.
func (r reply) isErrorShape() bool {
	var e errorBody
	return json.Unmarshal([]byte(r.body), &e) == nil && e.Code == r.status && e.Message != ""
}

// rawClient sends hand-written requests on one keep-alive TCP connection,
// redialling when the server closes it. Nothing between the test and the
// server parses or normalizes the request line.
type rawClient struct {
	addr string
	conn net.Conn
	br   *bufio.Reader
}

func newRawClient(t testing.TB, addr string) *rawClient {
	c := &rawClient{addr: addr}
	t.Cleanup(c.close)
	return c
}

func (c *rawClient) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// do sends "<method> <target> HTTP/1.1" with the given header lines
// ("Name: value") and returns the response. target is sent byte for byte.
func (c *rawClient) do(method, target string, headers ...string) (reply, error) {
	var req strings.Builder
	fmt.Fprintf(&req, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, target, c.addr)
	for _, h := range headers {
		req.WriteString(h)
		req.WriteString("\r\n")
	}
	if method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch {
		req.WriteString("Content-Length: 0\r\n")
	}
	req.WriteString("\r\n")
	return c.send(method, req.String())
}

// send writes a whole request and reads one response, retrying once on a
// fresh connection when a kept-alive one turned out to be closed.
func (c *rawClient) send(method, raw string) (reply, error) {
	start := time.Now()
	for attempt := 0; ; attempt++ {
		fresh := c.conn == nil
		if fresh {
			conn, err := net.Dial("tcp", c.addr)
			if err != nil {
				return reply{}, err
			}
			c.conn, c.br = conn, bufio.NewReader(conn)
		}
		c.conn.SetDeadline(time.Now().Add(30 * time.Second))
		if _, err := io.WriteString(c.conn, raw); err != nil {
			c.close()
			if fresh || attempt > 0 {
				return reply{}, err
			}
			continue
		}
		resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
		if err != nil {
			c.close()
			if fresh || attempt > 0 {
				return reply{}, err
			}
			continue
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			c.close()
			return reply{}, err
		}
		if resp.Close {
			c.close()
		}
		return reply{status: resp.StatusCode, header: resp.Header, body: string(body), dur: time.Since(start)}, nil
	}
}

// call sends an ordinary request through an http.Client; for flows where
// nothing hostile is in the request line.
func call(t testing.TB, c *http.Client, method, url, bearer string, body any) reply {
	t.Helper()
	r, err := tryCall(c, method, url, bearer, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return r
}

func tryCall(c *http.Client, method, url, bearer string, body any) (reply, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return reply{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return reply{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b), dur: time.Since(start)}, nil
}

// tokens parses a login or refresh answer.
func (r reply) tokens(t testing.TB) tokensOut {
	t.Helper()
	var out struct {
		Data tokensOut `json:"data"`
	}
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &out) != nil || out.Data.AccessToken == "" {
		t.Fatalf("no tokens in %d %s", r.status, r.body)
	}
	return out.Data
}

// client returns an http.Client for the app whose idle connections are
// closed at cleanup, so goroutine-leak checks see none of them.
func (a *app) client(conns int) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	a.t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// login logs name in over HTTP and returns the tokens.
func (a *app) login(t testing.TB, c *http.Client, name, password string) tokensOut {
	t.Helper()
	return call(t, c, http.MethodPost, a.srv.URL+"/user/login", "", loginIn{name, password}).tokens(t)
}
