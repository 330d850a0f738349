package token

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Exported sentinels let callers tell an expired credential (the client
// should refresh or log in again) from a forged or malformed one.
var (
	// ErrInvalid reports a token that is malformed, badly signed, meant for
	// someone else or otherwise unacceptable.
	ErrInvalid = errors.New("token: invalid")
	// ErrExpired reports a genuine token whose lifetime is over.
	ErrExpired = errors.New("token: expired")
)

const (
	// MinSecretLen is the shortest HMAC secret accepted. HS256 keys shorter
	// than the hash output (32 bytes) weaken the MAC and are usually
	// human-chosen passwords, so they are refused at startup.
	MinSecretLen = 32
	// DefaultLeeway is the clock skew tolerated on exp, nbf and iat. Tokens
	// are issued and checked by machines of one deployment, so skew is small;
	// 30 seconds absorbs NTP drift without stretching a 15 minute token much.
	DefaultLeeway = 30 * time.Second
	// DefaultMaxLen caps the size of an access token. Ours are a few hundred
	// bytes; anything near the cap is an attack, and rejecting it before
	// base64 and JSON decoding keeps the cost of garbage constant.
	DefaultMaxLen = 4 << 10

	accessType = "access"
	maxIDLen   = 64
)

// Key is one HMAC-SHA256 signing key. ID travels in the JWT header as "kid"
// so that several keys can be accepted during a rotation.
type Key struct {
	ID     string
	Secret []byte
}

// Config configures a Service.
type Config struct {
	// Issuer and Audience are written into every token and required on
	// parse, so tokens of another service sharing a key are refused.
	Issuer   string
	Audience string
	// Keys are all keys accepted for verification.
	Keys []Key
	// ActiveKey is the ID of the key used to sign new tokens; it must be one
	// of Keys. Rotate by adding the new key, making it active, and removing
	// the old one after the access token lifetime has passed.
	ActiveKey string
	// Leeway is the tolerated clock skew; zero means DefaultLeeway and a
	// negative value means none.
	Leeway time.Duration
	// MaxLen caps the accepted token length; zero means DefaultMaxLen.
	MaxLen int
	// CacheSize bounds the verified-token cache; zero disables it.
	CacheSize int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Claims is what an access token asserts.
type Claims struct {
	// Subject is the user ID.
	Subject string
	// Name is the user name, for display and logging.
	Name string
	// SessionID names the server-side session the token belongs to.
	SessionID string
	// ID is the unique token ID (jti), set by Issue.
	ID        string
	IssuedAt  time.Time
	NotBefore time.Time
	ExpiresAt time.Time
	// SessionDeadline is the session's hard maximum lifetime ("sxp"). It
	// lets a store slide the idle timeout without reading the session first
	// and without ever extending it past this instant.
	SessionDeadline time.Time
}

// wireClaims is the JSON form of Claims.
type wireClaims struct {
	jwt.RegisteredClaims
	Type          string `json:"typ"`
	SessionID     string `json:"sid"`
	Name          string `json:"name,omitempty"`
	SessionExpiry int64  `json:"sxp"`
}

// Service signs and verifies access tokens. It is safe for concurrent use.
type Service struct {
	issuer   string
	audience string
	keys     map[string][]byte
	active   string
	secret   []byte
	leeway   time.Duration
	maxLen   int
	now      func() time.Time
	parser   *jwt.Parser
	cache    *cache
}

// New validates cfg and returns a Service. Configuration mistakes that would
// weaken verification (short secrets, missing issuer or audience, an
// unusable key ID) are startup errors.
func New(cfg Config) (*Service, error) {
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("token: issuer and audience are required")
	}
	if len(cfg.Keys) == 0 {
		return nil, errors.New("token: at least one key is required")
	}
	keys := make(map[string][]byte, len(cfg.Keys))
	for _, k := range cfg.Keys {
		if !validID(k.ID) {
			return nil, fmt.Errorf("token: key id %q must be 1-%d characters of [A-Za-z0-9_-]", k.ID, maxIDLen)
		}
		if len(k.Secret) < MinSecretLen {
			return nil, fmt.Errorf("token: key %q: secret is %d bytes, need at least %d", k.ID, len(k.Secret), MinSecretLen)
		}
		if _, dup := keys[k.ID]; dup {
			return nil, fmt.Errorf("token: duplicate key id %q", k.ID)
		}
		keys[k.ID] = append([]byte(nil), k.Secret...)
	}
	secret, ok := keys[cfg.ActiveKey]
	if !ok {
		return nil, fmt.Errorf("token: active key %q is not among the keys", cfg.ActiveKey)
	}
	s := &Service{
		issuer:   cfg.Issuer,
		audience: cfg.Audience,
		keys:     keys,
		active:   cfg.ActiveKey,
		secret:   secret,
		leeway:   cfg.Leeway,
		maxLen:   cfg.MaxLen,
		now:      cfg.Now,
	}
	if s.leeway == 0 {
		s.leeway = DefaultLeeway
	} else if s.leeway < 0 {
		s.leeway = 0
	}
	if s.maxLen <= 0 {
		s.maxLen = DefaultMaxLen
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(s.issuer),
		jwt.WithAudience(s.audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(s.leeway),
		jwt.WithTimeFunc(s.now),
		// Strict base64url: without it the unused low bits of the last
		// character of each part are ignored, so one token has several
		// accepted spellings. Every check keyed on the string (the
		// verified-token cache, deny lists, logs) assumes one.
		jwt.WithStrictDecoding(),
	)
	if cfg.CacheSize > 0 {
		s.cache = newCache(cfg.CacheSize)
	}
	return s, nil
}

// Issue signs an access token for c with the active key. It fills in the
// token ID, issuer and audience; NotBefore defaults to IssuedAt, and an
// ExpiresAt past SessionDeadline is cut back to it.
func (s *Service) Issue(c Claims) (string, error) {
	if c.Subject == "" || !validID(c.SessionID) {
		return "", errors.New("token: subject and a valid session id are required")
	}
	if c.IssuedAt.IsZero() || c.ExpiresAt.IsZero() || c.SessionDeadline.IsZero() {
		return "", errors.New("token: issued-at, expiry and session deadline are required")
	}
	if c.ExpiresAt.After(c.SessionDeadline) {
		c.ExpiresAt = c.SessionDeadline
	}
	if c.NotBefore.IsZero() {
		c.NotBefore = c.IssuedAt
	}
	jti, err := randomString(16)
	if err != nil {
		return "", err
	}
	w := wireClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.issuer,
			Subject:   c.Subject,
			Audience:  jwt.ClaimStrings{s.audience},
			ExpiresAt: jwt.NewNumericDate(c.ExpiresAt),
			NotBefore: jwt.NewNumericDate(c.NotBefore),
			IssuedAt:  jwt.NewNumericDate(c.IssuedAt),
			ID:        jti,
		},
		Type:          accessType,
		SessionID:     c.SessionID,
		Name:          c.Name,
		SessionExpiry: c.SessionDeadline.Unix(),
	}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, w)
	t.Header["kid"] = s.active
	signed, err := t.SignedString(s.secret)
	if err != nil {
		return "", fmt.Errorf("token: sign: %w", err)
	}
	if len(signed) > s.maxLen {
		// Issuing a token our own parser would refuse only moves the failure
		// to the next request.
		return "", fmt.Errorf("token: signed token is %d bytes, over the %d byte limit", len(signed), s.maxLen)
	}
	return signed, nil
}

