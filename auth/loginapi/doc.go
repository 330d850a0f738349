// Package loginapi ships the login endpoints every token-based app writes:
// log in, refresh, log out and log out everywhere, as a registrar over
// auth.Manager.
//
//	POST /auth/login       {"username", "password"}  -> 200 tokens
//	POST /auth/refresh     {"refreshToken"}          -> 200 tokens
//	POST /auth/logout      (Bearer token)            -> 200, this session ends
//	POST /auth/logout-all  (Bearer token)            -> 200, every session of the user ends
//
// Tokens are answered in Portico's one token shape, an auth.TokenPair in a
// {code, message, data} envelope:
//
//	{"code": 200, "message": "ok", "data": {"accessToken": "...", "refreshToken": "...", "tokenType": "Bearer", "expiresIn": 900}}
//
// which is what client.Login and client.JSONRefresher read. Errors take the
// framework's error shape (the dispatcher's ErrorRenderer) with a reason:
// 400 for a malformed body, 401 bad_credentials, 429 too_many_requests
// with Retry-After, 401 for a refresh token that is invalid, expired or
// revoked, 409 when a concurrent refresh of the same token is in progress,
// 503 store_unavailable.
//
// The application supplies an Authenticator that finds users and their
// bcrypt hashes; the API owns the password check, so that an unknown user
// costs the same bcrypt comparison (against auth.DummyHash) as a wrong
// password, and every attempt goes through the failed-login limiter
// first.
//
// Login and refresh carry login.Ignore(), logout and logout-all
// login.RequireLogin(): register the login interceptor on the paths ("/**"
// is fine) and it lets the first two through and authenticates the
// others.
package loginapi
