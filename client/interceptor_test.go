package client

import (
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// trackedBody records whether it was closed.
type trackedBody struct {
	io.Reader
	closed atomic.Bool
}

func (b *trackedBody) Close() error { b.closed.Store(true); return nil }

func newResponse(req *http.Request, status int, body io.ReadCloser) *http.Response {
	return &http.Response{StatusCode: status, Header: http.Header{}, Body: body, Request: req}
}

// recorder is an interceptor that notes what it saw.
type recorder struct {
	mu    sync.Mutex
	paths []string
}

func (r *recorder) Intercept(c Chain) (*http.Response, error) {
	r.mu.Lock()
	r.paths = append(r.paths, c.Request().URL.Path)
	r.mu.Unlock()
	return c.Proceed(c.Request())
}

func (r *recorder) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.paths)
}

func TestChainOrder(t *testing.T) {
	var trace []string
	mark := func(name string) Interceptor {
		return InterceptorFunc(func(c Chain) (*http.Response, error) {
			trace = append(trace, name+">")
			resp, err := c.Proceed(c.Request())
			trace = append(trace, "<"+name)
			return resp, err
		})
	}
	terminal := func(req *http.Request) (*http.Response, error) {
		trace = append(trace, "network")
		return newResponse(req, http.StatusOK, http.NoBody), nil
	}
	req := httptest.NewRequest(http.MethodGet, "http://example.test/", nil)
	resp, err := run([]Interceptor{mark("a"), mark("b")}, terminal, req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := []string{"a>", "b>", "network", "<b", "<a"}
	if !slices.Equal(trace, want) {
		t.Fatalf("trace = %v, want %v", trace, want)
	}
}

func TestChainSettlesContractViolations(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name     string
		resp     func(req *http.Request, body *trackedBody) *http.Response
		err      error
		wantErr  error
		wantBody bool // the response body is non-nil and open
	}{
		{
			name:    "neither response nor error",
			resp:    func(*http.Request, *trackedBody) *http.Response { return nil },
			wantErr: errNoResult,
		},
		{
			name:    "both response and error",
			resp:    func(req *http.Request, b *trackedBody) *http.Response { return newResponse(req, 200, b) },
			err:     boom,
			wantErr: boom,
		},
		{
			name:     "nil body",
			resp:     func(req *http.Request, _ *trackedBody) *http.Response { return newResponse(req, 200, nil) },
			wantBody: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := &trackedBody{Reader: strings.NewReader("x")}
			sloppy := InterceptorFunc(func(c Chain) (*http.Response, error) {
				return tt.resp(c.Request(), body), tt.err
			})
			req := httptest.NewRequest(http.MethodGet, "http://example.test/", nil)
			resp, err := run([]Interceptor{sloppy}, nil, req)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				if resp != nil {
					t.Fatalf("got a response along with error %v", err)
				}
				if tt.err != nil && !body.closed.Load() {
					t.Fatal("body of a response returned with an error was not closed")
				}
				return
			}
			if resp.Body == nil || resp.Request == nil {
				t.Fatalf("response not completed: body %v, request %v", resp.Body, resp.Request)
			}
		})
	}
}

// TestShortCircuit checks that an interceptor can answer without the
// network, and that the request body is still closed as RoundTrip promises.
func TestShortCircuit(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
	}))
	defer srv.Close()

	network := &recorder{}
	cached := InterceptorFunc(func(c Chain) (*http.Response, error) {
		return newResponse(c.Request(), http.StatusTeapot, io.NopCloser(strings.NewReader("from cache"))), nil
	})
	hc := New(WithInterceptors(cached), WithNetworkInterceptors(network))

	body := &trackedBody{Reader: strings.NewReader("payload")}
	req, err := http.NewRequest(http.MethodPost, srv.URL, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	if resp.StatusCode != http.StatusTeapot || string(got) != "from cache" {
		t.Errorf("response = %d %q, want 418 %q", resp.StatusCode, got, "from cache")
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("server hit %d times, want 0", n)
	}
	if seen := network.seen(); len(seen) != 0 {
		t.Errorf("network interceptor saw %v, want nothing", seen)
	}
	if !body.closed.Load() {
		t.Error("request body not closed")
	}
}

