package session

import (
	"context"
	"crypto/subtle"
	"slices"
	"sync"
	"time"
)

// Defaults for MemoryConfig.
const (
	DefaultMaxSessions     = 100_000
	DefaultCleanupInterval = time.Minute
)

// MemoryConfig configures a Memory store.
type MemoryConfig struct {
	// MaxSessions bounds the number of live sessions, and separately the
	// number of tombstones. Zero means DefaultMaxSessions. When full, Create
	// fails with ErrFull rather than silently ending someone's session.
	MaxSessions int
	// CleanupInterval is how often expired records are swept; zero means
	// DefaultCleanupInterval and a negative value disables the sweeper
	// (expired records are then removed only when looked at or when the
	// store is full).
	CleanupInterval time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Memory is a Store for a single process. Sessions do not survive a restart
// and are not shared between processes; use Redis for that. Call Close to
// stop its sweeper.
type Memory struct {
	max  int
	now  func() time.Time
	stop chan struct{}
	done chan struct{}
	once sync.Once

	mu       sync.Mutex
	sessions map[string]*memSession
	users    map[string]map[string]struct{}
	tombs    map[string]tomb
}

type memSession struct {
	rec   Record
	until time.Time // idle expiry, never after rec.Deadline
	// prev holds the hashes rotated away, newest first, at most
	// MaxPreviousRefresh.
	prev []prevHash
}

type prevHash struct {
	hash string
	at   time.Time // when it was rotated away
}

type tomb struct {
	reason Reason
	until  time.Time
}

// NewMemory returns a Memory store and starts its sweeper.
func NewMemory(cfg MemoryConfig) *Memory {
	m := &Memory{
		max:      cfg.MaxSessions,
		now:      cfg.Now,
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
		sessions: make(map[string]*memSession),
		users:    make(map[string]map[string]struct{}),
		tombs:    make(map[string]tomb),
	}
	if m.max <= 0 {
		m.max = DefaultMaxSessions
	}
	if m.now == nil {
		m.now = time.Now
	}
	interval := cfg.CleanupInterval
	if interval == 0 {
		interval = DefaultCleanupInterval
	}
	if interval < 0 {
		close(m.done)
		return m
	}
	go m.sweeper(interval)
	return m
}

// Close stops the sweeper. The store stays usable; only background cleanup
// ends. Close is idempotent.
func (m *Memory) Close() error {
	m.once.Do(func() { close(m.stop) })
	<-m.done
	return nil
}

func (m *Memory) sweeper(interval time.Duration) {
	defer close(m.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.mu.Lock()
			m.sweep(m.now())
			m.mu.Unlock()
		}
	}
}

// sweep drops dead sessions and tombstones. Callers hold m.mu.
func (m *Memory) sweep(now time.Time) {
	for id, s := range m.sessions {
		if !now.Before(s.until) {
			m.remove(id, s.rec.UserID)
		}
	}
	for id, t := range m.tombs {
		if !now.Before(t.until) {
			delete(m.tombs, id)
		}
	}
}

// Len reports the number of stored sessions, including expired ones not yet
// swept.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sessions)
}

// Create implements Store.
func (m *Memory) Create(ctx context.Context, rec Record, idleUntil time.Time, limit int) (Record, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, unavailable(err)
	}
	now := m.now()
	if err := validate(rec, now); err != nil {
		return Record{}, err
	}
	id, err := randomID()
	if err != nil {
		return Record{}, err
	}
	rec.ID = id
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = now
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if limit > 0 {
		m.enforceLimit(rec.UserID, limit, now)
	}
	if len(m.sessions) >= m.max {
		m.sweep(now)
		if len(m.sessions) >= m.max {
			return Record{}, unavailable(ErrFull)
		}
	}
	m.sessions[id] = &memSession{rec: rec, until: minTime(idleUntil, rec.Deadline)}
	ids := m.users[rec.UserID]
	if ids == nil {
		ids = make(map[string]struct{})
		m.users[rec.UserID] = ids
	}
	ids[id] = struct{}{}
	return rec, nil
}

