package client

import "sync"

// Tokens is a session's credentials: the short-lived access token sent with
// every request and the long-lived refresh token that buys a new one.
type Tokens struct {
	Access  string
	Refresh string
}

// TokenStore keeps a session's tokens. Implementations must be safe for
// concurrent use; [BearerAuth] reads them on every request. A persistent
// store (a file, the OS keychain) lets a session survive restarts.
type TokenStore interface {
	// Tokens returns the current tokens; zero Tokens means logged out.
	Tokens() (Tokens, error)
	// SetTokens replaces the current tokens.
	SetTokens(Tokens) error
}

// MemoryStore is a [TokenStore] held in memory. The zero value is an empty
// store ready to use.
type MemoryStore struct {
	mu sync.RWMutex
	t  Tokens
}

// Tokens returns the stored tokens. The error is always nil.
func (s *MemoryStore) Tokens() (Tokens, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.t, nil
}

// SetTokens stores t. The error is always nil.
func (s *MemoryStore) SetTokens(t Tokens) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.t = t
	return nil
}
