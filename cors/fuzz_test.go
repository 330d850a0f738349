package cors_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/portico-go/portico/cors"
)

// FuzzOriginPattern: any origin pattern either fails New with an error or
// yields a filter that never panics and only ever echoes the request's
// own origin.
func FuzzOriginPattern(f *testing.F) {
	f.Add("https://*.example.com", "https://a.example.com")
	f.Add("http://localhost:[8080,8081]", "http://localhost:8081")
	f.Add("http://localhost:[*]", "http://localhost")
	f.Add("*", "null")
	f.Add(":[", "x")
	f.Fuzz(func(t *testing.T, pattern, origin string) {
		reg := cors.NewRegistry()
		reg.AddMapping("/**").AllowedOriginPatterns(pattern).AllowCredentials(true)
		c, err := cors.New(reg)
		if err != nil {
			return
		}
		r := httptest.NewRequest("GET", "/x", nil)
		r.Header.Set("Origin", origin)
		w := httptest.NewRecorder()
		c.Wrap(http.NotFoundHandler()).ServeHTTP(w, r)
		if got := w.Header().Get("Access-Control-Allow-Origin"); got != "" && got != origin {
			t.Fatalf("pattern %q, origin %q: allowed %q", pattern, origin, got)
		}
	})
}
