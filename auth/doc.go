// Package auth is Portico's login machinery: a Manager that logs users in,
// authenticates requests, rotates refresh tokens and ends sessions, plus the
// pieces a login endpoint needs around it (password hashing, the
// LoginLimiter against password guessing, in memory or shared through Redis,
// client address extraction).
//
// A login creates a server-side session (package session) and hands the
// client a pair of tokens (package token): a short-lived JWT access token
// and a long-lived refresh token. Authenticating a request verifies the JWT,
// usually from a cache, and then makes exactly one store call that both
// checks the session is still alive and slides its idle timeout (with Redis
// and go-redis's client-side cache, usually answered from local memory and
// invalidated by Redis when the session changes). That call is what lets
// logout, kick-out and eviction take effect on the next request, on every
// server sharing the store.
//
// Every failure is an *Error carrying a Reason, a short machine-readable
// code that maps to an HTTP status and is safe to show to clients; the
// wrapped error holds the detail for logs.
package auth
