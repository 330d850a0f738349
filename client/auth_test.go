package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// hangGuard bounds waits that only a broken implementation would make
// long; it is never a timing assertion.
const hangGuard = 30 * time.Second

func newAuthClient(s *authServer, store TokenStore) (*http.Client, *BearerAuth) {
	auth := &BearerAuth{
		Store:         store,
		Refresher:     JSONRefresher(s.URL + "/user/refresh"),
		RefreshClient: &http.Client{Timeout: hangGuard},
	}
	return New(WithInterceptors(auth)), auth
}

// post sends body to path and returns the status and echoed body.
func post(ctx context.Context, hc *http.Client, url, body string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(got), err
}

// barrier is closed once n parties have arrived.
type barrier struct {
	mu   sync.Mutex
	n    int
	done chan struct{}
}

func newBarrier(n int) *barrier { return &barrier{n: n, done: make(chan struct{})} }

func (b *barrier) arrive() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.n--; b.n == 0 {
		close(b.done)
	}
}

func (b *barrier) wait(t *testing.T, what string) {
	select {
	case <-b.done:
	case <-time.After(hangGuard):
		t.Errorf("gave up waiting for %s", what)
	}
}

const concurrent = 50

// TestBearerAuthSingleRefresh sends 50 requests with an expired token. The
// server holds the refresh until all 50 have been rejected, so every one of
// them needs the new token while the refresh is still in flight.
func TestBearerAuthSingleRefresh(t *testing.T) {
	s := newAuthServer(t)
	all401 := newBarrier(concurrent)
	s.onReject = all401.arrive
	s.beforeRefresh = func() { all401.wait(t, "all requests to be rejected") }

	store := &MemoryStore{}
	store.SetTokens(Tokens{Access: "expired", Refresh: "refresh-0"})
	hc, _ := newAuthClient(s, store)

	var wg sync.WaitGroup
	errs := make(chan error, concurrent)
	for i := range concurrent {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"request":%d}`, i)
			status, got, err := post(t.Context(), hc, s.URL+"/api/echo", body)
			switch {
			case err != nil:
				errs <- err
			case status != http.StatusOK || got != body:
				errs <- fmt.Errorf("request %d: got %d %q, want 200 %q", i, status, got, body)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	if n := s.refreshes.Load(); n != 1 {
		t.Errorf("refresh calls = %d, want 1", n)
	}
	if n := s.rejected.Load(); n != concurrent {
		t.Errorf("401s = %d, want %d", n, concurrent)
	}
	if n := s.served.Load(); n != concurrent {
		t.Errorf("retries served = %d, want %d", n, concurrent)
	}
	if tok, _ := store.Tokens(); tok != (Tokens{Access: "access-1", Refresh: "refresh-1"}) {
		t.Errorf("stored tokens = %+v, want the refreshed pair", tok)
	}
}

// TestBearerAuthRefreshFailure checks that a failed refresh fails every
// waiting request once with ErrSessionExpired, and that later 401s for the
// same dead token do not refresh again, until the user logs in.
func TestBearerAuthRefreshFailure(t *testing.T) {
	s := newAuthServer(t)
	all401 := newBarrier(concurrent)
	s.onReject = all401.arrive
	s.beforeRefresh = func() { all401.wait(t, "all requests to be rejected") }

	store := &MemoryStore{}
	store.SetTokens(Tokens{Access: "expired", Refresh: "revoked"})
	hc, _ := newAuthClient(s, store)

	var wg sync.WaitGroup
	errs := make(chan error, concurrent)
	for range concurrent {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := post(t.Context(), hc, s.URL+"/api/echo", "x")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, ErrSessionExpired) {
			t.Errorf("err = %v, want ErrSessionExpired", err)
		}
	}
	if n := s.refreshes.Load(); n != 1 {
		t.Errorf("refresh calls = %d, want 1", n)
	}
	if n := s.rejected.Load(); n != concurrent {
		t.Errorf("401s = %d, want %d (one per request, no retries)", n, concurrent)
	}

	// A later call with the same dead session fails the same way without
	// asking the server for another refresh.
	s.onReject = nil
	if _, _, err := post(t.Context(), hc, s.URL+"/api/echo", "x"); !errors.Is(err, ErrSessionExpired) {
		t.Errorf("later call: err = %v, want ErrSessionExpired", err)
	}
	if n := s.refreshes.Load(); n != 1 {
		t.Errorf("refresh calls after a later 401 = %d, want still 1", n)
	}

	// Logging in again revives the client.
	tok, err := Login(t.Context(), nil, s.URL+"/user/login", "alice", "secret")
	if err != nil {
		t.Fatal(err)
	}
	store.SetTokens(tok)
	if status, _, err := post(t.Context(), hc, s.URL+"/api/echo", "x"); err != nil || status != http.StatusOK {
		t.Errorf("after login: %d, %v; want 200", status, err)
	}
}

// TestBearerAuthReplacedToken checks that a 401 for a token that has been
// replaced in the meantime is retried with the current token, not refreshed.
func TestBearerAuthReplacedToken(t *testing.T) {
	s := newAuthServer(t)
	slowEntered, releaseSlow := make(chan struct{}), make(chan struct{})
	s.beforeCheck = func(r *http.Request) {
		if r.URL.Path == "/api/slow" && r.Header.Get("Authorization") == "Bearer expired" {
			close(slowEntered)
			<-releaseSlow
		}
	}
	store := &MemoryStore{}
	store.SetTokens(Tokens{Access: "expired", Refresh: "refresh-0"})
	hc, _ := newAuthClient(s, store)

	slow := make(chan error, 1)
	go func() {
		status, _, err := post(t.Context(), hc, s.URL+"/api/slow", "slow")
		if err == nil && status != http.StatusOK {
			err = fmt.Errorf("status %d", status)
		}
		slow <- err
	}()
	<-slowEntered // the slow request is on the server with the old token

	if status, _, err := post(t.Context(), hc, s.URL+"/api/echo", "fast"); err != nil || status != http.StatusOK {
		t.Fatalf("fast request: %d, %v", status, err)
	}
	close(releaseSlow) // now it gets its 401, for a token already replaced
	if err := <-slow; err != nil {
		t.Errorf("slow request: %v", err)
	}
	if n := s.refreshes.Load(); n != 1 {
		t.Errorf("refresh calls = %d, want 1", n)
	}
	if n := s.rejected.Load(); n != 2 {
		t.Errorf("401s = %d, want 2", n)
	}
}

// TestBearerAuthWaitRespectsContext cancels a request while it waits for a
// refresh, and checks that the refresh it started still completes for
// everyone else.
func TestBearerAuthWaitRespectsContext(t *testing.T) {
	s := newAuthServer(t)
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	s.beforeRefresh = func() {
		once.Do(func() { close(started) })
		<-release
	}
	store := &MemoryStore{}
	store.SetTokens(Tokens{Access: "expired", Refresh: "refresh-0"})
	hc, _ := newAuthClient(s, store)

	ctx, cancel := context.WithCancel(t.Context())
	waiting := make(chan error, 1)
	go func() {
		_, _, err := post(ctx, hc, s.URL+"/api/echo", "x")
		waiting <- err
	}()
	<-started
	cancel()
	select {
	case err := <-waiting:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(hangGuard):
		t.Fatal("cancelled request still waiting for the refresh")
	}

	close(release)
	if status, _, err := post(t.Context(), hc, s.URL+"/api/echo", "x"); err != nil || status != http.StatusOK {
		t.Errorf("next request: %d, %v; want 200", status, err)
	}
	if n := s.refreshes.Load(); n != 1 {
		t.Errorf("refresh calls = %d, want 1", n)
	}
}

// TestBearerAuthRefreshThroughItself checks that a refresh client wrongly
// built with the same BearerAuth neither loops nor deadlocks.
func TestBearerAuthRefreshThroughItself(t *testing.T) {
	s := newAuthServer(t)
	store := &MemoryStore{}
	store.SetTokens(Tokens{Access: "expired", Refresh: "revoked"})
	auth := &BearerAuth{Store: store, Refresher: JSONRefresher(s.URL + "/user/refresh")}
	hc := New(WithInterceptors(auth))
	auth.RefreshClient = hc

	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	defer cancel()
	if _, _, err := post(ctx, hc, s.URL+"/api/echo", "x"); !errors.Is(err, ErrSessionExpired) {
		t.Errorf("err = %v, want ErrSessionExpired", err)
	}
	if n := s.refreshes.Load(); n != 1 {
		t.Errorf("refresh calls = %d, want 1", n)
	}
}

func TestBearerAuthPassThrough(t *testing.T) {
	tests := []struct {
		name        string
		tokens      Tokens
		header      string // Authorization set by the caller
		body        io.Reader
		wantStatus  int
		wantRefresh int32
	}{
		{name: "no token: 401 returned as is", wantStatus: http.StatusUnauthorized},
		{name: "caller's own Authorization untouched", tokens: Tokens{Access: "expired", Refresh: "refresh-0"},
			header: "Bearer access-0", wantStatus: http.StatusOK},
		{name: "unreplayable body: 401 returned as is", tokens: Tokens{Access: "expired", Refresh: "refresh-0"},
			body: io.MultiReader(strings.NewReader("once")), wantStatus: http.StatusUnauthorized},
		{name: "valid token: no refresh", tokens: Tokens{Access: "access-0", Refresh: "refresh-0"},
			wantStatus: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newAuthServer(t)
			store := &MemoryStore{}
			store.SetTokens(tt.tokens)
			hc, _ := newAuthClient(s, store)
			req, err := http.NewRequest(http.MethodPost, s.URL+"/api/echo", tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if n := s.refreshes.Load(); n != tt.wantRefresh {
				t.Errorf("refresh calls = %d, want %d", n, tt.wantRefresh)
			}
		})
	}
}

// TestBearerAuthRenewalHeader covers the server's near-expiry renewal.
func TestBearerAuthRenewalHeader(t *testing.T) {
	tests := []struct {
		name   string
		sent   string
		stored string
		header string
		want   string
	}{
		{"renewal stored", "old", "old", "new", "new"},
		{"Bearer prefix trimmed", "old", "old", "Bearer new", "new"},
		{"no header", "old", "old", "", "old"},
		{"stale renewal ignored", "old", "refreshed", "new", "refreshed"},
		{"anonymous request ignored", "", "", "new", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &MemoryStore{}
			store.SetTokens(Tokens{Access: tt.stored, Refresh: "r"})
			auth := &BearerAuth{Store: store}
			resp := &http.Response{Header: http.Header{}}
			if tt.header != "" {
				resp.Header.Set("New-Token", tt.header)
			}
			auth.renewed(resp, tt.sent)
			if got, _ := store.Tokens(); got != (Tokens{Access: tt.want, Refresh: "r"}) {
				t.Errorf("stored %+v, want access %q", got, tt.want)
			}
		})
	}
}

// TestBearerAuthRenewalEndToEnd checks a New-Token header against the
// server: the renewed token is used by the next request.
func TestBearerAuthRenewalEndToEnd(t *testing.T) {
	s := newAuthServer(t)
	store := &MemoryStore{}
	store.SetTokens(Tokens{Access: "access-0", Refresh: "refresh-0"})
	hc, _ := newAuthClient(s, store)
	if _, _, err := post(t.Context(), hc, s.URL+"/api/renew", ""); err != nil {
		t.Fatal(err)
	}
	if status, _, err := post(t.Context(), hc, s.URL+"/api/echo", ""); err != nil || status != http.StatusOK {
		t.Errorf("after renewal: %d, %v; want 200", status, err)
	}
	if s.refreshes.Load() != 0 {
		t.Error("renewal should not need a refresh")
	}
}

// TestBearerAuthBodyReplay checks that the retried request carries the
// same bytes, for each way net/http can make a body replayable.
func TestBearerAuthBodyReplay(t *testing.T) {
	payload := `{"name":"portico","n":[1,2,3]}`
	tests := []struct {
		name string
		body func() io.Reader
	}{
		{"strings.Reader", func() io.Reader { return strings.NewReader(payload) }},
		{"bytes.Reader", func() io.Reader { return bytes.NewReader([]byte(payload)) }},
		{"bytes.Buffer", func() io.Reader { return bytes.NewBufferString(payload) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newAuthServer(t)
			store := &MemoryStore{}
			store.SetTokens(Tokens{Access: "expired", Refresh: "refresh-0"})
			hc, _ := newAuthClient(s, store)
			req, err := http.NewRequest(http.MethodPut, s.URL+"/api/echo", tt.body())
			if err != nil {
				t.Fatal(err)
			}
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || string(got) != payload {
				t.Errorf("got %d %q, want 200 %q", resp.StatusCode, got, payload)
			}
		})
	}
}
