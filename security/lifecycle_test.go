package security

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/fx"
	"go.uber.org/goleak"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
)

// TestClientDisconnect cuts the connection while a protected handler
// waits: the request's context is cancelled, the handler returns, every
// AfterCompletion runs with the cancellation, and once the server is shut
// down no goroutine is left behind.
func TestClientDisconnect(t *testing.T) {
	// Registered first, so it runs last: after the server, clients and
	// Manager are closed by the cleanups registered below.
	t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })

	entered := make(chan struct{}, 1)
	afters := make(chan error, 2)
	a := newApp(t, appConfig{routes: func(t testing.TB, d *dispatcher.Dispatcher) {
		d.Interceptors().AddInterceptor(interceptor.Funcs{After: func(_ http.ResponseWriter, _ *http.Request, _ *handler.Route, err error) {
			afters <- err
		}}).Name("recorder").AddPathPatterns("/wait")
		must(t, d.GET("/wait", handler.Typed(func(ctx context.Context, _ handler.Empty) (envelope, error) {
			entered <- struct{}{}
			<-ctx.Done()
			return envelope{}, ctx.Err()
		})))
	}}).serve()
	tok := a.login(t, a.client(1), "reader", "reader123")

	for _, cut := range []string{"after the request", "half-way through the headers"} {
		conn, err := net.Dial("tcp", a.addr())
		must(t, err)
		req := fmt.Sprintf("GET /wait HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", tok.AccessToken)
		if cut == "half-way through the headers" {
			// Nothing reaches a handler; the server must just drop it.
			io.WriteString(conn, req[:len(req)/2])
			conn.Close()
			continue
		}
		io.WriteString(conn, req)
		select {
		case <-entered:
		case <-time.After(10 * time.Second):
			t.Fatal("the handler never started")
		}
		conn.Close()
		select {
		case err := <-afters:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("AfterCompletion got %v, want context.Canceled", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("AfterCompletion did not run after the client went away")
		}
	}
	// The server still serves.
	if r := call(t, a.client(1), http.MethodGet, a.srv.URL+"/book/list", tok.AccessToken, nil); r.status != 200 {
		t.Errorf("after disconnects: %d %s", r.status, r.body)
	}
}

// TestGracefulShutdownUnderLoad stops a portico.Module app (through fx)
// while 50 clients each wait for a slow 256 KiB answer: new connections
// are refused once shutdown starts, and every in-flight request still
// gets its whole answer.
func TestGracefulShutdownUnderLoad(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })
	const clients = 50
	body := bytes.Repeat([]byte("0123456789abcdef"), 16<<10) // 256 KiB
	entered := make(chan struct{}, clients)
	release := make(chan struct{})
	var releaseOnce sync.Once
	// A failing test must not leave handlers blocked for ever.
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) })
	var logs syncBuffer
	var srv *portico.Server
	app := fx.New(
		portico.Module,
		fx.NopLogger,
		fx.Supply(&portico.Config{Addr: "127.0.0.1:0", ShutdownTimeout: 30 * time.Second}),
		fx.Supply(slog.New(slog.NewTextHandler(&logs, nil))),
		fx.Provide(portico.AsRegistrar(func() portico.RegistrarFunc {
			return func(d *dispatcher.Dispatcher) error {
				return d.GET("/slow", func(w http.ResponseWriter, r *http.Request) {
					entered <- struct{}{}
					<-release
					w.Header().Set("Content-Type", "application/octet-stream")
					w.Write(body)
				})
			}
		})),
		fx.Populate(&srv),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	must(t, app.Start(ctx))
	addr := srv.Addr()

	type result struct {
		r   reply
		err error
	}
	results := make(chan result, clients)
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &rawClient{addr: addr}
			defer c.close()
			r, err := c.do(http.MethodGet, "/slow")
			results <- result{r, err}
		}()
	}
	for i := 0; i < clients; i++ {
		select {
		case <-entered:
		case <-time.After(20 * time.Second):
			t.Fatalf("only %d of %d requests reached the handler", i, clients)
		}
	}

	stopped := make(chan error, 1)
	go func() { stopped <- app.Stop(ctx) }()
	// Shutdown closes the listener first; poll until a dial is refused.
	refusedBy := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(refusedBy) {
			t.Fatal("new connections still accepted 10s into shutdown")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-stopped:
		t.Fatalf("shutdown finished (%v) while %d requests were in flight", err, clients)
	default:
	}

	releaseOnce.Do(func() { close(release) })
	wg.Wait()
	close(results)
	complete := 0
	for res := range results {
		switch {
		case res.err != nil:
			t.Errorf("in-flight request cut: %v", res.err)
		case res.r.status != 200 || res.r.body != string(body):
			t.Errorf("in-flight request got %d with %d of %d bytes", res.r.status, len(res.r.body), len(body))
		default:
			complete++
		}
	}
	if err := <-stopped; err != nil {
		t.Errorf("Stop: %v", err)
	}
	t.Logf("%d of %d in-flight requests completed during shutdown", complete, clients)
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("errors logged during shutdown:\n%s", logs.String())
	}
}
