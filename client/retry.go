package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Retry is an [Interceptor] that repeats a request after a transient
// failure: a connection error, or a 429, 502, 503 or 504 response.
//
// Only idempotent methods (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) are
// retried, because a POST or PATCH that failed may still have taken effect.
// Such a request is retried anyway when it has an Idempotency-Key header,
// which lets the server drop duplicates, or when AllowNonIdempotent is set.
// A request body is replayed through GetBody; a request with a body and no
// GetBody is sent once.
//
// Between attempts Retry waits as long as a Retry-After header asks (in
// seconds or as an HTTP date), or else an exponentially growing delay with
// jitter, so that clients that failed together do not retry together. If
// Retry-After asks for more than MaxDelay, the response is returned rather
// than waited on. Waiting stops when the request's context is done.
//
// As an application interceptor Retry retries whole calls, redirects
// included; as a network interceptor it retries single hops. The zero value
// is ready to use.
type Retry struct {
	// MaxAttempts is the most times a request is sent, the first included;
	// zero means 3.
	MaxAttempts int
	// BaseDelay is the delay before the second attempt, doubled for each
	// one after; zero means 100ms. The actual delay is drawn from its upper
	// half, so there is always some backoff.
	BaseDelay time.Duration
	// MaxDelay caps the delay between attempts; zero means 10s.
	MaxDelay time.Duration
	// AllowNonIdempotent lets POST, PATCH and other non-idempotent requests
	// be retried without an Idempotency-Key header.
	AllowNonIdempotent bool
}

// Intercept implements [Interceptor].
func (r Retry) Intercept(c Chain) (*http.Response, error) {
	req := c.Request()
	resp, err := c.Proceed(req)
	if !r.allowed(req) || !replayable(req) {
		return resp, err
	}
	attempts := r.MaxAttempts
	if attempts <= 0 {
		attempts = 3
	}
	next := req
	for n := 1; n < attempts; n++ {
		wait, again := r.delay(n, resp, err, time.Now())
		if !again {
			break
		}
		if resp != nil {
			drainAndClose(resp.Body)
		}
		if werr := sleep(req.Context(), wait); werr != nil {
			return nil, fmt.Errorf("client: waiting to retry: %w", werr)
		}
		if next, err = rewind(next); err != nil {
			return nil, err
		}
		resp, err = c.Proceed(next)
	}
	return resp, err
}

// allowed reports whether req may be sent more than once.
func (r Retry) allowed(req *http.Request) bool {
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace,
		http.MethodPut, http.MethodDelete:
		return true
	}
	return r.AllowNonIdempotent || req.Header.Get("Idempotency-Key") != ""
}

// delay decides, after attempt n, whether to try again and after how long.
func (r Retry) delay(n int, resp *http.Response, err error, now time.Time) (time.Duration, bool) {
	maxDelay := r.MaxDelay
	if maxDelay <= 0 {
		maxDelay = 10 * time.Second
	}
	if err != nil {
		return r.backoff(n, maxDelay), transient(err)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
	default:
		return 0, false
	}
	if d, ok := retryAfter(resp.Header.Get("Retry-After"), now); ok {
		return d, d <= maxDelay
	}
	return r.backoff(n, maxDelay), true
}

// backoff is the delay after attempt n: BaseDelay·2^(n-1), capped, with
// "equal jitter" (a random point in the upper half).
func (r Retry) backoff(n int, maxDelay time.Duration) time.Duration {
	d := r.BaseDelay
	if d <= 0 {
		d = 100 * time.Millisecond
	}
	for i := 1; i < n && d < maxDelay; i++ {
		d *= 2
	}
	d = min(d, maxDelay)
	half := d / 2
	return half + rand.N(d-half+1)
}

// retryAfter parses a Retry-After value, either delay-seconds or an
// HTTP-date. A date in the past means no wait.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 || secs > int64(time.Duration(1<<63-1)/time.Second) {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// transient reports whether err looks like a failure that may not happen
// again: the connection was refused, reset or timed out. A bad certificate,
// a cancelled context or an interceptor's own error will not go away.
func transient(err error) bool {
	var (
		unknownCA   x509.UnknownAuthorityError
		invalidCert x509.CertificateInvalidError
		hostname    x509.HostnameError
		verify      *tls.CertificateVerificationError
		dnsErr      *net.DNSError
		netErr      net.Error
	)
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &unknownCA), errors.As(err, &invalidCert),
		errors.As(err, &hostname), errors.As(err, &verify),
		errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return false
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.As(err, &netErr):
		return true
	}
	return false
}

// sleep waits for d or until ctx is done, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
