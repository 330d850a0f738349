package token_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/portico-go/portico/auth/token"
)

var (
	t0      = time.Unix(1_700_000_000, 0)
	secretA = []byte("0123456789abcdef0123456789abcdef")
	secretB = []byte("fedcba9876543210fedcba9876543210")
)

func newService(t testing.TB, now *time.Time, edit ...func(*token.Config)) *token.Service {
	t.Helper()
	cfg := token.Config{
		Issuer:    "portico",
		Audience:  "portico-api",
		Keys:      []token.Key{{ID: "a", Secret: secretA}, {ID: "b", Secret: secretB}},
		ActiveKey: "a",
		Now:       func() time.Time { return *now },
	}
	for _, e := range edit {
		e(&cfg)
	}
	s, err := token.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func claims(now time.Time) token.Claims {
	return token.Claims{
		Subject:         "u1",
		Name:            "alice",
		SessionID:       "sess1",
		IssuedAt:        now,
		ExpiresAt:       now.Add(15 * time.Minute),
		SessionDeadline: now.Add(time.Hour),
	}
}

func issue(t testing.TB, s *token.Service, c token.Claims) string {
	t.Helper()
	tok, err := s.Issue(c)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	return tok
}

// forge signs arbitrary claims, for attacks the Service itself would never
// produce.
func forge(t testing.TB, m jwt.SigningMethod, key any, kid any, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != nil {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("forge: %v", err)
	}
	return s
}

func goodMap(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"iss": "portico", "aud": "portico-api", "sub": "u1", "sid": "sess1", "jti": "j1",
		"typ": "access", "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Minute).Unix(),
		"sxp": now.Add(time.Hour).Unix(),
	}
}

