package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/portico-go/portico/auth/session"
	"github.com/portico-go/portico/auth/token"
)

// Defaults for Config.
const (
	DefaultAccessTTL      = 15 * time.Minute
	DefaultIdleTimeout    = 30 * time.Minute
	DefaultRefreshTTL     = 7 * 24 * time.Hour
	DefaultRenewBefore    = 5 * time.Minute
	DefaultStoreTimeout   = 500 * time.Millisecond
	DefaultTokenCacheSize = 10_000
	DefaultReuseGrace     = 5 * time.Second
)

// maxUserIDLen matches what session stores accept.
const maxUserIDLen = 256

// Config configures a Manager. Zero durations take the defaults above.
type Config struct {
	// Issuer and Audience go into and are required from every access token.
	Issuer   string
	Audience string
	// Keys are the accepted HMAC keys (each secret at least 32 bytes);
	// ActiveKey is the ID of the one that signs.
	Keys      []token.Key
	ActiveKey string

	// Store keeps sessions. Nil means an in-memory store owned by the
	// Manager, which is right for a single process only.
	Store session.Store

	// AccessTTL is the lifetime of an access token.
	AccessTTL time.Duration
	// IdleTimeout ends a session that has not been used for this long.
	IdleTimeout time.Duration
	// RefreshTTL is the lifetime of a refresh token and the hard maximum
	// lifetime of a session: no activity extends a session past it.
	RefreshTTL time.Duration
	// RenewBefore: Authenticate issues a fresh access token when the
	// presented one has less than this left to live.
	RenewBefore time.Duration
	// Leeway is the clock skew tolerated on token times; zero means
	// token.DefaultLeeway, negative means none.
	Leeway time.Duration
	// MaxSessionsPerUser limits concurrent sessions of one user; a login
	// past it ends the oldest with ReasonReplaced. Zero means unlimited.
	MaxSessionsPerUser int
	// ReuseGrace is how long after a refresh the refresh token it rotated
	// away is answered with ReasonRefreshInProgress (HTTP 409) instead of
	// revoking the session as reuse, so that two tabs refreshing at once
	// keep the user logged in. Zero means DefaultReuseGrace; negative means
	// none (every reuse revokes).
	ReuseGrace time.Duration
	// BindIP ties a session to the client address it logged in from.
	BindIP bool
	// StoreTimeout bounds each store call, so a slow store fails requests
	// with store_unavailable instead of piling them up.
	StoreTimeout time.Duration
	// TokenCacheSize bounds the verified-token cache; zero means
	// DefaultTokenCacheSize and a negative value disables the cache.
	TokenCacheSize int
	// Now is the clock; nil means time.Now. With a Redis store it must be
	// the real clock, since key expiry runs on Redis's.
	Now func() time.Time
	// Observer, if set, receives login outcomes and store call timings.
	Observer Observer
}

// Principal is the user being logged in, as established by the caller
// (password check, SSO, ...).
type Principal struct {
	ID   string
	Name string
}

// TokenPair is what a login or refresh returns to the client. Its JSON is
// Portico's one token shape, in the camelCase of the rest of the API
// ({"accessToken", "refreshToken", "tokenType", "expiresIn"}); the login
// endpoints (auth/loginapi) send it as the data of a {code, message,
// data} envelope and client.Login reads it from there.
type TokenPair struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	TokenType    string `json:"tokenType"`
	// ExpiresIn is the access token's lifetime in seconds.
	ExpiresIn int64 `json:"expiresIn"`
}

// Identity is an authenticated request's user and session.
type Identity struct {
	UserID    string
	Name      string
	SessionID string
	// ExpiresAt is when the presented access token expires.
	ExpiresAt time.Time
	// SessionDeadline is the session's hard end.
	SessionDeadline time.Time
}

