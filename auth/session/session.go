package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// Reason says why a session was ended on purpose. It is kept in a tombstone
// so that the next request with the session's tokens learns it.
type Reason string

// Reasons a session can be ended for.
const (
	// ReasonRevoked covers logout, "log out everywhere" and refresh-token
	// reuse.
	ReasonRevoked Reason = "revoked"
	// ReasonKickedOut is an administrator ending a user's sessions.
	ReasonKickedOut Reason = "kicked_out"
	// ReasonReplaced is eviction by a newer login past the per-user limit.
	ReasonReplaced Reason = "replaced"
)

var (
	// ErrExpired reports that no live session has the ID: it timed out
	// (idle or hard deadline), or never existed. Stores cannot tell those
	// apart once the record is gone, and callers do not need to.
	ErrExpired = errors.New("session: expired")
	// ErrRevoked is matched by every *RevokedError.
	ErrRevoked = errors.New("session: revoked")
	// ErrReused reports a refresh with a token this store issued for the
	// session and rotated away longer ago than the reuse grace. The store
	// has revoked the session by the time it returns this.
	ErrReused = errors.New("session: refresh token reused")
	// ErrRefreshInProgress reports a refresh with the token rotated away
	// less than the reuse grace ago: most likely a second tab or retry of
	// the same client racing the refresh that won. Nothing is revoked.
	ErrRefreshInProgress = errors.New("session: refresh in progress")
	// ErrUnknownRefresh reports a refresh with a hash that is neither the
	// session's current one nor one of its recent previous ones. It proves
	// nothing about who holds the session's tokens (the session ID is
	// readable in every access token), so nothing is revoked.
	ErrUnknownRefresh = errors.New("session: unknown refresh token")
	// ErrUnavailable wraps every failure of the backing store. Callers must
	// fail closed on it: it says nothing about the session.
	ErrUnavailable = errors.New("session: store unavailable")
	// ErrFull reports that a memory store is at its session limit. It is
	// returned wrapped together with ErrUnavailable.
	ErrFull = errors.New("session: store full")
)

// RevokedError reports a session that was ended on purpose, and why.
type RevokedError struct {
	Reason Reason
}

func (e *RevokedError) Error() string { return "session: ended: " + string(e.Reason) }

// Is makes errors.Is(err, ErrRevoked) true for any RevokedError.
func (e *RevokedError) Is(target error) bool { return target == ErrRevoked }

// Record is one session.
type Record struct {
	// ID is assigned by the store on Create. It uses only [A-Za-z0-9_-].
	ID     string
	UserID string
	Name   string
	// ClientIP is the address the session was created from, for IP binding.
	ClientIP  string
	CreatedAt time.Time
	// Deadline is the hard end of the session, however active it is.
	Deadline time.Time
	// RefreshHash is the hex SHA-256 of the current refresh-token secret.
	RefreshHash string
}

// Store persists sessions. Times are absolute; stores keep them with
// millisecond precision. Every method returns an error wrapping
// ErrUnavailable when the backing store fails.
type Store interface {
	// Create stores rec under a new ID and returns it with the ID set. The
	// session stays alive until idleUntil (capped at rec.Deadline) unless
	// touched. When limit > 0 the user's oldest sessions are ended with
	// ReasonReplaced so that at most limit remain, counting the new one.
	Create(ctx context.Context, rec Record, idleUntil time.Time, limit int) (Record, error)
	// Touch checks that session id is alive and moves its idle expiry to
	// idleUntil (capped at its deadline) in the same step. It never
	// re-creates a session that is gone. A session that is gone reports
	// ErrExpired, or a *RevokedError if it was ended on purpose.
	Touch(ctx context.Context, id string, idleUntil time.Time) (Record, error)
	// Rotate replaces the refresh hash oldHash with newHash, atomically:
	// of concurrent calls with the same oldHash at most one succeeds. The
	// store remembers the last MaxPreviousRefresh hashes it rotated away,
	// with the time each was rotated away. A call whose oldHash is one of
	// them is reuse of a token the server issued: within grace of its
	// rotation the error is ErrRefreshInProgress and nothing changes;
	// later, the session is revoked with ReasonRevoked and the error wraps
	// ErrReused. Any other oldHash is ErrUnknownRefresh and changes
	// nothing. Rotate also slides the idle expiry to idleUntil.
	Rotate(ctx context.Context, id, oldHash, newHash string, idleUntil time.Time, grace time.Duration) (Record, error)
	// Revoke ends session id at once. Ending a session that is already gone
	// is not an error.
	Revoke(ctx context.Context, id string, reason Reason) error
	// RevokeUser ends every session of the user and reports how many were
	// alive.
	RevokeUser(ctx context.Context, userID string, reason Reason) (int, error)
}

// MaxPreviousRefresh is how many rotated-away refresh hashes a store keeps
// per session. A token older than that many rotations is refused as
// unknown without revoking: past that point a replay is indistinguishable
// from a forgery.
const MaxPreviousRefresh = 8

// maxUserIDLen bounds user IDs, which end up in keys and tokens.
const maxUserIDLen = 256

func validate(rec Record, now time.Time) error {
	switch {
	case rec.UserID == "" || len(rec.UserID) > maxUserIDLen:
		return fmt.Errorf("session: user id must be 1-%d bytes", maxUserIDLen)
	case !rec.Deadline.After(now):
		return errors.New("session: deadline is not in the future")
	case !validHash(rec.RefreshHash):
		return errors.New("session: refresh hash must be 64 hex digits")
	}
	return nil
}

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// randomID returns 128 random bits, base64url encoded (22 characters).
func randomID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("session: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func unavailable(err error) error {
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

func reused() error {
	return fmt.Errorf("%w: %w", ErrReused, &RevokedError{Reason: ReasonRevoked})
}
