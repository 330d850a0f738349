package token_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/portico-go/portico/auth/token"
)

// FuzzParse checks that no input panics, that every failure is one of the
// two sentinels, and that anything accepted really was signed by us.
func FuzzParse(f *testing.F) {
	now := t0
	s := newService(f, &now)
	// Seeds are added by the coordinating process and replayed by fuzz
	// workers, so the reference token must be the same in every process:
	// forge it from fixed claims rather than Issue it with a random jti.
	valid := forge(f, jwt.SigningMethodHS256, secretA, "a", goodMap(now))
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, goodMap(now)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	for _, seed := range []string{
		valid, none, "", ".", "..", "...", "a.b.c", "eyJ.eyJ.", valid + ".",
		strings.Repeat(".", 10_000), "Bearer " + valid, strings.ToUpper(valid),
		valid[:len(valid)/2], token.FormatRefresh("sess1", strings.Repeat("A", 43)),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := s.Parse(in)
		if err != nil {
			if errors.Is(err, token.ErrInvalid) == errors.Is(err, token.ErrExpired) {
				t.Fatalf("Parse(%q) = %v, want exactly one sentinel", in, err)
			}
			return
		}
		if in != valid {
			// Forging an HS256 MAC by mutation is infeasible; an accepted
			// mutant means verification was skipped. Re-encodings of the
			// same signed bytes (there are none for strict base64url
			// without padding) would also land here.
			t.Fatalf("Parse accepted %q as %+v", in, c)
		}
	})
}

func FuzzParseRefresh(f *testing.F) {
	secret, _, err := token.NewRefreshSecret()
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{token.FormatRefresh("sess1", secret), "", ".", "a.b", "a.b.c", strings.Repeat(".", 1000)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		sid, hash, err := token.ParseRefresh(in)
		if err != nil {
			if !errors.Is(err, token.ErrInvalid) {
				t.Fatalf("ParseRefresh(%q) = %v, want ErrInvalid", in, err)
			}
			return
		}
		if sid == "" || len(hash) != 64 || strings.ContainsAny(sid, ".{}/") {
			t.Fatalf("ParseRefresh(%q) = %q, %q", in, sid, hash)
		}
	})
}
