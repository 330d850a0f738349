// Package token issues and verifies the two credentials of a Portico login:
// short-lived access tokens (HS256 JWTs) and long-lived opaque refresh
// tokens.
//
// Access tokens are self-contained so that most of a request's
// authentication is CPU work, but they are never trusted alone: every access
// token names a server-side session (the "sid" claim) that the caller must
// still look up, which is what makes logout and kick-out take effect at once.
//
// Refresh tokens are random secrets of the form "<sid>.<secret>". Only a
// SHA-256 hash of the secret is ever stored, so a leaked session store does
// not leak usable refresh tokens. The two token kinds have different shapes
// (a JWT has exactly two dots, a refresh token exactly one) and access
// tokens also carry typ "access", so neither can stand in for the other.
package token
