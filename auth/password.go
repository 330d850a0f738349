package auth

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// HashPassword hashes password with bcrypt at the given cost (zero means
// bcrypt.DefaultCost). Passwords over 72 bytes are refused rather than
// silently truncated, which is what bcrypt would otherwise do.
func HashPassword(password string, cost int) (string, error) {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether password matches hash. A mismatch is an
// *Error with ReasonBadCredentials; so is a malformed hash, so that a
// corrupt user record cannot be told apart from a wrong password by the
// client.
//
// To keep response times from revealing which user names exist, call
// CheckPassword against a fixed dummy hash when the user is unknown.
func CheckPassword(hash, password string) error {
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
	if err == nil {
		return nil
	}
	if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		return fail(ReasonBadCredentials, errors.New("password mismatch"))
	}
	return fail(ReasonBadCredentials, fmt.Errorf("unusable password hash: %w", err))
}
