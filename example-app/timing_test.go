package main

import (
	"testing"
	"time"
)

// TestSessionTiming checks what only the clock can show, with short
// lifetimes: the idle timeout slides with every request and ends an unused
// session, New-Token arrives once the access token is near its end, and
// the per-user session cap evicts the oldest session. The sleeps wait for
// expiry; nothing asserts how long anything took.
func TestSessionTiming(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			env, _ := b.env(t)
			env[envIdleTimeout] = "2s"
			env[envAccessTTL] = "3s"
			env[envRenewBefore] = "2s"
			env[envMaxSessions] = "2"
			a := startApp(t, tempDB(t), env)

			p := a.login(t, "admin", "admin123")
			if p.ExpiresIn != 3 {
				t.Errorf("expiresIn %d, want 3", p.ExpiresIn)
			}
			r := a.call(t, "GET", "/api/user/info", p.AccessToken, nil)
			expect(t, "fresh token", r, 200, "")
			if r.Header.Get("New-Token") != "" {
				t.Error("New-Token on a token with 3s of 3s left (renew below 2s)")
			}

			// Three requests 0.8s apart span 2.4s, past the 2s idle
			// timeout: only sliding keeps the session alive. From 1s on the
			// token has less than 2s left and each answer renews it.
			var renewed string
			for i := range 3 {
				time.Sleep(800 * time.Millisecond)
				r := a.call(t, "GET", "/api/user/info", p.AccessToken, nil)
				expect(t, "request while active", r, 200, "")
				if nt := r.Header.Get("New-Token"); nt != "" {
					renewed = nt
				} else if i == 2 {
					t.Error("no New-Token 2.4s into a 3s token")
				}
			}
			if renewed == "" || renewed == p.AccessToken {
				t.Fatalf("New-Token %q", renewed)
			}
			expect(t, "renewed token", a.call(t, "GET", "/book/list", renewed, nil), 200, "")

			time.Sleep(2500 * time.Millisecond) // idle past the timeout
			expect(t, "after idling", a.call(t, "GET", "/api/user/info", renewed, nil), 401, "expired")
			expect(t, "refresh after idling", a.call(t, "POST", "/user/refresh", "", map[string]string{"refreshToken": p.RefreshToken}), 401, "expired")

			// At most two sessions per user: a third login replaces the first.
			first := a.login(t, "reader", "reader123")
			second := a.login(t, "reader", "reader123")
			third := a.login(t, "reader", "reader123")
			expect(t, "oldest session", a.call(t, "GET", "/book/list", first.AccessToken, nil), 401, "replaced")
			expect(t, "second session", a.call(t, "GET", "/book/list", second.AccessToken, nil), 200, "")
			expect(t, "newest session", a.call(t, "GET", "/book/list", third.AccessToken, nil), 200, "")
		})
	}
}
