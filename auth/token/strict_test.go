package token_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/portico-go/portico/auth/token"
)

// A token has exactly one accepted spelling. The last character of a
// base64url part carries unused low bits (2 of 6 for a 32-byte HMAC);
// a lenient decoder ignores them, so flipping them gave a second string
// that verified as the same token. Found by the security suite's
// TestTruncatedAndGarbageTokens.
func TestParseRefusesNonCanonicalBase64(t *testing.T) {
	now := t0
	s := newService(t, &now, func(c *token.Config) { c.CacheSize = 0 })
	tok := issue(t, s, claims(now))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, tok[len(tok)-1])
	for bits := 1; bits < 4; bits++ {
		// Set the two unused bits of the signature's last character.
		alt := tok[:len(tok)-1] + string(alphabet[last^bits])
		if _, err := s.Parse(alt); !errors.Is(err, token.ErrInvalid) {
			t.Errorf("Parse(token with unused bits %b set) = %v, want ErrInvalid", bits, err)
		}
	}
	if _, err := s.Parse(tok); err != nil {
		t.Fatalf("canonical token refused: %v", err)
	}
}