func with(m jwt.MapClaims, k string, v any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for kk, vv := range m {
		out[kk] = vv
	}
	if v == nil {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	now := t0
	s := newService(t, &now)
	want := claims(now)
	got, err := s.Parse(issue(t, s, want))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got.Subject != want.Subject || got.Name != want.Name || got.SessionID != want.SessionID || got.ID == "" ||
		!got.IssuedAt.Equal(want.IssuedAt) || !got.NotBefore.Equal(want.IssuedAt) ||
		!got.ExpiresAt.Equal(want.ExpiresAt) || !got.SessionDeadline.Equal(want.SessionDeadline) {
		t.Fatalf("Parse = %+v, want %+v", got, want)
	}
}

func TestIssueCapsExpiryAtSessionDeadline(t *testing.T) {
	now := t0
	s := newService(t, &now)
	c := claims(now)
	c.SessionDeadline = now.Add(time.Minute)
	got, err := s.Parse(issue(t, s, c))
	if err != nil {
		t.Fatal(err)
	}
	if !got.ExpiresAt.Equal(c.SessionDeadline) {
		t.Fatalf("exp = %v, want the session deadline %v", got.ExpiresAt, c.SessionDeadline)
	}
}

func TestAttacks(t *testing.T) {
	now := t0
	s := newService(t, &now)
	good := goodMap(now)
	valid := issue(t, s, claims(now))
	parts := strings.Split(valid, ".")
	tests := []struct {
		name string
		tok  string
		want error
	}{
		{"control: forged with the real key", forge(t, jwt.SigningMethodHS256, secretA, "a", good), nil},
		{"alg none", forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "a", good), token.ErrInvalid},
		{"HS384", forge(t, jwt.SigningMethodHS384, secretA, "a", good), token.ErrInvalid},
		{"HS512", forge(t, jwt.SigningMethodHS512, secretA, "a", good), token.ErrInvalid},
		{"wrong key for kid", forge(t, jwt.SigningMethodHS256, secretB, "a", good), token.ErrInvalid},
		{"no exp", forge(t, jwt.SigningMethodHS256, secretA, "a", with(good, "exp", nil)), token.ErrInvalid},
		{"no iat", forge(t, jwt.SigningMethodHS256, secretA, "a", with(good, "iat", nil)), token.ErrInvalid},
		{"no sxp", forge(t, jwt.SigningMethodHS256, secretA, "a", with(good, "sxp", nil)), token.ErrInvalid},
		{"no sid", forge(t, jwt.SigningMethodHS256, secretA, "a", with(good, "sid", nil)), token.ErrInvalid},
		{"path-like sid", forge(t, jwt.SigningMethodHS256, secretA, "a", with(good, "sid", "../x")), token.ErrInvalid},
		{"no sub", forge(t, jwt.SigningMethodHS256, secretA, "a", with(good, "sub", nil)), token.ErrInvalid},
		{"no jti", forge(t, jwt.SigningMethodHS256, secretA, "a", with(good, "jti", nil)), token.ErrInvalid},
		{"exp as string", forge(t, jwt.SigningMethodHS256, secretA, "a", with(good, "exp", "never")), token.ErrInvalid},
		{"wrong iss", forge(t, jwt.SigningMethodHS256, secretA, "a", with(good, "iss", "evil")), token.ErrInvalid},
		{"wrong aud", forge(t, jwt.SigningMethodHS256, secretA, "a", with(good, "aud", "other-api")), token.ErrInvalid},
		{"aud list without ours", forge(t, jwt.SigningMethodHS256, secretA, "a", with(good, "aud", []string{"x", "y"})), token.ErrInvalid},
		{"aud list with ours", forge(t, jwt.SigningMethodHS256, secretA, "a", with(good, "aud", []string{"x", "portico-api"})), nil},
		{"typ refresh", forge(t, jwt.SigningMethodHS256, secretA, "a", with(good, "typ", "refresh")), token.ErrInvalid},
		{"no typ", forge(t, jwt.SigningMethodHS256, secretA, "a", with(good, "typ", nil)), token.ErrInvalid},
		{"unknown kid", forge(t, jwt.SigningMethodHS256, secretA, "zz", good), token.ErrInvalid},
		{"path-like kid", forge(t, jwt.SigningMethodHS256, secretA, "../../../../dev/null", good), token.ErrInvalid},
		{"url kid", forge(t, jwt.SigningMethodHS256, secretA, "https://evil.example/key", good), token.ErrInvalid},
		{"numeric kid", forge(t, jwt.SigningMethodHS256, secretA, 1, good), token.ErrInvalid},
		{"no kid", forge(t, jwt.SigningMethodHS256, secretA, nil, good), token.ErrInvalid},
		{"iat in the future", forge(t, jwt.SigningMethodHS256, secretA, "a", with(good, "iat", now.Add(time.Hour).Unix())), token.ErrInvalid},
		{"expired and wrong aud", forge(t, jwt.SigningMethodHS256, secretA, "a", with(with(good, "aud", "x"), "exp", now.Add(-time.Hour).Unix())), token.ErrInvalid},
		{"expired", forge(t, jwt.SigningMethodHS256, secretA, "a", with(good, "exp", now.Add(-time.Hour).Unix())), token.ErrExpired},
		{"session deadline passed", forge(t, jwt.SigningMethodHS256, secretA, "a", with(good, "sxp", now.Add(-time.Hour).Unix())), token.ErrExpired},
		{"tampered payload", parts[0] + "." + strings.TrimRight(parts[1], "A") + "B." + parts[2], token.ErrInvalid},
		{"tampered signature", parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2])), token.ErrInvalid},
		{"empty", "", token.ErrInvalid},
		{"one dot", "a.b", token.ErrInvalid},
		{"four parts", valid + ".x", token.ErrInvalid},
		{"100k dots", strings.Repeat(".", 100_000), token.ErrInvalid},
		{"bearer of 100k dots", "Bearer " + strings.Repeat(".", 100_000), token.ErrInvalid},
		{"huge header", forge(t, jwt.SigningMethodHS256, secretA, strings.Repeat("k", 5000), good), token.ErrInvalid},
		{"huge claims", forge(t, jwt.SigningMethodHS256, secretA, "a", with(good, "pad", strings.Repeat("p", 5000))), token.ErrInvalid},
		{"refresh token", token.FormatRefresh("sess1", strings.Repeat("A", 43)), token.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Parse(tt.tok)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Parse: %v, want success", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse = %v, want %v", err, tt.want)
			}
			other := token.ErrExpired
			if tt.want == token.ErrExpired {
				other = token.ErrInvalid
			}
			if errors.Is(err, other) {
				t.Fatalf("Parse = %v, matches both sentinels", err)
			}
		})
	}
}

