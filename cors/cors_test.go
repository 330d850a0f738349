package cors_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/portico-go/portico/cors"
)

func newCORS(t *testing.T) http.Handler {
	t.Helper()
	reg := cors.NewRegistry()
	reg.AddMapping("/api/**").
		AllowedOrigins("https://app.example.com/").
		AllowedOriginPatterns("https://*.example.org", "http://localhost:[*]").
		AllowedMethods("GET", "POST", "DELETE").
		AllowedHeaders("Authorization", "Content-Type").
		ExposedHeaders("X-Total").
		AllowCredentials(true).
		MaxAge(time.Hour)
	reg.AddMapping("/public/**") // Spring's defaults
	c, err := cors.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			// What the login interceptor would do to a preflight.
			http.Error(w, "login required", http.StatusUnauthorized)
			return
		}
		w.Header().Set("X-Reached", "yes")
		w.WriteHeader(http.StatusOK)
	})
	return c.Wrap(next)
}

func TestCORS(t *testing.T) {
	h := newCORS(t)
	tests := []struct {
		name    string
		method  string
		path    string
		header  map[string]string
		status  int
		reached bool
		want    map[string]string // "" means absent
	}{
		{"unmapped path untouched", "GET", "/other", map[string]string{"Origin": "https://evil.test"}, 200, true,
			map[string]string{"Access-Control-Allow-Origin": "", "Vary": ""}},
		{"no origin", "GET", "/api/books", nil, 200, true,
			map[string]string{"Access-Control-Allow-Origin": "", "Vary": "Origin"}},
		{"same origin", "GET", "/api/books", map[string]string{"Origin": "http://example.com"}, 200, true,
			map[string]string{"Access-Control-Allow-Origin": ""}},
		{"actual allowed", "GET", "/api/books", map[string]string{"Origin": "https://app.example.com"}, 200, true,
			map[string]string{
				"Access-Control-Allow-Origin":      "https://app.example.com",
				"Access-Control-Allow-Credentials": "true",
				"Access-Control-Expose-Headers":    "New-Token,X-Total",
				"Vary":                             "Origin",
			}},
		{"origin case and pattern", "POST", "/api/books", map[string]string{"Origin": "https://shop.eu.example.org"}, 200, true,
			map[string]string{"Access-Control-Allow-Origin": "https://shop.eu.example.org"}},
		{"port pattern", "GET", "/api/x", map[string]string{"Origin": "http://localhost:5173"}, 200, true,
			map[string]string{"Access-Control-Allow-Origin": "http://localhost:5173"}},
		{"pattern does not match another scheme", "GET", "/api/x", map[string]string{"Origin": "http://shop.example.org"}, 403, false,
			map[string]string{"Access-Control-Allow-Origin": ""}},
		{"pattern suffix is anchored", "GET", "/api/x", map[string]string{"Origin": "https://a.example.org.evil.test"}, 403, false, nil},
		{"actual from bad origin", "GET", "/api/books", map[string]string{"Origin": "https://evil.test"}, 403, false,
			map[string]string{"Access-Control-Allow-Origin": ""}},
		{"preflight answered before the dispatcher", "OPTIONS", "/api/books", map[string]string{
			"Origin": "https://app.example.com", "Access-Control-Request-Method": "DELETE", "Access-Control-Request-Headers": "authorization, content-type",
		}, 200, false, map[string]string{
			"Access-Control-Allow-Origin":      "https://app.example.com",
			"Access-Control-Allow-Methods":     "GET,POST,DELETE",
			"Access-Control-Allow-Headers":     "authorization,content-type",
			"Access-Control-Allow-Credentials": "true",
			"Access-Control-Max-Age":           "3600",
			"Access-Control-Expose-Headers":    "",
		}},
		{"preflight bad method", "OPTIONS", "/api/books", map[string]string{
			"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT",
		}, 403, false, map[string]string{"Access-Control-Allow-Origin": ""}},
		{"preflight bad header", "OPTIONS", "/api/books", map[string]string{
			"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "X-Secret",
		}, 403, false, nil},
		{"preflight bad origin", "OPTIONS", "/api/books", map[string]string{
			"Origin": "https://evil.test", "Access-Control-Request-Method": "GET",
		}, 403, false, nil},
		{"plain OPTIONS is not a preflight", "OPTIONS", "/api/books", map[string]string{"Origin": "https://app.example.com"}, 401, false,
			map[string]string{"Access-Control-Allow-Origin": "https://app.example.com"}},
		{"defaults: any origin, no credentials", "GET", "/public/a", map[string]string{"Origin": "https://anyone.test"}, 200, true,
			map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "", "Access-Control-Expose-Headers": "New-Token"}},
		{"defaults: any header echoed", "OPTIONS", "/public/a", map[string]string{
			"Origin": "https://anyone.test", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "X-Anything",
		}, 200, false, map[string]string{
			"Access-Control-Allow-Methods": "GET,HEAD,POST", "Access-Control-Allow-Headers": "X-Anything", "Access-Control-Max-Age": "1800",
		}},
		{"defaults: PUT refused", "OPTIONS", "/public/a", map[string]string{
			"Origin": "https://anyone.test", "Access-Control-Request-Method": "PUT",
		}, 403, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "http://example.com"+tt.path, nil)
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.status {
				t.Errorf("status %d, want %d (%s)", w.Code, tt.status, w.Body)
			}
			if got := w.Header().Get("X-Reached") == "yes"; got != tt.reached {
				t.Errorf("reached next: %v, want %v", got, tt.reached)
			}
			for k, v := range tt.want {
				got := strings.Join(w.Header().Values(k), ",")
				if k == "Vary" && v != "" {
					if !strings.Contains(got, v) {
						t.Errorf("Vary %q lacks %q", got, v)
					}
					continue
				}
				if got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			if w.Code == 403 && !strings.Contains(w.Body.String(), "Invalid CORS request") {
				t.Errorf("403 body %q", w.Body)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*cors.Registry)
		want  []string
	}{
		{"wildcard with credentials", func(r *cors.Registry) {
			r.AddMapping("/api/**").AllowCredentials(true)
		}, []string{`"/api/**"`, "AllowCredentials", `"*"`}},
		{"explicit wildcard with credentials", func(r *cors.Registry) {
			r.AddMapping("/ok/**").AllowedOrigins("https://a.test")
			r.AddMapping("/x/**").AllowedOrigins("https://a.test", "*").AllowCredentials(true)
		}, []string{`"/x/**"`}},
		{"bad path pattern", func(r *cors.Registry) { r.AddMapping("/a/{") }, []string{`"/a/{"`}},
		{"wildcard inside origin", func(r *cors.Registry) {
			r.AddMapping("/**").AllowedOrigins("https://*.a.test")
		}, []string{"AllowedOriginPatterns"}},
		{"bad port", func(r *cors.Registry) {
			r.AddMapping("/**").AllowedOriginPatterns("http://localhost:[80a]")
		}, []string{"80a"}},
		{"no origins", func(r *cors.Registry) { r.AddMapping("/**").AllowedOrigins() }, []string{"no allowed origins"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := cors.NewRegistry()
			tt.setup(reg)
			_, err := cors.New(reg)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// Origin patterns may be combined with credentials: the origin is echoed.
func TestPatternWithCredentials(t *testing.T) {
	reg := cors.NewRegistry()
	reg.AddMapping("/**").AllowedOriginPatterns("*").AllowCredentials(true)
	c, err := cors.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/x", nil)
	r.Header.Set("Origin", "https://a.test")
	w := httptest.NewRecorder()
	c.Wrap(http.NotFoundHandler()).ServeHTTP(w, r)
	if got := w.Header().Get("Access-Control-Allow-Origin"); got != "https://a.test" {
		t.Errorf("Allow-Origin %q", got)
	}
}
