package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// ErrSessionExpired is returned, wrapped with the cause, for every request
// that needed a token refresh that failed. The user has to log in again.
var ErrSessionExpired = errors.New("client: session expired, log in again")

// renewalHeader is where the server hands out a replacement for an access
// token that is about to expire.
const renewalHeader = "New-Token"

// defaultRefreshTimeout bounds a refresh when no RefreshClient is given. The
// refresh runs on behalf of every waiting request, detached from any one
// request's context, so something else has to stop it hanging.
const defaultRefreshTimeout = 30 * time.Second

// BearerAuth is an application [Interceptor] that sends the stored access
// token as "Authorization: Bearer ..." and renews it when the server says
// it is no longer good.
//
// On a 401 for a request that carried the current token, BearerAuth starts a
// refresh unless one is already in flight; however many requests failed,
// one refresh runs and the others wait for it (each as long as its own
// context allows). The refresh goes through RefreshClient, which must not
// carry these interceptors. Every failed request is then retried once with
// the new token, its body replayed through GetBody. A 401 for a request that
// carried a token that has since been replaced is simply retried with the
// current one. If the refresh fails, every request waiting on it fails with
// an error wrapping [ErrSessionExpired], and so does every later 401 for the
// same token, without another refresh, until new tokens are stored (by
// logging in again).
//
// A "New-Token" response header replaces the access token the request
// carried, which is how the server renews a token close to expiry.
//
// Install BearerAuth with [WithInterceptors], not as a network interceptor:
// below the redirect handling it would attach the token to every redirect
// target, including other hosts. Requests that already have an
// Authorization header are passed through untouched.
//
// The zero value works with an in-memory store and no refresher. A
// BearerAuth must not be copied after first use.
type BearerAuth struct {
	// Store holds the tokens; nil means an internal [MemoryStore].
	Store TokenStore
	// Refresher obtains new tokens, for example [JSONRefresher]. With none,
	// a 401 ends the session.
	Refresher Refresher
	// RefreshClient is the separate client the refresh is sent with; nil
	// means a client on http.DefaultTransport with a 30 second timeout.
	RefreshClient *http.Client

	mu       sync.Mutex
	inflight *refresh // the refresh running now, if any
	failed   *refresh // the last refresh, if it failed
	mem      MemoryStore
}

// refresh is one refresh of one access token, shared by all who wait on it.
type refresh struct {
	stale  string        // the access token being replaced
	done   chan struct{} // closed when tokens and err are set
	tokens Tokens
	err    error
}

// refreshKey marks the context of a refresh started by one BearerAuth, so
// that if RefreshClient is misconfigured to run through that same
// BearerAuth, the refresh call passes through instead of deadlocking on
// itself.
type refreshKey struct{ a *BearerAuth }

// Intercept implements [Interceptor].
func (a *BearerAuth) Intercept(c Chain) (*http.Response, error) {
	req := c.Request()
	if req.Header.Get("Authorization") != "" || req.Context().Value(refreshKey{a}) != nil {
		return c.Proceed(req)
	}
	tok, err := a.store().Tokens()
	if err != nil {
		return nil, fmt.Errorf("client: loading tokens: %w", err)
	}
	resp, err := c.Proceed(authorize(req, tok.Access))
	if err != nil {
		return nil, err
	}
	a.renewed(resp, tok.Access)
	if resp.StatusCode != http.StatusUnauthorized || tok.Access == "" || !replayable(req) {
		return resp, nil
	}
	drainAndClose(resp.Body)

	fresh, err := a.renew(req.Context(), tok.Access)
	if err != nil {
		return nil, err
	}
	retry, err := rewind(req)
	if err != nil {
		return nil, err
	}
	resp, err = c.Proceed(authorize(retry, fresh.Access))
	if err != nil {
		return nil, err
	}
	a.renewed(resp, fresh.Access)
	return resp, nil
}

func (a *BearerAuth) store() TokenStore {
	if a.Store != nil {
		return a.Store
	}
	return &a.mem
}

// authorize returns a copy of req carrying token; the original is left alone
// as the RoundTripper contract requires.
func authorize(req *http.Request, token string) *http.Request {
	if token == "" {
		return req
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

// renew returns tokens newer than stale, refreshing them if nobody has yet.
func (a *BearerAuth) renew(ctx context.Context, stale string) (Tokens, error) {
	a.mu.Lock()
	cur, err := a.store().Tokens()
	if err != nil {
		a.mu.Unlock()
		return Tokens{}, fmt.Errorf("client: loading tokens: %w", err)
	}
	if cur.Access != stale {
		a.mu.Unlock()
		return cur, nil
	}
	if f := a.failed; f != nil && f.stale == stale {
		a.mu.Unlock()
		return Tokens{}, f.err
	}
	r := a.inflight
	if r == nil {
		r = &refresh{stale: stale, done: make(chan struct{})}
		a.inflight = r
		// Detached: the refresh serves every waiter, so the request that
		// happened to start it must not be able to cancel it for the rest.
		go a.refresh(context.WithoutCancel(ctx), r, cur)
	}
	a.mu.Unlock()

	select {
	case <-r.done:
		return r.tokens, r.err
	case <-ctx.Done():
		return Tokens{}, fmt.Errorf("client: waiting for token refresh: %w", context.Cause(ctx))
	}
}

// refresh runs r and publishes its outcome to the store and the waiters.
func (a *BearerAuth) refresh(ctx context.Context, r *refresh, cur Tokens) {
	tokens, err := a.fetch(context.WithValue(ctx, refreshKey{a}, true), cur)

	a.mu.Lock()
	defer a.mu.Unlock()
	if err == nil {
		if err = a.store().SetTokens(tokens); err != nil {
			err = fmt.Errorf("storing tokens: %w", err)
		}
	}
	if err != nil {
		if !errors.Is(err, ErrSessionExpired) {
			err = fmt.Errorf("%w: %w", ErrSessionExpired, err)
		}
		r.err = err
		a.failed = r
	} else {
		r.tokens = tokens
		a.failed = nil
	}
	// The store is updated before the refresh stops being in flight, so a
	// late 401 for the stale token finds the new one instead of starting a
	// second refresh.
	a.inflight = nil
	close(r.done)
}

func (a *BearerAuth) fetch(ctx context.Context, cur Tokens) (Tokens, error) {
	if a.Refresher == nil {
		return Tokens{}, errors.New("no Refresher configured")
	}
	hc := a.RefreshClient
	if hc == nil {
		hc = &http.Client{Timeout: defaultRefreshTimeout}
	}
	tokens, err := a.Refresher.Refresh(ctx, hc, cur)
	if err != nil {
		return Tokens{}, err
	}
	if tokens.Access == "" {
		return Tokens{}, errors.New("refresher returned no access token")
	}
	if tokens.Refresh == "" {
		// The server did not rotate the refresh token; keep using it.
		tokens.Refresh = cur.Refresh
	}
	return tokens, nil
}

// renewed stores the token from a New-Token header. The renewal is for the
// token the request carried; if the store has moved on (a refresh, another
// renewal) it is stale and ignored. A store error is ignored too: the call
// itself succeeded, and the old token keeps working until a 401 refreshes it.
func (a *BearerAuth) renewed(resp *http.Response, sent string) {
	v := strings.TrimSpace(resp.Header.Get(renewalHeader))
	v = strings.TrimSpace(strings.TrimPrefix(v, "Bearer "))
	if v == "" || sent == "" || v == sent {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	cur, err := a.store().Tokens()
	if err != nil || cur.Access != sent {
		return
	}
	cur.Access = v
	_ = a.store().SetTokens(cur) // ignored on purpose, as said above
}