// enforceLimit ends the user's oldest live sessions so that one more fits.
func (m *Memory) enforceLimit(userID string, limit int, now time.Time) {
	var live []*memSession
	for id := range m.users[userID] {
		s := m.sessions[id]
		if !now.Before(s.until) {
			m.remove(id, userID)
			continue
		}
		live = append(live, s)
	}
	if len(live) < limit {
		return
	}
	slices.SortFunc(live, func(a, b *memSession) int { return a.rec.CreatedAt.Compare(b.rec.CreatedAt) })
	for _, s := range live[:len(live)-limit+1] {
		m.end(s, ReasonReplaced, now)
	}
}

// Touch implements Store.
func (m *Memory) Touch(ctx context.Context, id string, idleUntil time.Time) (Record, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, unavailable(err)
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.live(id, now)
	if err != nil {
		return Record{}, err
	}
	if !idleUntil.After(now) {
		return Record{}, ErrExpired
	}
	s.until = minTime(idleUntil, s.rec.Deadline)
	return s.rec, nil
}

// Rotate implements Store.
func (m *Memory) Rotate(ctx context.Context, id, oldHash, newHash string, idleUntil time.Time, grace time.Duration) (Record, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, unavailable(err)
	}
	if !validHash(newHash) {
		return Record{}, ErrExpired
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.live(id, now)
	if err != nil {
		return Record{}, err
	}
	if subtle.ConstantTimeCompare([]byte(s.rec.RefreshHash), []byte(oldHash)) != 1 {
		for _, p := range s.prev {
			if subtle.ConstantTimeCompare([]byte(p.hash), []byte(oldHash)) == 1 {
				if now.Sub(p.at) < grace {
					return Record{}, ErrRefreshInProgress
				}
				m.end(s, ReasonRevoked, now)
				return Record{}, reused()
			}
		}
		return Record{}, ErrUnknownRefresh
	}
	if len(s.prev) == MaxPreviousRefresh {
		s.prev = s.prev[:MaxPreviousRefresh-1]
	}
	s.prev = slices.Insert(s.prev, 0, prevHash{hash: s.rec.RefreshHash, at: now})
	s.rec.RefreshHash = newHash
	s.until = minTime(idleUntil, s.rec.Deadline)
	return s.rec, nil
}

// Revoke implements Store.
func (m *Memory) Revoke(ctx context.Context, id string, reason Reason) error {
	if err := ctx.Err(); err != nil {
		return unavailable(err)
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, err := m.live(id, now); err == nil {
		m.end(s, reason, now)
	}
	return nil
}

// RevokeUser implements Store.
func (m *Memory) RevokeUser(ctx context.Context, userID string, reason Reason) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, unavailable(err)
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for id := range m.users[userID] {
		if s, err := m.live(id, now); err == nil {
			m.end(s, reason, now)
			n++
		}
	}
	return n, nil
}

// live returns the live session id, removing it if it has just died.
// Callers hold m.mu.
func (m *Memory) live(id string, now time.Time) (*memSession, error) {
	s, ok := m.sessions[id]
	if !ok {
		if t, ok := m.tombs[id]; ok && now.Before(t.until) {
			return nil, &RevokedError{Reason: t.reason}
		}
		return nil, ErrExpired
	}
	if !now.Before(s.until) {
		m.remove(id, s.rec.UserID)
		return nil, ErrExpired
	}
	return s, nil
}

// end removes a live session and leaves a tombstone that lasts as long as
// any of its tokens could. Callers hold m.mu.
func (m *Memory) end(s *memSession, reason Reason, now time.Time) {
	m.remove(s.rec.ID, s.rec.UserID)
	if len(m.tombs) >= m.max {
		for id, t := range m.tombs {
			if !now.Before(t.until) {
				delete(m.tombs, id)
			}
		}
		// Still full: forget an arbitrary reason. The session stays dead;
		// only the explanation degrades to "expired".
		for id := range m.tombs {
			if len(m.tombs) < m.max {
				break
			}
			delete(m.tombs, id)
		}
	}
	m.tombs[s.rec.ID] = tomb{reason: reason, until: s.rec.Deadline}
}

// remove deletes a session and its index entry. Callers hold m.mu.
func (m *Memory) remove(id, userID string) {
	delete(m.sessions, id)
	if ids := m.users[userID]; ids != nil {
		delete(ids, id)
		if len(ids) == 0 {
			delete(m.users, userID)
		}
	}
}
