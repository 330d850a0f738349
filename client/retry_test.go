package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// scriptedServer answers with statuses in turn (the last one repeats) and
// records the bodies it received. A status of 0 drops the connection.
type scriptedServer struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	header   http.Header
	bodies   []string
}

func newScriptedServer(t *testing.T, header http.Header, statuses ...int) *scriptedServer {
	s := &scriptedServer{statuses: statuses, header: header}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *scriptedServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	n := len(s.bodies)
	s.bodies = append(s.bodies, string(body))
	status := s.statuses[min(n, len(s.statuses)-1)]
	s.mu.Unlock()
	if status == 0 {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	for k, v := range s.header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	fmt.Fprintf(w, "attempt %d", n+1)
}

func (s *scriptedServer) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

// fastRetry keeps the real backoff code path but with delays too short to slow
// the tests down.
var fastRetry = Retry{BaseDelay: time.Microsecond, MaxDelay: time.Millisecond}

func TestRetry(t *testing.T) {
	tests := []struct {
		name       string
		retry      Retry
		method     string
		idemKey    bool
		header     http.Header
		statuses   []int
		wantHits   int
		wantStatus int
	}{
		{name: "GET after 503", method: "GET", statuses: []int{503, 200}, wantHits: 2, wantStatus: 200},
		{name: "GET after 502 and 504", method: "GET", statuses: []int{502, 504, 200}, wantHits: 3, wantStatus: 200},
		{name: "GET after 429", method: "GET", statuses: []int{429, 200}, wantHits: 2, wantStatus: 200},
		{name: "GET gives up after MaxAttempts", method: "GET", statuses: []int{503}, wantHits: 3, wantStatus: 503},
		{name: "MaxAttempts honoured", retry: Retry{MaxAttempts: 5}, method: "GET", statuses: []int{503}, wantHits: 5, wantStatus: 503},
		{name: "500 is not transient", method: "GET", statuses: []int{500, 200}, wantHits: 1, wantStatus: 500},
		{name: "404 is not transient", method: "GET", statuses: []int{404, 200}, wantHits: 1, wantStatus: 404},
		{name: "PUT is idempotent", method: "PUT", statuses: []int{503, 200}, wantHits: 2, wantStatus: 200},
		{name: "DELETE is idempotent", method: "DELETE", statuses: []int{503, 200}, wantHits: 2, wantStatus: 200},
		{name: "POST not retried", method: "POST", statuses: []int{503, 200}, wantHits: 1, wantStatus: 503},
		{name: "PATCH not retried", method: "PATCH", statuses: []int{503, 200}, wantHits: 1, wantStatus: 503},
		{name: "POST with Idempotency-Key", method: "POST", idemKey: true, statuses: []int{503, 200}, wantHits: 2, wantStatus: 200},
		{name: "POST when allowed", retry: Retry{AllowNonIdempotent: true}, method: "POST", statuses: []int{503, 200}, wantHits: 2, wantStatus: 200},
		{name: "Retry-After seconds", method: "GET", header: http.Header{"Retry-After": {"0"}}, statuses: []int{503, 200}, wantHits: 2, wantStatus: 200},
		{name: "Retry-After date in the past", method: "GET", header: http.Header{"Retry-After": {"Wed, 21 Oct 2015 07:28:00 GMT"}}, statuses: []int{429, 200}, wantHits: 2, wantStatus: 200},
		{name: "Retry-After beyond MaxDelay", method: "GET", header: http.Header{"Retry-After": {"3600"}}, statuses: []int{503, 200}, wantHits: 1, wantStatus: 503},
		{name: "connection dropped", method: "GET", statuses: []int{0, 200}, wantHits: 2, wantStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScriptedServer(t, tt.header, tt.statuses...)
			r := tt.retry
			r.BaseDelay, r.MaxDelay = fastRetry.BaseDelay, fastRetry.MaxDelay
			hc := New(WithInterceptors(r))

			req, err := http.NewRequest(tt.method, srv.URL, strings.NewReader("payload"))
			if err != nil {
				t.Fatal(err)
			}
			if tt.idemKey {
				req.Header.Set("Idempotency-Key", "k-1")
			}
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()

			bodies := srv.received()
			if len(bodies) != tt.wantHits {
				t.Errorf("server hit %d times, want %d", len(bodies), tt.wantHits)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if want := "attempt " + strconv.Itoa(len(bodies)); string(got) != want {
				t.Errorf("body = %q, want the last attempt's %q", got, want)
			}
			for i, b := range bodies {
				if b != "payload" {
					t.Errorf("attempt %d sent body %q, want it replayed intact", i+1, b)
				}
			}
		})
	}
}

// TestRetryUnreplayableBody checks that a body without GetBody is sent once.
func TestRetryUnreplayableBody(t *testing.T) {
	srv := newScriptedServer(t, nil, 503, 200)
	hc := New(WithInterceptors(fastRetry))
	req, err := http.NewRequest(http.MethodPut, srv.URL, io.MultiReader(strings.NewReader("once")))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := len(srv.received()); n != 1 || resp.StatusCode != 503 {
		t.Errorf("hits = %d, status %d; want 1 and 503", n, resp.StatusCode)
	}
}

// TestRetryBackoffRespectsContext cancels the context while Retry waits an
// hour to try again.
func TestRetryBackoffRespectsContext(t *testing.T) {
	srv := newScriptedServer(t, nil, 503)
	gotResponse := make(chan struct{})
	signal := InterceptorFunc(func(c Chain) (*http.Response, error) {
		resp, err := c.Proceed(c.Request())
		close(gotResponse)
		return resp, err
	})
	hc := New(
		WithInterceptors(Retry{BaseDelay: time.Hour, MaxDelay: time.Hour}),
		WithNetworkInterceptors(signal),
	)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-gotResponse
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(hangGuard):
		t.Fatal("backoff ignored the cancelled context")
	}
	if n := len(srv.received()); n != 1 {
		t.Errorf("hits = %d, want 1", n)
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		retry Retry
		n     int
		max   time.Duration
		want  time.Duration // the delay before jitter
	}{
		{Retry{BaseDelay: 100 * time.Millisecond}, 1, time.Hour, 100 * time.Millisecond},
		{Retry{BaseDelay: 100 * time.Millisecond}, 2, time.Hour, 200 * time.Millisecond},
		{Retry{BaseDelay: 100 * time.Millisecond}, 4, time.Hour, 800 * time.Millisecond},
		{Retry{BaseDelay: 100 * time.Millisecond}, 10, time.Second, time.Second},
		{Retry{BaseDelay: time.Second}, 200, time.Minute, time.Minute}, // no overflow
		{Retry{}, 1, time.Hour, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v/%d", tt.retry.BaseDelay, tt.n), func(t *testing.T) {
			for range 100 {
				d := tt.retry.backoff(tt.n, tt.max)
				if d < tt.want/2 || d > tt.want {
					t.Fatalf("backoff = %v, want within [%v, %v]", d, tt.want/2, tt.want)
				}
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)
	tests := []struct {
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"120", 2 * time.Minute, true},
		{" 0 ", 0, true},
		{"Wed, 21 Oct 2015 07:29:30 GMT", 90 * time.Second, true},
		{"Wed, 21 Oct 2015 07:00:00 GMT", 0, true},
		{"Wednesday, 21-Oct-15 07:29:00 GMT", time.Minute, true},
		{"-5", 0, false},
		{"soon", 0, false},
		{"", 0, false},
		{"99999999999999999999", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			got, ok := retryAfter(tt.value, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.value, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestTransient(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"EOF", io.EOF, true},
		{"unexpected EOF", io.ErrUnexpectedEOF, true},
		{"no such host", &net.DNSError{Err: "no such host", IsNotFound: true}, false},
		{"cancelled", context.Canceled, false},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), false},
		{"session expired", ErrSessionExpired, false},
		{"other", errors.New("boom"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := transient(tt.err); got != tt.want {
				t.Errorf("transient(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// TestRetryAttemptNumbers checks that network interceptors can tell
// attempts apart.
func TestRetryAttemptNumbers(t *testing.T) {
	srv := newScriptedServer(t, nil, 503, 503, 200)
	var attempts []int
	note := InterceptorFunc(func(c Chain) (*http.Response, error) {
		attempts = append(attempts, attempt(c.Request()))
		return c.Proceed(c.Request())
	})
	hc := New(WithInterceptors(fastRetry), WithNetworkInterceptors(note))
	resp, err := hc.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if fmt.Sprint(attempts) != "[1 2 3]" {
		t.Errorf("attempts = %v, want [1 2 3]", attempts)
	}
}
