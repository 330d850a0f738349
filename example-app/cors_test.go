package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestCORS: with APP_CORS_ORIGINS set, a browser on that origin gets its
// preflight answered before the login interceptor (no 401), and the API's
// answers carry the CORS headers, New-Token exposed; other origins get 403.
func TestCORS(t *testing.T) {
	a := startApp(t, tempDB(t), map[string]string{"APP_CORS_ORIGINS": "https://app.test, http://localhost:5173"})
	do := func(method, path, origin string, h map[string]string) *http.Response {
		req, _ := http.NewRequestWithContext(t.Context(), method, a.base+path, nil)
		req.Header.Set("Origin", origin)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		res, err := a.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	pre := do("OPTIONS", "/book/1", "https://app.test", map[string]string{
		"Access-Control-Request-Method": "DELETE", "Access-Control-Request-Headers": "authorization",
	})
	if pre.StatusCode != 200 || pre.Header.Get("Access-Control-Allow-Origin") != "https://app.test" ||
		!strings.Contains(pre.Header.Get("Access-Control-Allow-Methods"), "DELETE") {
		t.Errorf("preflight: %d %v", pre.StatusCode, pre.Header)
	}
	tok := a.login(t, "reader", "reader123")
	res := do("GET", "/book/list", "http://localhost:5173", map[string]string{"Authorization": "Bearer " + tok.AccessToken})
	if res.StatusCode != 200 || res.Header.Get("Access-Control-Allow-Origin") != "http://localhost:5173" ||
		!strings.Contains(res.Header.Get("Access-Control-Expose-Headers"), "New-Token") {
		t.Errorf("actual request: %d %v", res.StatusCode, res.Header)
	}
	if res := do("GET", "/book/list", "https://evil.test", nil); res.StatusCode != 403 {
		t.Errorf("other origin: %d", res.StatusCode)
	}
}
