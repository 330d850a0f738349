// Package login is Portico's login interceptor: the JWT + session check of
// seed 001 in a PreHandle, and Sa-Token's authorization checks — route
// metadata (the stand-in for @SaCheckLogin, @SaCheckRole,
// @SaCheckPermission and @SaIgnore) and SaRouter-style path rules — in one
// HandlerInterceptor.
//
// Tokens and sessions are the auth package's: the interceptor reads the
// Bearer token, asks auth.Manager to authenticate it (signature, claims,
// and one session-store round trip that also slides the idle timeout), puts
// the current user in the request context and forwards a renewed access
// token in the New-Token header. Failures are errors in the framework's
// shape with a machine-readable reason: 401 missing_token, invalid_token,
// expired, revoked, replaced, kicked_out; 403 forbidden; 503
// store_unavailable when the session store cannot answer (fail closed).
package login