// Parse verifies an access token and returns its claims. The error wraps
// ErrExpired when the token is genuine but too old (beyond the leeway), and
// ErrInvalid for everything else.
//
// Parse checks only the token. Whether its session is still alive is the
// session store's business and must be checked on every request.
func (s *Service) Parse(tok string) (Claims, error) {
	// Cheap structural checks first: a bounded length and exactly two dots.
	// This keeps inputs like a megabyte of dots (CVE-2025-30204) away from
	// the JWT library's splitting and base64 code.
	if len(tok) == 0 || len(tok) > s.maxLen {
		return Claims{}, fmt.Errorf("%w: length %d outside 1..%d", ErrInvalid, len(tok), s.maxLen)
	}
	if strings.Count(tok, ".") != 2 {
		return Claims{}, fmt.Errorf("%w: not a JWS compact token", ErrInvalid)
	}
	now := s.now()
	if s.cache != nil {
		if c, ok := s.cache.get(tok, now); ok {
			return c, nil
		}
	}
	var w wireClaims
	if _, err := s.parser.ParseWithClaims(tok, &w, s.keyFor); err != nil {
		if expiredOnly(err) {
			return Claims{}, fmt.Errorf("%w: %w", ErrExpired, err)
		}
		return Claims{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	c, err := s.claims(&w, now)
	if err != nil {
		return Claims{}, err
	}
	if s.cache != nil {
		s.cache.put(tok, c, now)
	}
	return c, nil
}

// keyFor resolves the verification key from the "kid" header. Only IDs
// configured at startup resolve, so a kid such as "../../dev/null" or a URL
// is just an unknown key.
func (s *Service) keyFor(t *jwt.Token) (any, error) {
	kid, ok := t.Header["kid"].(string)
	if !ok {
		return nil, errors.New("missing kid")
	}
	k, ok := s.keys[kid]
	if !ok {
		return nil, errors.New("unknown kid")
	}
	return k, nil
}

// claims checks what the JWT library does not know about: our own claims.
func (s *Service) claims(w *wireClaims, now time.Time) (Claims, error) {
	switch {
	case w.Type != accessType:
		return Claims{}, fmt.Errorf("%w: typ %q is not an access token", ErrInvalid, w.Type)
	case w.Subject == "" || w.ID == "" || !validID(w.SessionID):
		return Claims{}, fmt.Errorf("%w: sub, jti and sid are required", ErrInvalid)
	case w.IssuedAt == nil || w.SessionExpiry <= 0:
		return Claims{}, fmt.Errorf("%w: iat and sxp are required", ErrInvalid)
	}
	c := Claims{
		Subject:         w.Subject,
		Name:            w.Name,
		SessionID:       w.SessionID,
		ID:              w.ID,
		IssuedAt:        w.IssuedAt.Time,
		ExpiresAt:       w.ExpiresAt.Time,
		SessionDeadline: time.Unix(w.SessionExpiry, 0),
	}
	if w.NotBefore != nil {
		c.NotBefore = w.NotBefore.Time
	}
	if !now.Before(c.SessionDeadline.Add(s.leeway)) {
		return Claims{}, fmt.Errorf("%w: session deadline passed", ErrExpired)
	}
	return c, nil
}

// expiredOnly reports whether exp is the only thing wrong. A token that is
// both expired and, say, for another audience is invalid, not expired:
// "expired" invites the client to refresh, which it has no business doing.
func expiredOnly(err error) bool {
	if !errors.Is(err, jwt.ErrTokenExpired) {
		return false
	}
	for _, other := range []error{
		jwt.ErrTokenInvalidIssuer, jwt.ErrTokenInvalidAudience, jwt.ErrTokenNotValidYet,
		jwt.ErrTokenUsedBeforeIssued, jwt.ErrTokenRequiredClaimMissing, jwt.ErrTokenInvalidSubject,
	} {
		if errors.Is(err, other) {
			return false
		}
	}
	return true
}

// validID reports whether id is a safe identifier: it is used in JWT
// headers, Redis keys and refresh tokens, so it is restricted to the
// base64url alphabet.
func validID(id string) bool {
	if len(id) == 0 || len(id) > maxIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("token: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
