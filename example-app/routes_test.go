package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestPrintRoutes checks the -routes table: every route with the chain
// the Spring-style registrations produce, and no side effects.
func TestPrintRoutes(t *testing.T) {
	db := filepath.Join(t.TempDir(), "data", "never.db")
	var out, errs bytes.Buffer
	env := map[string]string{envRedisAddr: "127.0.0.1:1"} // never dialled
	if err := run(t.Context(), []string{"-routes", "-db", db}, mapEnv(env), &out, &errs); err != nil {
		t.Fatalf("run -routes: %v\n%s", err, errs.String())
	}
	if fileExists(db) || fileExists(filepath.Dir(db)) {
		t.Error("-routes created the database")
	}
	const (
		login = `\*login\.Interceptor`
		mt    = `modelTime`
	)
	want := []struct{ method, path, chain string }{
		{"GET", "/", mt},
		{"GET", "/login.html", mt},
		{"GET", "/books.html", mt},
		{"GET", "/about.html", mt},
		{"GET", "/static/{*path}", mt},
		{"GET", "/favicon.ico", mt},
		{"POST", "/user/login", mt},
		{"POST", "/user/refresh", mt},
		{"POST", "/user/logout", login + " -> " + mt},
		{"POST", "/user/logout-all", login + " -> " + mt},
		{"GET", "/api/user/info", login + " -> " + mt},
		{"POST", "/api/admin/users/{username}/kickout", login + " -> " + mt},
		{"GET", "/book/list", login + " -> " + mt},
		{"POST", "/book", login + " -> " + mt},
		// Decided at startup: /*.html cannot match /book/{id}.
		{"GET", "/book/{id}", login + " -> " + mt},
		{"PUT", "/book/{id}", login + " -> " + mt},
		{"DELETE", "/book/{id}", login + " -> " + mt},
		// Probes, /metrics, the API document and its UI carry login.Ignore:
		// the interceptor lets them through.
		{"GET", "/health/live", login + " -> " + mt},
		{"GET", "/health/ready", login + " -> " + mt},
		{"GET", "/metrics", login + " -> " + mt},
		{"GET", "/v3/api-docs", login + " -> " + mt},
		{"GET", "/v3/api-docs.yaml", login + " -> " + mt},
		{"GET", "/swagger-ui", login + " -> " + mt},
		{"GET", "/swagger-ui/{*file}", login + " -> " + mt},
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(want)+1 || !strings.HasPrefix(lines[0], "METHOD") {
		t.Fatalf("want a header and %d routes:\n%s", len(want), out.String())
	}
	for _, w := range want {
		re := regexp.MustCompile(`(?m)^` + w.method + ` +` + regexp.QuoteMeta(w.path) + ` +\S+ +` + w.chain + `$`)
		if !re.MatchString(out.String()) {
			t.Errorf("no line for %s %s with chain %s", w.method, w.path, w.chain)
		}
	}
	if t.Failed() {
		t.Logf("table:\n%s", out.String())
	}
}

// TestRunServesUntilCancelled starts the real entry point and stops it the
// way SIGINT does (main cancels run's context), checking the shutdown is
// clean. It stays on a real socket: what it tests is run itself, that it
// listens where -addr says, serves, and returns once cancelled, none of
// which porticotest's in-process requests go through.
func TestRunServesUntilCancelled(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var out bytes.Buffer
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", addr, "-db", tempDB(t)}, mapEnv(nil), &out, logs) }()

	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	ready := false
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if res, err := client.Get("http://" + addr + "/favicon.ico"); err == nil {
			res.Body.Close()
			ready = res.StatusCode == http.StatusOK
			break
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v\n%s", err, logs)
	}
	if !ready {
		t.Fatalf("server never answered\n%s", logs)
	}
	for _, line := range []string{"portico: listening", "addr=" + addr, "in-memory store", envJWTSecret + " is not set", "shutting down"} {
		if !strings.Contains(logs.String(), line) {
			t.Errorf("log lacks %q:\n%s", line, logs)
		}
	}
}
