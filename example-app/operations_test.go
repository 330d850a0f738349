package main

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/fx"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/internal/redistest"
	"github.com/portico-go/portico/porticotest"
)

// opsKit runs the app in-process with extra fx options and returns the
// kit and the app's log. It checks no envelope: probes and /metrics
// answer in their own formats.
func opsKit(t *testing.T, env map[string]string, extra ...fx.Option) (*porticotest.Kit, *syncBuffer) {
	t.Helper()
	return appKit(t, env, nil, extra...)
}

// /metrics counts every request by route template, so /book/1 and /book/2
// share a series and all 404s share "unmatched"; the login outcomes come
// from the auth.Observer the app hands its auth.Manager. The access log
// has exactly one line per request, 404s included.
func TestMetricsAndAccessLog(t *testing.T) {
	kit, logs := opsKit(t, nil)
	var pair struct{ AccessToken string }
	kit.POST("/user/login").JSON(map[string]string{"username": "admin", "password": "admin123"}).Do().
		Status(http.StatusOK).DecodeAt("$.data", &pair)
	kit.POST("/user/login").JSON(map[string]string{"username": "admin", "password": "wrong"}).Do().Status(http.StatusUnauthorized)
	kit.GET("/book/{id}", 1).Bearer(pair.AccessToken).Do().Status(http.StatusOK)
	kit.GET("/book/{id}", 2).Bearer(pair.AccessToken).Do().Status(http.StatusOK)
	kit.GET("/book/{id}", 1).Do().Status(http.StatusUnauthorized)
	kit.GET("/no/such/page").Do().Status(http.StatusNotFound)
	kit.GET("/wp-admin/setup.php").Do().Status(http.StatusNotFound)

	body := string(kit.GET("/metrics").Do().Status(http.StatusOK).Body)
	for _, want := range []string{
		`http_server_request_duration_seconds_count{method="GET",route="/book/{id}",status="200"} 2`,
		`http_server_request_duration_seconds_count{method="GET",route="/book/{id}",status="401"} 1`,
		`http_server_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 2`,
		`http_server_request_duration_seconds_count{method="POST",route="/user/login",status="200"} 1`,
		`portico_auth_logins_total{outcome="` + auth.LoginSucceeded + `"} 1`,
		`portico_auth_logins_total{outcome="` + string(auth.ReasonBadCredentials) + `"} 1`,
		`portico_session_store_duration_seconds_count{op="create"} `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, "/no/such/page") || strings.Contains(body, "wp-admin") {
		t.Error("a 404's path became a label")
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", body)
	}

	for _, tc := range []struct {
		attrs string
		n     int
	}{
		{`level=INFO msg=request method=GET route=/book/{id} status=200`, 2},
		{`level=WARN msg=request method=GET route=/book/{id} status=401`, 1},
		{`level=WARN msg=request method=GET path=/no/such/page status=404`, 1},
		{`level=WARN msg=request method=GET path=/wp-admin/setup.php status=404`, 1},
	} {
		if n := strings.Count(logs.String(), tc.attrs+" "); n != tc.n {
			t.Errorf("%d access-log lines with %q, want %d", n, tc.attrs, tc.n)
		}
	}
}

// Every response carries a request id, the caller's if it sent one, and
// error bodies quote it, 404s included.
func TestRequestID(t *testing.T) {
	kit, _ := opsKit(t, nil)
	kit.GET("/no/such/page").Header("X-Request-ID", "support-ticket-42").Do().
		Status(http.StatusNotFound).
		HasHeader("X-Request-ID", "support-ticket-42").
		JSON("$.requestId", "support-ticket-42")
	res := kit.GET("/api/user/info").Do().Status(http.StatusUnauthorized)
	if id := res.Header.Get("X-Request-ID"); id == "" {
		t.Error("no X-Request-ID on a generated response")
	} else {
		res.JSON("$.requestId", id)
	}
}