// Manager runs logins and sessions. It is safe for concurrent use; several
// Managers (in one or many processes) with the same keys and a shared store
// act as one.
type Manager struct {
	cfg    Config
	tokens *token.Service
	store  session.Store
	owned  *session.Memory
	// local is set for the in-process memory store, which never waits on
	// I/O, so its calls need no timeout context (one allocation saved on
	// every authenticated request).
	local bool
	now   func() time.Time
}

// New validates cfg and returns a Manager.
func New(cfg Config) (*Manager, error) {
	setDefault(&cfg.AccessTTL, DefaultAccessTTL)
	setDefault(&cfg.IdleTimeout, DefaultIdleTimeout)
	setDefault(&cfg.RefreshTTL, DefaultRefreshTTL)
	setDefault(&cfg.RenewBefore, DefaultRenewBefore)
	setDefault(&cfg.StoreTimeout, DefaultStoreTimeout)
	setDefault(&cfg.ReuseGrace, DefaultReuseGrace)
	cfg.ReuseGrace = max(cfg.ReuseGrace, 0)
	if cfg.TokenCacheSize == 0 {
		cfg.TokenCacheSize = DefaultTokenCacheSize
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	switch {
	case cfg.AccessTTL < 0 || cfg.IdleTimeout < 0 || cfg.RefreshTTL < 0 || cfg.RenewBefore < 0 || cfg.StoreTimeout < 0:
		return nil, errors.New("auth: durations must not be negative")
	case cfg.RenewBefore >= cfg.AccessTTL:
		return nil, fmt.Errorf("auth: RenewBefore (%v) must be shorter than AccessTTL (%v), or every request would renew", cfg.RenewBefore, cfg.AccessTTL)
	case cfg.RefreshTTL < cfg.AccessTTL:
		return nil, fmt.Errorf("auth: RefreshTTL (%v) must not be shorter than AccessTTL (%v)", cfg.RefreshTTL, cfg.AccessTTL)
	case cfg.MaxSessionsPerUser < 0:
		return nil, errors.New("auth: MaxSessionsPerUser must not be negative")
	}
	tokens, err := token.New(token.Config{
		Issuer:    cfg.Issuer,
		Audience:  cfg.Audience,
		Keys:      cfg.Keys,
		ActiveKey: cfg.ActiveKey,
		Leeway:    cfg.Leeway,
		CacheSize: max(cfg.TokenCacheSize, 0),
		Now:       cfg.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	m := &Manager{cfg: cfg, tokens: tokens, store: cfg.Store, now: cfg.Now}
	if m.store == nil {
		m.owned = session.NewMemory(session.MemoryConfig{Now: cfg.Now})
		m.store = m.owned
	}
	_, m.local = m.store.(*session.Memory)
	return m, nil
}

// storeCtx bounds one store call by StoreTimeout.
func (m *Manager) storeCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if m.local {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, m.cfg.StoreTimeout)
}

func setDefault(d *time.Duration, def time.Duration) {
	if *d == 0 {
		*d = def
	}
}

// Close releases the in-memory store the Manager created, if any. A store
// passed in Config is the caller's to close.
func (m *Manager) Close() error {
	if m.owned != nil {
		return m.owned.Close()
	}
	return nil
}

// Login starts a session for user and returns its tokens. The caller has
// already checked the credentials. When MaxSessionsPerUser is reached, the
// user's oldest sessions end with ReasonReplaced.
func (m *Manager) Login(ctx context.Context, user Principal, clientIP string) (pair TokenPair, err error) {
	defer func() { m.loginDone(err) }()
	if user.ID == "" || len(user.ID) > maxUserIDLen {
		return TokenPair{}, fmt.Errorf("auth: user id must be 1-%d bytes", maxUserIDLen)
	}
	secret, hash, err := token.NewRefreshSecret()
	if err != nil {
		return TokenPair{}, err
	}
	now := m.now()
	rec := session.Record{
		UserID:      user.ID,
		Name:        user.Name,
		ClientIP:    clientIP,
		CreatedAt:   now,
		Deadline:    now.Add(m.cfg.RefreshTTL),
		RefreshHash: hash,
	}
	ctx, cancel := m.storeCtx(ctx)
	defer cancel()
	t := m.storeStart()
	rec, err = m.store.Create(ctx, rec, now.Add(m.cfg.IdleTimeout), m.cfg.MaxSessionsPerUser)
	m.storeDone("create", t, err)
	if err != nil {
		return TokenPair{}, storeError(err)
	}
	return m.pair(rec, secret, now)
}

// Refresh exchanges a refresh token for a new pair; the old refresh token
// stops working. Presenting a refresh token this server issued for the
// session and exchanged more than ReuseGrace ago means two parties hold it,
// so the whole session is ended with ReasonRevoked. Within ReuseGrace the
// answer is ReasonRefreshInProgress and nothing is ended: the same client
// is most likely refreshing twice at once. Any other secret is
// ReasonInvalidToken and ends nothing, since session IDs are not secret.
// With BindIP, a refresh from another address also ends the session: the
// refresh token has most likely been stolen.
func (m *Manager) Refresh(ctx context.Context, refreshToken, clientIP string) (TokenPair, error) {
	if refreshToken == "" {
		return TokenPair{}, fail(ReasonMissingToken, nil)
	}
	sid, hash, err := token.ParseRefresh(refreshToken)
	if err != nil {
		return TokenPair{}, fail(ReasonInvalidToken, err)
	}
	secret, newHash, err := token.NewRefreshSecret()
	if err != nil {
		return TokenPair{}, err
	}
	now := m.now()
	ctx, cancel := m.storeCtx(ctx)
	defer cancel()
	t := m.storeStart()
	rec, err := m.store.Rotate(ctx, sid, hash, newHash, now.Add(m.cfg.IdleTimeout), m.cfg.ReuseGrace)
	m.storeDone("rotate", t, err)
	if err != nil {
		return TokenPair{}, storeError(err)
	}
	if m.cfg.BindIP && rec.ClientIP != clientIP {
		if err := m.store.Revoke(ctx, sid, session.ReasonRevoked); err != nil {
			return TokenPair{}, storeError(err)
		}
		return TokenPair{}, fail(ReasonInvalidToken, errors.New("refresh from another client address"))
	}
	return m.pair(rec, secret, now)
}

func (m *Manager) pair(rec session.Record, secret string, now time.Time) (TokenPair, error) {
	access, exp, err := m.issue(rec, now)
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{
		AccessToken:  access,
		RefreshToken: token.FormatRefresh(rec.ID, secret),
		TokenType:    "Bearer",
		ExpiresIn:    int64(exp.Sub(now) / time.Second),
	}, nil
}

func (m *Manager) issue(rec session.Record, now time.Time) (string, time.Time, error) {
	exp := now.Add(m.cfg.AccessTTL)
	if exp.After(rec.Deadline) {
		exp = rec.Deadline
	}
	tok, err := m.tokens.Issue(token.Claims{
		Subject:         rec.UserID,
		Name:            rec.Name,
		SessionID:       rec.ID,
		IssuedAt:        now,
		ExpiresAt:       exp,
		SessionDeadline: rec.Deadline,
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: issue access token: %w", err)
	}
	return tok, exp, nil
}

// Authenticate checks an access token and its session, sliding the
// session's idle timeout. It makes one store call when the session is
// alive (a second only to explain why a session is gone). With a Redis
// store on a client with client-side caching, that call usually answers
// from local memory; see session.Redis.
//
// renewed is a new access token for the same session when the presented
// one has less than RenewBefore left, "" otherwise; send it to the client
// (for example in a response header).
func (m *Manager) Authenticate(ctx context.Context, accessToken, clientIP string) (id *Identity, renewed string, err error) {
	if accessToken == "" {
		return nil, "", fail(ReasonMissingToken, nil)
	}
	c, err := m.tokens.Parse(accessToken)
	if err != nil {
		if errors.Is(err, token.ErrExpired) {
			return nil, "", fail(ReasonExpired, err)
		}
		return nil, "", fail(ReasonInvalidToken, err)
	}
	now := m.now()
	// The token carries the hard deadline, so the store can slide the idle
	// timeout without first reading the session.
	until := now.Add(m.cfg.IdleTimeout)
	if until.After(c.SessionDeadline) {
		until = c.SessionDeadline
	}
	sctx, cancel := m.storeCtx(ctx)
	defer cancel()
	t := m.storeStart()
	rec, err := m.store.Touch(sctx, c.SessionID, until)
	m.storeDone("touch", t, err)
	if err != nil {
		return nil, "", storeError(err)
	}
	if rec.UserID != c.Subject {
		return nil, "", fail(ReasonInvalidToken, errors.New("token subject does not own the session"))
	}
	if m.cfg.BindIP && rec.ClientIP != clientIP {
		return nil, "", fail(ReasonInvalidToken, errors.New("client address differs from the session's"))
	}
	id = &Identity{
		UserID:          rec.UserID,
		Name:            rec.Name,
		SessionID:       rec.ID,
		ExpiresAt:       c.ExpiresAt,
		SessionDeadline: rec.Deadline,
	}
	if c.ExpiresAt.Sub(now) < m.cfg.RenewBefore && c.ExpiresAt.Before(rec.Deadline) {
		// Renewal is a convenience: if it fails the request is still
		// authenticated and the client can refresh later.
		if tok, _, err := m.issue(rec, now); err == nil {
			renewed = tok
		}
	}
	return id, renewed, nil
}

// Logout ends one session at once; its tokens fail with ReasonRevoked.
func (m *Manager) Logout(ctx context.Context, sessionID string) error {
	ctx, cancel := m.storeCtx(ctx)
	defer cancel()
	t := m.storeStart()
	err := m.store.Revoke(ctx, sessionID, session.ReasonRevoked)
	m.storeDone("revoke", t, err)
	if err != nil {
		return storeError(err)
	}
	return nil
}

// LogoutAll ends every session of a user ("log out everywhere"); their
// tokens fail with ReasonRevoked.
func (m *Manager) LogoutAll(ctx context.Context, userID string) error {
	return m.revokeUser(ctx, userID, session.ReasonRevoked)
}

// Kickout ends every session of a user on an administrator's behalf; their
// tokens fail with ReasonKickedOut.
func (m *Manager) Kickout(ctx context.Context, userID string) error {
	return m.revokeUser(ctx, userID, session.ReasonKickedOut)
}

func (m *Manager) revokeUser(ctx context.Context, userID string, reason session.Reason) error {
	ctx, cancel := m.storeCtx(ctx)
	defer cancel()
	t := m.storeStart()
	_, err := m.store.RevokeUser(ctx, userID, reason)
	m.storeDone("revoke_user", t, err)
	if err != nil {
		return storeError(err)
	}
	return nil
}

// storeError turns a store error into an *Error. Anything unrecognised is
// treated as the store failing: never as a valid session.
func storeError(err error) error {
	var re *session.RevokedError
	switch {
	case errors.Is(err, session.ErrUnavailable):
		return fail(ReasonStoreUnavailable, err)
	case errors.As(err, &re):
		switch re.Reason {
		case session.ReasonKickedOut:
			return fail(ReasonKickedOut, err)
		case session.ReasonReplaced:
			return fail(ReasonReplaced, err)
		}
		return fail(ReasonRevoked, err)
	case errors.Is(err, session.ErrExpired):
		return fail(ReasonExpired, err)
	case errors.Is(err, session.ErrRefreshInProgress):
		return fail(ReasonRefreshInProgress, err)
	case errors.Is(err, session.ErrUnknownRefresh):
		return fail(ReasonInvalidToken, err)
	}
	return fail(ReasonStoreUnavailable, err)
}
