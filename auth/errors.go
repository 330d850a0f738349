package auth

import (
	"errors"
	"net/http"
	"time"
)

// Reason is a machine-readable cause of an authentication failure, safe to
// return to clients.
type Reason string

// Reasons reported by this package.
const (
	ReasonMissingToken     Reason = "missing_token"
	ReasonInvalidToken     Reason = "invalid_token"
	ReasonExpired          Reason = "expired"
	ReasonRevoked          Reason = "revoked"
	ReasonReplaced         Reason = "replaced"
	ReasonKickedOut        Reason = "kicked_out"
	ReasonStoreUnavailable Reason = "store_unavailable"
	ReasonBadCredentials   Reason = "bad_credentials"
	ReasonForbidden        Reason = "forbidden"
	ReasonTooManyRequests  Reason = "too_many_requests"
	// ReasonRefreshInProgress answers a refresh token that was exchanged a
	// moment ago (within Config.ReuseGrace): the client should use the
	// pair that exchange returned, typically stored by another tab.
	ReasonRefreshInProgress Reason = "refresh_in_progress"
)

// HTTPStatus is the response status for r: 401 when the client should
// (re)authenticate, 403 when authenticating again will not help, 429 when
// it should slow down, 409 when a concurrent refresh already won and 503
// when the server cannot decide.
func (r Reason) HTTPStatus() int {
	switch r {
	case ReasonRefreshInProgress:
		return http.StatusConflict
	case ReasonForbidden:
		return http.StatusForbidden
	case ReasonTooManyRequests:
		return http.StatusTooManyRequests
	case ReasonStoreUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusUnauthorized
}

// Error is the error returned by this package for authentication failures.
// Reason is for clients; Err is detail for logs and never contains a token.
type Error struct {
	Reason Reason
	Err    error
	// RetryAfter is set with ReasonTooManyRequests: how long until the
	// next attempt may be allowed.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Err == nil {
		return "auth: " + string(e.Reason)
	}
	return "auth: " + string(e.Reason) + ": " + e.Err.Error()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// HTTPStatus is the response status for the error's Reason.
func (e *Error) HTTPStatus() int { return e.Reason.HTTPStatus() }

// ReasonOf returns the Reason of the first *Error in err's chain, or "" if
// there is none.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

func fail(r Reason, err error) error { return &Error{Reason: r, Err: err} }
