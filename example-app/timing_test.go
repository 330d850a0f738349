package main

import (
	"testing"
	"time"
)

// TestSessionTiming checks what only the clock can show, with short
// lifetimes: the idle timeout slides with every request and ends an unused
// session, New-Token arrives once the access token is near its end, and
// the per-user session cap evicts the oldest session. The sleeps wait for
// expiry; nothing asserts how long anything took. It runs in-process with
// porticotest, against each session store.
func TestSessionTiming(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			env, _ := b.env(t)
			env[envIdleTimeout] = "2s"
			env[envAccessTTL] = "3s"
			env[envRenewBefore] = "2s"
			env[envMaxSessions] = "2"
			kit := newKit(t, env)

			p := loginKit(t, kit, "admin", "admin123")
			if p.ExpiresIn != 3 {
				t.Errorf("expiresIn %d, want 3", p.ExpiresIn)
			}
			// No New-Token on a token with 3s of 3s left (renew below 2s).
			kit.GET("/api/user/info").Bearer(p.AccessToken).Do().Status(200).NoHeader("New-Token")

			// Three requests 0.8s apart span 2.4s, past the 2s idle
			// timeout: only sliding keeps the session alive. From 1s on the
			// token has less than 2s left and each answer renews it.
			var renewed string
			for i := range 3 {
				time.Sleep(800 * time.Millisecond)
				r := kit.GET("/api/user/info").Bearer(p.AccessToken).Do().Status(200)
				if nt := r.Header.Get("New-Token"); nt != "" {
					renewed = nt
				} else if i == 2 {
					t.Error("no New-Token 2.4s into a 3s token")
				}
			}
			if renewed == "" || renewed == p.AccessToken {
				t.Fatalf("New-Token %q", renewed)
			}
			kit.GET("/book/list").Bearer(renewed).Do().Status(200)

			time.Sleep(2500 * time.Millisecond) // idle past the timeout
			kit.GET("/api/user/info").Bearer(renewed).Do().Status(401).Reason("expired")
			kit.POST("/user/refresh").JSON(map[string]string{"refreshToken": p.RefreshToken}).Do().Status(401).Reason("expired")

			// At most two sessions per user: a third login replaces the first.
			first := loginKit(t, kit, "reader", "reader123")
			second := loginKit(t, kit, "reader", "reader123")
			third := loginKit(t, kit, "reader", "reader123")
			kit.GET("/book/list").Bearer(first.AccessToken).Do().Status(401).Reason("replaced")
			kit.GET("/book/list").Bearer(second.AccessToken).Do().Status(200)
			kit.GET("/book/list").Bearer(third.AccessToken).Do().Status(200)
		})
	}
}
