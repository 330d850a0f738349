package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// refreshSecretLen is 32 bytes: 256 bits of entropy make guessing hopeless
// even though refresh tokens live for days.
const refreshSecretLen = 32

var refreshSecretChars = base64.RawURLEncoding.EncodedLen(refreshSecretLen)

// NewRefreshSecret returns a fresh refresh-token secret and the hash under
// which a session store should keep it. Combine the secret with the session
// ID using FormatRefresh once the session exists.
func NewRefreshSecret() (secret, hash string, err error) {
	b := make([]byte, refreshSecretLen)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("token: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), hashSecret(b), nil
}

// FormatRefresh builds the refresh token handed to the client. The session
// ID in front lets the server find the session without an index from
// hashes to sessions.
func FormatRefresh(sessionID, secret string) string {
	return sessionID + "." + secret
}

// ParseRefresh splits a refresh token into its session ID and the hash of
// its secret. The error wraps ErrInvalid for anything not shaped like a
// refresh token, including access tokens.
func ParseRefresh(tok string) (sessionID, hash string, err error) {
	if len(tok) > maxIDLen+1+refreshSecretChars {
		return "", "", fmt.Errorf("%w: refresh token too long", ErrInvalid)
	}
	sid, secret, ok := strings.Cut(tok, ".")
	if !ok || !validID(sid) || len(secret) != refreshSecretChars {
		return "", "", fmt.Errorf("%w: not a refresh token", ErrInvalid)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(secret)
	if err != nil || len(raw) != refreshSecretLen {
		return "", "", fmt.Errorf("%w: not a refresh token", ErrInvalid)
	}
	return sid, hashSecret(raw), nil
}

// hashSecret is a plain SHA-256: the input is 256 random bits, so a slow
// password hash would add cost without adding safety.
func hashSecret(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}
