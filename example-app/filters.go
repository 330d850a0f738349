package main

import (
	"context"
	"net/http"

	"github.com/portico-go/portico/auth"
)

// Filters are plain net/http middleware around the whole dispatcher
// (Spring's servlet Filters): they see every request, 404s included.

// withClientIP stores the client address in the request context. Typed
// handlers receive only a context, and the login handler needs the address
// for the failed-login limiter and the session record. No proxy is trusted,
// so X-Forwarded-For is ignored; list your proxies here if you run behind
// one.
func withClientIP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), clientIPKey{}, auth.ClientIP(r, nil))
		r2 := r.WithContext(ctx)
		next.ServeHTTP(w, r2)
		// Outer filters (access log, metrics, tracing) read the matched
		// route from the request they passed in.
		r.Pattern = r2.Pattern
	})
}

// securityHeaders sets headers every response should carry. The pages load
// only their own scripts and styles (no inline code), so the content
// security policy can be strict.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}
