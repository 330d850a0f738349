package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portico-go/portico/client"
)

// Application interceptors see the call once; network interceptors see
// every hop of the redirect.
func ExampleNew() {
	mux := http.NewServeMux()
	mux.Handle("/old", http.RedirectHandler("/new", http.StatusMovedPermanently))
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	trace := func(tier string) client.Interceptor {
		return client.InterceptorFunc(func(c client.Chain) (*http.Response, error) {
			fmt.Println(tier, c.Request().URL.Path)
			return c.Proceed(c.Request())
		})
	}
	hc := client.New(
		client.WithInterceptors(trace("application")),
		client.WithNetworkInterceptors(trace("network")),
	)
	resp, err := hc.Get(srv.URL + "/old")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output:
	// application /old
	// network /old
	// network /new
	// 200 hello
}

// An interceptor that does not call Proceed answers the call itself; here a
// canned response stands in for the network.
func ExampleInterceptorFunc() {
	offline := client.InterceptorFunc(func(c client.Chain) (*http.Response, error) {
		return &http.Response{
			StatusCode: http.StatusServiceUnavailable,
			Header:     http.Header{"Content-Type": {"text/plain"}},
			Body:       io.NopCloser(strings.NewReader("offline mode")),
		}, nil
	})
	hc := client.New(client.WithInterceptors(offline))
	resp, err := hc.Get("https://api.example.com/items")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output: 503 offline mode
}

// NewTransport puts network interceptors into any *http.Client, or into any
// library that takes an http.RoundTripper.
func ExampleNewTransport() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.UserAgent())
	}))
	defer srv.Close()

	userAgent := client.InterceptorFunc(func(c client.Chain) (*http.Response, error) {
		req := c.Request().Clone(c.Request().Context()) // never modify the caller's request
		req.Header.Set("User-Agent", "portico/1.0")
		return c.Proceed(req)
	})
	hc := &http.Client{Transport: client.NewTransport(nil, userAgent)}
	resp, err := hc.Get(srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(string(body))
	// Output: portico/1.0
}

// BearerAuth logs in once, then refreshes the expired access token behind
// the caller's back. The server here is a minimal version of the example
// app's token endpoints.
func ExampleBearerAuth() {
	var mu sync.Mutex
	valid := map[string]bool{} // access and refresh tokens the server accepts
	n := 0
	issue := func(w http.ResponseWriter) {
		mu.Lock()
		defer mu.Unlock()
		n++
		access, refresh := fmt.Sprintf("access-%d", n), fmt.Sprintf("refresh-%d", n)
		valid[access], valid[refresh] = true, true
		json.NewEncoder(w).Encode(map[string]any{"code": 200, "message": "ok", "data": map[string]any{
			"accessToken": access, "refreshToken": refresh, "tokenType": "Bearer", "expiresIn": 900,
		}})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /user/login", func(w http.ResponseWriter, r *http.Request) { issue(w) })
	mux.HandleFunc("POST /user/refresh", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ RefreshToken string }
		json.NewDecoder(r.Body).Decode(&in)
		mu.Lock()
		ok := valid[in.RefreshToken]
		delete(valid, in.RefreshToken) // refresh tokens are single-use
		mu.Unlock()
		if !ok {
			http.Error(w, `{"code":401,"message":"log in again"}`, http.StatusUnauthorized)
			return
		}
		fmt.Println("server: refreshed")
		issue(w)
	})
	mux.HandleFunc("/api/me", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ok := valid[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		mu.Unlock()
		if !ok {
			fmt.Println("server: 401")
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "alice")
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	store := &client.MemoryStore{}
	auth := &client.BearerAuth{
		Store:         store,
		Refresher:     client.JSONRefresher(srv.URL + "/user/refresh"),
		RefreshClient: &http.Client{Timeout: 10 * time.Second}, // no interceptors
	}
	hc := client.New(client.WithInterceptors(auth))

	tokens, err := client.Login(context.Background(), nil, srv.URL+"/user/login", "alice", "secret")
	if err != nil {
		log.Fatal(err)
	}
	tokens.Access = "expired" // pretend fifteen minutes have passed
	store.SetTokens(tokens)

	resp, err := hc.Get(srv.URL + "/api/me")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	current, _ := store.Tokens()
	fmt.Println(resp.StatusCode, string(body), current.Access)
	// Output:
	// server: 401
	// server: refreshed
	// 200 alice access-2
}

// Retry repeats an idempotent request after a 503, waiting as long as
// Retry-After asks.
func ExampleRetry() {
	var attempts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if attempts.Add(1) < 3 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()

	hc := client.New(client.WithInterceptors(client.Retry{MaxAttempts: 4}))
	resp, err := hc.Get(srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body), "after", attempts.Load(), "attempts")
	// Output: 200 ok after 3 attempts
}

// Logging keeps tokens out of the log.
func ExampleLogging() {
	// Drop the time and duration so that the output is reproducible.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		},
	}))
	fake := roundTripper(func(req *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
	})
	hc := client.New(
		client.WithTransport(fake),
		client.WithNetworkInterceptors(client.Logging{Logger: logger, Headers: true}),
	)
	req, _ := http.NewRequest(http.MethodGet, "https://api.example.com/items?page=2&access_token=s3cr3t", nil)
	req.Header.Set("Authorization", "Bearer s3cr3t")
	resp, err := hc.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	// Output:
	// level=INFO msg="http request" method=GET url="https://api.example.com/items?page=2&access_token=REDACTED" attempt=1 status=200 request_headers.Authorization="Bearer REDACTED"
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }
