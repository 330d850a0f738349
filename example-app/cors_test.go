package main

import "testing"

// TestCORS: with APP_CORS_ORIGINS set, a browser on that origin gets its
// preflight answered before the login interceptor (no 401), and the API's
// answers carry the CORS headers, New-Token exposed; other origins get 403.
// The CORS filter is one of the app's filters, so the kit, serving the
// server's own handler, goes through it.
func TestCORS(t *testing.T) {
	t.Parallel()
	kit := newKit(t, map[string]string{"APP_CORS_ORIGINS": "https://app.test, http://localhost:5173"})
	kit.Perform("OPTIONS", "/book/1").
		Header("Origin", "https://app.test").
		Header("Access-Control-Request-Method", "DELETE").
		Header("Access-Control-Request-Headers", "authorization").
		Do().
		Status(200).
		HasHeader("Access-Control-Allow-Origin", "https://app.test").
		HeaderContains("Access-Control-Allow-Methods", "DELETE")
	kit.GET("/book/list").As(asReader).Header("Origin", "http://localhost:5173").Do().
		Status(200).
		HasHeader("Access-Control-Allow-Origin", "http://localhost:5173").
		HeaderContains("Access-Control-Expose-Headers", "New-Token")
	kit.GET("/book/list").Header("Origin", "https://evil.test").Do().Status(403)
}
