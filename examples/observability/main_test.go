package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"go.uber.org/fx"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/internal/redistest"
)

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

// The whole kit, end to end: each request is logged once with its route
// and id, measured by route template, traced to stdout, and the probes
// report the database and Redis.
func TestKit(t *testing.T) {
	env := map[string]string{
		"ADDR":                 "127.0.0.1:0",
		"PORTICO_TRACE_STDOUT": "1",
		"REDIS_ADDR":           redistest.Server(t).Addr(),
	}
	var spans, logs syncBuffer
	var srv *portico.Server
	app := fx.New(newApp(func(k string) string { return env[k] }, &spans, slog.New(slog.NewJSONHandler(&logs, nil)), &srv), fx.NopLogger)
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, http.Header, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+srv.Addr()+path, nil)
		req.Header.Set("X-Request-ID", "test-"+strings.Trim(strings.ReplaceAll(path, "/", "-"), "-"))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header, string(b)
	}
	for _, tc := range []struct {
		path   string
		status int
		body   string
	}{
		{"/book/1", 200, "Go Programming"},
		{"/book/2", 404, `"requestId":"test-book-2"`},
		{"/wp-login.php", 404, `"requestId":"test-wp-login.php"`},
		{"/health/ready", 200, `"redis":{"status":"UP"}`},
		{"/health/live", 200, `"status":"UP"`},
	} {
		code, hdr, body := get(tc.path)
		if code != tc.status || !strings.Contains(body, tc.body) {
			t.Errorf("%s: %d %s", tc.path, code, body)
		}
		if hdr.Get("Traceparent") == "" {
			t.Errorf("%s: no traceparent", tc.path)
		}
	}
	if !strings.Contains(get3(get("/health/ready")), `"db":{"status":"UP"}`) {
		t.Error("no db component")
	}
	_, _, m := get("/metrics")
	for _, want := range []string{
		`http_server_request_duration_seconds_count{method="GET",route="/book/{id}",status="200"} 1`,
		`http_server_request_duration_seconds_count{method="GET",route="/book/{id}",status="404"} 1`,
		`http_server_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if err := app.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"Name":"GET /book/{id}"`, `"Name":"GET"`, `"Name":"GET /health/ready"`} {
		if !strings.Contains(spans.String(), want) {
			t.Errorf("stdout spans lack %s", want)
		}
	}
	for _, want := range []string{`"route":"/book/{id}","status":404`, `"path":"/wp-login.php","status":404`, `"request_id":"test-book-1"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("access log lacks %s:\n%s", want, logs.String())
		}
	}
}

func get3(_ int, _ http.Header, body string) string { return body }