// /health/ready reports the database and, with sessions in Redis, Redis:
// DOWN (503) while Redis is stopped, UP again once it is back.
func TestReadiness(t *testing.T) {
	t.Run("memory sessions", func(t *testing.T) {
		kit, _ := opsKit(t, nil)
		kit.GET("/health/ready").Do().Status(http.StatusOK).
			JSON("$.status", "UP").JSON("$.components.db.status", "UP").JSONAbsent("$.components.redis")
		kit.GET("/health/live").Do().Status(http.StatusOK)
	})
	t.Run("redis sessions", func(t *testing.T) {
		srv := redistest.Server(t)
		kit, _ := opsKit(t, map[string]string{envRedisAddr: srv.Addr()})
		kit.GET("/health/ready").Do().Status(http.StatusOK).
			JSON("$.status", "UP").JSON("$.components.redis.status", "UP")
		srv.Stop()
		kit.GET("/health/ready").Do().Status(http.StatusServiceUnavailable).
			JSON("$.status", "DOWN").JSON("$.components.db.status", "UP").JSON("$.components.redis.status", "DOWN")
		kit.GET("/health/live").Do().Status(http.StatusOK) // liveness ignores dependencies
		srv.Start()
		// go-redis redials a pool whose dials failed once a second.
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			res := kit.GET("/health/ready").Do()
			if res.Code == http.StatusOK {
				res.JSON("$.components.redis.status", "UP")
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("still not ready 5 s after Redis came back: %d %s", res.Code, res.Body)
			}
		}
	})
}

// With APP_TRACE_STDOUT=1 the app has a TracerProvider: a request to a
// book produces a server span named after its route template, and a
// handler span inside it. The test
// swaps the stdout exporter for an in-memory one.
func TestTracing(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	var tp trace.TracerProvider
	kit, _ := opsKit(t, map[string]string{"APP_TRACE_STDOUT": "1"},
		fx.Replace(fx.Annotate(spans, fx.As(new(sdktrace.SpanExporter)))),
		fx.Populate(&tp))
	kit.GET("/book/{id}", 1).As(porticotest.User{ID: "1", Name: "admin"}).Do().Status(http.StatusOK)
	sdk, ok := tp.(*sdktrace.TracerProvider)
	if !ok {
		t.Fatalf("TracerProvider is %T", tp)
	}
	if err := sdk.ForceFlush(t.Context()); err != nil {
		t.Fatal(err)
	}
	byName := map[string]tracetest.SpanStub{}
	var names []string
	for _, s := range spans.GetSpans() {
		names = append(names, s.Name)
		byName[s.Name] = s
	}
	server, ok := byName["GET /book/{id}"]
	if !ok || server.SpanKind != trace.SpanKindServer {
		t.Fatalf("no server span GET /book/{id}; spans: %q", names)
	}
	if h, ok := byName["handle /book/{id}"]; !ok || h.Parent.SpanID() != server.SpanContext.SpanID() {
		t.Errorf("no handler span under the server span; spans: %q", names)
	}
}

// Without the variable there is no TracerProvider at all.
func TestTracingOff(t *testing.T) {
	var tp struct {
		fx.In
		P trace.TracerProvider `optional:"true"`
	}
	opsKit(t, nil, fx.Populate(&tp))
	if tp.P != nil {
		t.Errorf("TracerProvider %T without APP_TRACE_STDOUT", tp.P)
	}
}

// TestTraceStdout runs the real entry point with APP_TRACE_STDOUT=1: the
// spans of a request reach stdout by the time run returns (stopping the
// app flushes the batch).
func TestTraceStdout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stdout, logs := &syncBuffer{}, &syncBuffer{}
	env := mapEnv(map[string]string{envJWTSecret: testSecret, "APP_TRACE_STDOUT": "1"})
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", addr, "-db", tempDB(t)}, env, stdout, logs) }()
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if res, err := client.Get("http://" + addr + "/favicon.ico"); err == nil {
			res.Body.Close()
			break
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v\n%s", err, logs)
	}
	if !strings.Contains(stdout.String(), `"Name": "GET /favicon.ico"`) {
		t.Errorf("no span for GET /favicon.ico on stdout:\n%s\nlog:\n%s", stdout, logs)
	}
}
