package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/fx"
	"go.uber.org/goleak"
	"golang.org/x/crypto/bcrypt"

	"github.com/portico-go/portico"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testSecret signs tokens in tests, so an app restarted on the same
// database accepts the tokens of its predecessor (the session decides).
const testSecret = "test-secret-0123456789abcdef-0123456789"

// testApp is the example app serving on a real socket on a free port,
// for the tests that need one: TestRestart (two server lifetimes in one
// test) and TestBrowser (Chromium needs a URL). Every other HTTP-level
// test uses porticotest (newKit in mvc_test.go).
type testApp struct {
	t      *testing.T
	app    *fx.App
	base   string
	client *http.Client
	logs   *syncBuffer
}

// startApp starts the app with env (on top of a fixed JWT secret) on a
// free port, with its database at db. The app stops at cleanup, and its
// log is printed if the test failed.
func startApp(t *testing.T, db string, env map[string]string) *testApp {
	t.Helper()
	full := map[string]string{envJWTSecret: testSecret}
	for k, v := range env {
		full[k] = v
	}
	cfg, err := parseConfig([]string{"-addr", "127.0.0.1:0", "-db", db}, mapEnv(full), io.Discard)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	cfg.passwordCost = bcrypt.MinCost
	logs := &syncBuffer{}
	var srv *portico.Server
	app := fx.New(newApp(cfg, slog.New(slog.NewTextHandler(logs, nil))), fx.NopLogger, fx.Populate(&srv))
	if err := app.Err(); err != nil {
		t.Fatalf("building the app: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		t.Fatalf("starting the app: %v\n%s", err, logs)
	}
	a := &testApp{t: t, app: app, base: "http://" + srv.Addr(), logs: logs,
		client: &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}}
	t.Cleanup(func() {
		a.stop()
		if t.Failed() {
			t.Logf("app log:\n%s", logs)
		}
	})
	return a
}

// stop shuts the app down; it is safe to call twice.
func (a *testApp) stop() {
	a.t.Helper()
	if a.app == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := a.app.Stop(ctx); err != nil {
		a.t.Errorf("stopping the app: %v", err)
	}
	a.app = nil
	a.client.CloseIdleConnections()
}

// response is a decoded JSON response.
type response struct {
	Status int
	Raw    []byte
	Code   int             `json:"code"`
	Reason string          `json:"reason"`
	Data   json.RawMessage `json:"data"`
}

// data decodes the response's data into v.
func (r response) data(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("data %s: %v", r.Data, err)
	}
}

// call sends a request with an optional Bearer token and body (a string
// is sent as is, anything else as JSON) and decodes the JSON envelope,
// checking on the way that every JSON response has code == status and a
// data member.
func (a *testApp) call(t testing.TB, method, path, token string, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, a.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := a.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	r := response{Status: res.StatusCode, Raw: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(raw, &probe); err != nil {
			t.Fatalf("%s %s: not a JSON object: %q", method, path, raw)
		}
		if _, ok := probe["data"]; !ok {
			t.Errorf("%s %s: no \"data\" in %s", method, path, raw)
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
		if r.Code != r.Status {
			t.Errorf("%s %s: code %d != status %d: %s", method, path, r.Code, r.Status, raw)
		}
	}
	return r
}

// tokenPair is the data of a login or refresh.
type tokenPair struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	TokenType    string `json:"tokenType"`
	ExpiresIn    int64  `json:"expiresIn"`
}

// login logs in and fails the test unless it works.
func (a *testApp) login(t testing.TB, user, password string) tokenPair {
	t.Helper()
	r := a.call(t, "POST", "/user/login", "", map[string]string{"username": user, "password": password})
	if r.Status != http.StatusOK {
		t.Fatalf("login %s: %d %s", user, r.Status, r.Raw)
	}
	var p tokenPair
	r.data(t, &p)
	if p.AccessToken == "" || p.RefreshToken == "" || p.TokenType != "Bearer" || p.ExpiresIn <= 0 {
		t.Fatalf("login %s: bad token pair %s", user, r.Data)
	}
	return p
}

// expect checks status and reason.
func expect(t testing.TB, what string, r response, status int, reason string) {
	t.Helper()
	if r.Status != status || r.Reason != reason {
		t.Errorf("%s: got %d reason %q, want %d reason %q: %s", what, r.Status, r.Reason, status, reason, r.Raw)
	}
}

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// syncBuffer collects the app's log lines from its goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tempDB returns a database path in a fresh directory that does not exist
// yet, so the app's directory creation is exercised too.
func tempDB(t *testing.T) string {
	return filepath.Join(t.TempDir(), "data", "bookstore.db")
}

// fileExists reports whether path exists.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
