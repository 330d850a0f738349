package auth

import "time"

// Observer receives login outcomes and session-store calls, for metrics
// (the metrics package has one). It is called on request goroutines, so it
// must be fast and safe for concurrent use.
type Observer interface {
	// LoginOutcome reports a finished login attempt: LoginSucceeded, the
	// failure's Reason, or "error" for a failure of the server's own.
	LoginOutcome(reason string)
	// StoreCall reports one session-store call: op is "create", "touch",
	// "rotate", "revoke" or "revoke_user"; err is non-nil only when the
	// store failed, not when it answered that a session is gone.
	StoreCall(op string, d time.Duration, err error)
}

// LoginSucceeded is the outcome reported for a successful login.
const LoginSucceeded = "success"

// ReportLoginFailure tells the Observer about a login refused before
// Login was called: bad credentials, or the failed-login limiter. Login
// endpoints call it; Login reports its own outcomes.
func (m *Manager) ReportLoginFailure(reason Reason) {
	if m.cfg.Observer != nil {
		m.cfg.Observer.LoginOutcome(string(reason))
	}
}

// storeStart returns the start of a store call, or the zero time when no
// one observes: the clock is not read for nothing on every request.
func (m *Manager) storeStart() time.Time {
	if m.cfg.Observer == nil {
		return time.Time{}
	}
	return time.Now()
}

// storeDone reports a store call started at start.
func (m *Manager) storeDone(op string, start time.Time, err error) {
	if m.cfg.Observer == nil {
		return
	}
	if err != nil && ReasonOf(storeError(err)) != ReasonStoreUnavailable {
		err = nil
	}
	m.cfg.Observer.StoreCall(op, time.Since(start), err)
}

// loginDone reports Login's outcome.
func (m *Manager) loginDone(err error) {
	if m.cfg.Observer == nil {
		return
	}
	outcome := LoginSucceeded
	if err != nil {
		// Errors without a Reason are the server's own (a bad user id,
		// no randomness): not the client's doing.
		outcome = "error"
		if r := ReasonOf(err); r != "" {
			outcome = string(r)
		}
	}
	m.cfg.Observer.LoginOutcome(outcome)
}
