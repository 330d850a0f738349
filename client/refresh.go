package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Refresher exchanges the current tokens for new ones. [BearerAuth] calls it
// with a client that has none of its interceptors, so a refresh that itself
// gets a 401 fails instead of waiting for itself.
//
// A Refresher reports a refresh token the server rejected by returning an
// error that wraps [ErrSessionExpired].
type Refresher interface {
	Refresh(ctx context.Context, c *http.Client, current Tokens) (Tokens, error)
}

// RefresherFunc adapts an ordinary function to the [Refresher] interface.
type RefresherFunc func(ctx context.Context, c *http.Client, current Tokens) (Tokens, error)

// Refresh calls f(ctx, c, current).
func (f RefresherFunc) Refresh(ctx context.Context, c *http.Client, current Tokens) (Tokens, error) {
	return f(ctx, c, current)
}

// StatusError is a failed login or refresh as the server described it.
type StatusError struct {
	// StatusCode is the HTTP status, or the envelope's code when the HTTP
	// status was 2xx but the envelope said otherwise.
	StatusCode int
	// Message is the envelope's message, if there was one.
	Message string
}

// Error describes the failure with the server's own message when it sent one.
func (e *StatusError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("status %d", e.StatusCode)
	}
	return fmt.Sprintf("status %d: %s", e.StatusCode, e.Message)
}

// JSONRefresher returns a [Refresher] for Portico's token protocol: it POSTs
// {"refreshToken": "..."} to url and reads the new tokens from the data
// field of the {"code","message","data"} envelope: Portico's one token
// shape, answered by auth/loginapi's refresh endpoint (POST /auth/refresh
// by default). A 401 or 403 (a used or invalid refresh
// token) is reported as [ErrSessionExpired].
func JSONRefresher(url string) Refresher {
	return RefresherFunc(func(ctx context.Context, c *http.Client, current Tokens) (Tokens, error) {
		if current.Refresh == "" {
			return Tokens{}, fmt.Errorf("%w: no refresh token", ErrSessionExpired)
		}
		t, err := postTokens(ctx, c, url, struct {
			RefreshToken string `json:"refreshToken"`
		}{current.Refresh})
		if se := (*StatusError)(nil); errors.As(err, &se) &&
			(se.StatusCode == http.StatusUnauthorized || se.StatusCode == http.StatusForbidden) {
			return Tokens{}, fmt.Errorf("%w: refresh token rejected: %w", ErrSessionExpired, err)
		}
		if err != nil {
			return Tokens{}, fmt.Errorf("client: refreshing tokens: %w", err)
		}
		return t, nil
	})
}

// Login obtains tokens from a login endpoint of Portico's token protocol
// (auth/loginapi's POST /auth/login by default), using c or http.DefaultClient if c
// is nil. Store the result in the [TokenStore] given to [BearerAuth]. Wrong
// credentials come back as a *[StatusError] with StatusCode 401.
func Login(ctx context.Context, c *http.Client, url, username, password string) (Tokens, error) {
	t, err := postTokens(ctx, c, url, struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}{username, password})
	if err != nil {
		return Tokens{}, fmt.Errorf("client: logging in: %w", err)
	}
	return t, nil
}

// maxTokenResponse bounds how much of a token response is read, so that a
// misbehaving server cannot make the client buffer without limit.
const maxTokenResponse = 1 << 20

// envelope is the token response: an auth.TokenPair, camelCase, as the
// data of Portico's {code, message, data} envelope.
type envelope struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    struct {
		AccessToken  string `json:"accessToken"`
		RefreshToken string `json:"refreshToken"`
	} `json:"data"`
}

func postTokens(ctx context.Context, c *http.Client, url string, body any) (Tokens, error) {
	if c == nil {
		c = http.DefaultClient
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return Tokens{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return Tokens{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return Tokens{}, err
	}
	defer resp.Body.Close()

	var env envelope
	decodeErr := json.NewDecoder(io.LimitReader(resp.Body, maxTokenResponse)).Decode(&env)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Tokens{}, &StatusError{StatusCode: resp.StatusCode, Message: env.Message}
	}
	if decodeErr != nil {
		return Tokens{}, fmt.Errorf("decoding token response: %w", decodeErr)
	}
	if env.Code != 0 && env.Code != http.StatusOK {
		return Tokens{}, &StatusError{StatusCode: env.Code, Message: env.Message}
	}
	if env.Data.AccessToken == "" {
		return Tokens{}, errors.New("token response has no accessToken")
	}
	return Tokens{Access: env.Data.AccessToken, Refresh: env.Data.RefreshToken}, nil
}
