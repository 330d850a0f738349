package auth

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// DummyHash is a bcrypt hash, at bcrypt.DefaultCost (the cost
// HashPassword uses by default), of a password nobody has. When a login
// names an unknown user, check the password against DummyHash anyway, so
// a wrong user name costs as much as a wrong password and response times
// do not reveal which names exist. Applications hashing at another cost
// make their own with HashPassword(random, cost).
const DummyHash = "$2a$10$B5LtckJDw.qSCJ.vwIYvWOm.BUo9TmTNlCKPF3M5kTZ97lTy4RLma"

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
// CheckPassword against DummyHash when the user is unknown.
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
