package portico_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
)

type stalledBook struct {
	Title string `json:"title"`
}

// startServer runs portico.Module with cfg supplied as given (value or
// pointer) and a few routes.
func startServer(t *testing.T, cfg any) *portico.Server {
	t.Helper()
	var srv *portico.Server
	app := fxtest.New(t,
		portico.Module,
		fx.Supply(cfg),
		fx.Provide(portico.AsRegistrar(func() portico.Registrar {
			return portico.RegistrarFunc(func(d *dispatcher.Dispatcher) error {
				return errors.Join(
					d.GET("/hello", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })),
					d.POST("/book", handler.Typed(func(ctx context.Context, in stalledBook) (*handler.Response, error) {
						return handler.NewResponse(201, in), nil
					})),
					// ignores its body: net/http then drains it before answering
					d.POST("/ignore", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ignored") })),
					d.POST("/raw", handler.Function(func(r handler.Request) (*handler.Response, error) {
						n, err := io.Copy(io.Discard, r.Body)
						if err != nil {
							return nil, err
						}
						return handler.NewResponse(200, n), nil
					})),
					d.GET("/slow", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						// A slow report opts out of the write deadline when asked to.
						if r.URL.Query().Get("optout") != "" {
							if err := http.NewResponseController(w).SetWriteDeadline(time.Time{}); err != nil {
								http.Error(w, err.Error(), 500)
								return
							}
						}
						time.Sleep(400 * time.Millisecond)
						io.WriteString(w, "done")
					})),
					d.POST("/upload", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						// A long upload opts out of the server's read deadline.
						if err := http.NewResponseController(w).SetReadDeadline(time.Time{}); err != nil {
							http.Error(w, err.Error(), 500)
							return
						}
						n, err := io.Copy(io.Discard, r.Body)
						if err != nil {
							http.Error(w, err.Error(), 400)
							return
						}
						fmt.Fprint(w, n)
					})),
				)
			})
		})),
		fx.Populate(&srv),
	)
	app.RequireStart()
	t.Cleanup(app.RequireStop)
	return srv
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestStalledBodies is the denial of service the timeouts close: 50
// clients announce a 100-byte body and never send it. Every connection is
// closed soon after ReadTimeout, whether the handler reads the body (then
// it learns of the timeout: 408) or ignores it (net/http would wait to
// drain it), and the server answers others meanwhile.
func TestStalledBodies(t *testing.T) {
	const readTimeout = 500 * time.Millisecond
	srv := startServer(t, portico.Config{Addr: "127.0.0.1:0", ReadTimeout: readTimeout})
	paths := []string{"/book", "/ignore", "/raw"}
	const n = 50
	start := time.Now()
	var wg sync.WaitGroup
	closedAfter := make([]time.Duration, n)
	statuses := make([]string, n)
	for i := range n {
		conn, err := net.Dial("tcp", srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		path := paths[i%len(paths)]
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n", path)
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn.SetReadDeadline(time.Now().Add(10 * time.Second)) // the test's own bound
			line, _ := bufio.NewReader(conn).ReadString('\n')
			statuses[i] = path + " " + strings.TrimSpace(line)
			io.Copy(io.Discard, conn) // until the server closes
			closedAfter[i] = time.Since(start)
		}()
	}
	// While they stall, others are served.
	time.Sleep(readTimeout / 5)
	for range 5 {
		if code, body := get(t, "http://"+srv.Addr()+"/hello"); code != 200 || body != "hello" {
			t.Fatalf("GET /hello during the stall: %d %q", code, body)
		}
	}
	wg.Wait()
	for i, d := range closedAfter {
		if d < readTimeout || d > readTimeout+2*time.Second {
			t.Errorf("connection %d (%s) closed after %v, want shortly after %v", i, statuses[i], d, readTimeout)
		}
		if strings.HasPrefix(statuses[i], "/book") && !strings.Contains(statuses[i], "408") {
			t.Errorf("connection %d: %q, want 408", i, statuses[i])
		}
	}
	t.Logf("first: %s; last closed after %v", statuses[0], slicesMax(closedAfter))
}

func slicesMax(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}

// TestReadDeadlineOptOut: a handler that extends its own read deadline
// receives a body slower than ReadTimeout.
func TestReadDeadlineOptOut(t *testing.T) {
	srv := startServer(t, &portico.Config{Addr: "127.0.0.1:0", ReadTimeout: 200 * time.Millisecond})
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte("12345"))
		time.Sleep(500 * time.Millisecond)
		pw.Write([]byte("67890"))
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", "http://"+srv.Addr()+"/upload", pr)
	req.ContentLength = 10
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(b) != "10" {
		t.Errorf("slow upload: %d %q", resp.StatusCode, b)
	}
}