// TestLeewayEdges pins token times one second either side of the tolerated
// skew (10s here).
func TestLeewayEdges(t *testing.T) {
	now := t0
	s := newService(t, &now, func(c *token.Config) { c.Leeway = 10 * time.Second })
	good := goodMap(now)
	tests := []struct {
		name string
		c    jwt.MapClaims
		want error
	}{
		{"exp 9s ago", with(good, "exp", now.Add(-9*time.Second).Unix()), nil},
		{"exp 11s ago", with(good, "exp", now.Add(-11*time.Second).Unix()), token.ErrExpired},
		{"nbf in 9s", with(good, "nbf", now.Add(9*time.Second).Unix()), nil},
		{"nbf in 11s", with(good, "nbf", now.Add(11*time.Second).Unix()), token.ErrInvalid},
		{"iat in 9s", with(good, "iat", now.Add(9*time.Second).Unix()), nil},
		{"iat in 11s", with(good, "iat", now.Add(11*time.Second).Unix()), token.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Parse(forge(t, jwt.SigningMethodHS256, secretA, "a", tt.c))
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("Parse = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestExpiryOnIssuedTokens(t *testing.T) {
	now := t0
	s := newService(t, &now, func(c *token.Config) { c.Leeway = -1 })
	tok := issue(t, s, claims(now))
	now = now.Add(15*time.Minute - time.Second)
	if _, err := s.Parse(tok); err != nil {
		t.Fatalf("Parse a second before exp: %v", err)
	}
	now = now.Add(time.Second)
	if _, err := s.Parse(tok); !errors.Is(err, token.ErrExpired) {
		t.Fatalf("Parse at exp with no leeway = %v, want ErrExpired", err)
	}
}

func TestKeyRotation(t *testing.T) {
	now := t0
	old := newService(t, &now) // signs with "a"
	rotated := newService(t, &now, func(c *token.Config) { c.ActiveKey = "b" })
	retired := newService(t, &now, func(c *token.Config) {
		c.Keys = []token.Key{{ID: "b", Secret: secretB}}
		c.ActiveKey = "b"
	})
	tokA := issue(t, old, claims(now))
	tokB := issue(t, rotated, claims(now))
	for _, tc := range []struct {
		name string
		s    *token.Service
		tok  string
		ok   bool
	}{
		{"old token during rotation", rotated, tokA, true},
		{"new token on a not-yet-rotated node", old, tokB, true},
		{"old token after retirement", retired, tokA, false},
		{"new token after retirement", retired, tokB, true},
	} {
		_, err := tc.s.Parse(tc.tok)
		if (err == nil) != tc.ok {
			t.Errorf("%s: Parse = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*token.Config)
		mention string
	}{
		{"short secret", func(c *token.Config) { c.Keys[1].Secret = []byte("too-short-31-bytes-xxxxxxxxxxxx") }, `"b"`},
		{"empty secret", func(c *token.Config) { c.Keys[0].Secret = nil }, `"a"`},
		{"path-like key id", func(c *token.Config) { c.Keys[1].ID = "../b" }, "../b"},
		{"empty key id", func(c *token.Config) { c.Keys[1].ID = "" }, "key id"},
		{"duplicate key id", func(c *token.Config) { c.Keys[1].ID = "a" }, "duplicate"},
		{"unknown active key", func(c *token.Config) { c.ActiveKey = "c" }, `"c"`},
		{"no keys", func(c *token.Config) { c.Keys = nil }, "key"},
		{"no issuer", func(c *token.Config) { c.Issuer = "" }, "issuer"},
		{"no audience", func(c *token.Config) { c.Audience = "" }, "audience"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := token.Config{
				Issuer: "i", Audience: "a", ActiveKey: "a",
				Keys: []token.Key{{ID: "a", Secret: secretA}, {ID: "b", Secret: secretB}},
			}
			tt.edit(&cfg)
			_, err := token.New(cfg)
			if err == nil {
				t.Fatal("New accepted the config")
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Fatalf("error %q does not mention %s", err, tt.mention)
			}
		})
	}
}

func TestIssueRejects(t *testing.T) {
	now := t0
	s := newService(t, &now)
	tests := []struct {
		name string
		edit func(*token.Claims)
	}{
		{"no subject", func(c *token.Claims) { c.Subject = "" }},
		{"bad session id", func(c *token.Claims) { c.SessionID = "a.b" }},
		{"no deadline", func(c *token.Claims) { c.SessionDeadline = time.Time{} }},
		{"too big", func(c *token.Claims) { c.Name = strings.Repeat("n", token.DefaultMaxLen) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := claims(now)
			tt.edit(&c)
			if _, err := s.Issue(c); err == nil {
				t.Fatal("Issue accepted the claims")
			}
		})
	}
}

func TestRefreshFormat(t *testing.T) {
	secret, hash, err := token.NewRefreshSecret()
	if err != nil {
		t.Fatal(err)
	}
	if len(hash) != 64 {
		t.Fatalf("hash %q is not 64 hex digits", hash)
	}
	tok := token.FormatRefresh("sess1", secret)
	sid, got, err := token.ParseRefresh(tok)
	if err != nil || sid != "sess1" || got != hash {
		t.Fatalf("ParseRefresh = %q, %q, %v; want sess1, %q", sid, got, err, hash)
	}
	secret2, _, _ := token.NewRefreshSecret()
	if secret2 == secret {
		t.Fatal("two refresh secrets are equal")
	}

	now := t0
	access := issue(t, newService(t, &now), claims(now))
	for _, bad := range []string{
		"", "sess1", "sess1.", "." + secret, "sess1." + secret + "x", "sess1." + secret[:42],
		"sess1." + secret + ".x", "../x." + secret, "sess1." + strings.Repeat("*", len(secret)),
		strings.Repeat("s", 65) + "." + secret, access, strings.Repeat(".", 100_000),
	} {
		if _, _, err := token.ParseRefresh(bad); !errors.Is(err, token.ErrInvalid) {
			t.Errorf("ParseRefresh(%.40q) = %v, want ErrInvalid", bad, err)
		}
	}
}