// TestProceedTwiceClosesDroppedBody checks that the chain closes the
// response an interceptor drops when it proceeds again, and only that one.
func TestProceedTwiceClosesDroppedBody(t *testing.T) {
	var bodies []*trackedBody
	base := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		b := &trackedBody{Reader: strings.NewReader("attempt")}
		bodies = append(bodies, b)
		return newResponse(req, http.StatusOK, b), nil
	})
	twice := InterceptorFunc(func(c Chain) (*http.Response, error) {
		if _, err := c.Proceed(c.Request()); err != nil {
			return nil, err
		}
		return c.Proceed(c.Request()) // drops the first response unread
	})
	hc := New(WithInterceptors(twice), WithTransport(base))

	resp, err := hc.Get("http://example.test/")
	if err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 2 {
		t.Fatalf("%d network attempts, want 2", len(bodies))
	}
	if !bodies[0].closed.Load() {
		t.Error("dropped body of the first attempt was not closed")
	}
	if bodies[1].closed.Load() {
		t.Error("body of the returned response was closed before the caller read it")
	}
	if got, _ := io.ReadAll(resp.Body); string(got) != "attempt" {
		t.Errorf("body = %q", got)
	}
	resp.Body.Close()
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// TestInterceptorTiers checks where each tier sits: application
// interceptors once per call, network interceptors once per hop.
func TestInterceptorTiers(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/one", http.RedirectHandler("/end", http.StatusFound))
	mux.Handle("/two", http.RedirectHandler("/one", http.StatusMovedPermanently))
	mux.HandleFunc("/end", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "end") })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tests := []struct {
		path        string
		wantNetwork []string
	}{
		{"/end", []string{"/end"}},
		{"/one", []string{"/one", "/end"}},
		{"/two", []string{"/two", "/one", "/end"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			app, network := &recorder{}, &recorder{}
			hc := New(WithInterceptors(app), WithNetworkInterceptors(network))
			resp, err := hc.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || string(got) != "end" {
				t.Fatalf("response = %d %q, want the redirect target", resp.StatusCode, got)
			}
			if seen := app.seen(); !slices.Equal(seen, []string{tt.path}) {
				t.Errorf("application interceptor saw %v, want [%s] once", seen, tt.path)
			}
			if seen := network.seen(); !slices.Equal(seen, tt.wantNetwork) {
				t.Errorf("network interceptor saw %v, want %v", seen, tt.wantNetwork)
			}
		})
	}
}

// TestRedirectPolicy checks that WithCheckRedirect governs the only place
// redirects are followed, and that the outer client does not follow the 3xx
// it lets through.
func TestRedirectPolicy(t *testing.T) {
	srv := httptest.NewServer(http.RedirectHandler("/elsewhere", http.StatusFound))
	defer srv.Close()

	network := &recorder{}
	hc := New(
		WithNetworkInterceptors(network),
		WithCheckRedirect(func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }),
	)
	resp, err := hc.Get(srv.URL + "/start")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Errorf("status = %d, want 302", resp.StatusCode)
	}
	if seen := network.seen(); !slices.Equal(seen, []string{"/start"}) {
		t.Errorf("network saw %v, want only /start", seen)
	}
}

// TestNewTransport checks the network tier on its own in a plain client.
func TestNewTransport(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/from", http.RedirectHandler("/to", http.StatusFound))
	mux.HandleFunc("/to", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Header.Get("X-Added"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	network := &recorder{}
	addHeader := InterceptorFunc(func(c Chain) (*http.Response, error) {
		r := c.Request().Clone(c.Request().Context())
		r.Header.Set("X-Added", "yes")
		return c.Proceed(r)
	})
	hc := &http.Client{Transport: NewTransport(nil, network, addHeader)}
	resp, err := hc.Get(srv.URL + "/from")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(got) != "yes" {
		t.Errorf("header seen by server = %q, want yes", got)
	}
	if seen := network.seen(); !slices.Equal(seen, []string{"/from", "/to"}) {
		t.Errorf("network saw %v", seen)
	}
	if NewTransport(nil) != http.DefaultTransport {
		t.Error("NewTransport without interceptors should be the base transport itself")
	}
}

// TestErrorNotDoubleWrapped checks that a transport error reads as one
// *url.Error, not one inside another.
func TestErrorNotDoubleWrapped(t *testing.T) {
	boom := errors.New("boom")
	hc := New(WithTransport(roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, boom })))
	_, err := hc.Get("http://example.test/x")
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if n := strings.Count(err.Error(), "example.test"); n != 1 {
		t.Errorf("error %q names the URL %d times, want once", err, n)
	}
}

// TestCookieJarPerHop checks that WithJar applies cookies on every redirect
// hop, below the application interceptors.
func TestCookieJarPerHop(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s1", Path: "/"})
		http.Redirect(w, r, "/me", http.StatusFound)
	})
	mux.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("sid")
		if err != nil {
			http.Error(w, "no cookie", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, c.Value)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	hc := New(WithJar(jar))
	resp, err := hc.Get(srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(got) != "s1" {
		t.Errorf("got %d %q, want 200 s1", resp.StatusCode, got)
	}
}