func TestLimits(t *testing.T) {
	srv := startServer(t, portico.Config{Addr: "127.0.0.1:0", MaxBodyBytes: 1000, MaxHeaderBytes: 4 << 10})
	post := func(path string, size int) int {
		resp, err := http.Post("http://"+srv.Addr()+path, "application/json", strings.NewReader(`{"title":"`+strings.Repeat("x", size)+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post("/raw", 10); got != 200 {
		t.Errorf("small body: %d", got)
	}
	if got := post("/raw", 2000); got != 413 {
		t.Errorf("raw handler, body over MaxBodyBytes: %d, want 413", got)
	}
	if got := post("/book", 2000); got != 413 {
		t.Errorf("bound body over MaxBodyBytes: %d, want 413", got)
	}
	req, _ := http.NewRequest("GET", "http://"+srv.Addr()+"/hello", nil)
	req.Header.Set("X-Big", strings.Repeat("y", 8<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("headers over MaxHeaderBytes: %d, want 431", resp.StatusCode)
	}
}

func TestConfigDefaults(t *testing.T) {
	srv := startServer(t, portico.Config{Addr: "127.0.0.1:0"})
	h := srv.HTTP
	if h.ReadTimeout != portico.DefaultReadTimeout || h.WriteTimeout != portico.DefaultWriteTimeout ||
		h.MaxHeaderBytes != portico.DefaultMaxHeaderBytes || h.ReadHeaderTimeout != 10*time.Second {
		t.Errorf("defaults: read %v write %v header bytes %d", h.ReadTimeout, h.WriteTimeout, h.MaxHeaderBytes)
	}
	off := startServer(t, &portico.Config{Addr: "127.0.0.1:0", ReadTimeout: -1, WriteTimeout: -1})
	if off.HTTP.ReadTimeout != 0 || off.HTTP.WriteTimeout != 0 {
		t.Errorf("negative should disable: %v %v", off.HTTP.ReadTimeout, off.HTTP.WriteTimeout)
	}
}

// TestConfigValueOrPointer: fx.Supply(portico.Config{...}) used to be
// ignored silently (the server listened on 127.0.0.1:8080).
func TestConfigValueOrPointer(t *testing.T) {
	for _, cfg := range []any{portico.Config{Addr: "127.0.0.1:0"}, &portico.Config{Addr: "127.0.0.1:0"}} {
		srv := startServer(t, cfg)
		if strings.HasSuffix(srv.Addr(), ":8080") {
			t.Errorf("%T: Config ignored, listening on %s", cfg, srv.Addr())
		}
	}
	app := fx.New(portico.Module, fx.Supply(portico.Config{Addr: "127.0.0.1:0"}, &portico.Config{Addr: "127.0.0.1:0"}), fx.NopLogger)
	if err := app.Err(); err == nil || !strings.Contains(err.Error(), "supply one") {
		t.Errorf("both supplied: %v", err)
	}
}

// TestWriteTimeout: a response not written within WriteTimeout is cut off;
// a handler that extends its own deadline finishes.
func TestWriteTimeout(t *testing.T) {
	srv := startServer(t, portico.Config{Addr: "127.0.0.1:0", WriteTimeout: 200 * time.Millisecond})
	c := &http.Client{Transport: &http.Transport{}}
	defer c.CloseIdleConnections()
	if resp, err := c.Get("http://" + srv.Addr() + "/slow"); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Errorf("slow response past WriteTimeout arrived: %d %q", resp.StatusCode, b)
	}
	resp, err := c.Get("http://" + srv.Addr() + "/slow?optout=1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "done" {
		t.Errorf("opted-out response: %d %q", resp.StatusCode, b)
	}
}

// BenchmarkBodyLimit: the server's handler (dispatcher and body limit)
// with the default limit and with none, for a request without a body and
// one with a small JSON body, side by side.
func BenchmarkBodyLimit(b *testing.B) {
	for _, bc := range []struct {
		name  string
		limit int64
	}{{"limit", 0}, {"none", -1}} {
		var srv *portico.Server
		app := fx.New(portico.Module, fx.NopLogger,
			fx.Supply(portico.Config{Addr: "127.0.0.1:0", MaxBodyBytes: bc.limit}),
			fx.Provide(portico.AsRegistrar(func() portico.Registrar {
				return portico.RegistrarFunc(func(d *dispatcher.Dispatcher) error {
					return errors.Join(
						d.GET("/hello", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })),
						d.POST("/book", handler.Typed(func(ctx context.Context, in stalledBook) (*handler.Response, error) {
							return handler.NewResponse(201, in), nil
						})),
					)
				})
			})),
			fx.Populate(&srv))
		if err := app.Err(); err != nil {
			b.Fatal(err)
		}
		h := srv.HTTP.Handler
		b.Run("GET/"+bc.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "/hello", nil)
			for b.Loop() {
				h.ServeHTTP(httptest.NewRecorder(), r)
			}
		})
		b.Run("POST/"+bc.name, func(b *testing.B) {
			for b.Loop() {
				r := httptest.NewRequest("POST", "/book", strings.NewReader(`{"title":"Dune"}`))
				r.Header.Set("Content-Type", "application/json")
				h.ServeHTTP(httptest.NewRecorder(), r)
			}
		})
	}
}
