package accesslog_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/portico-go/portico/accesslog"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/firewall"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/requestid"
)

func app(t *testing.T) http.Handler {
	t.Helper()
	d := dispatcher.New(dispatcher.WithFirewall(firewall.New()),
		dispatcher.WithLogger(slog.New(slog.DiscardHandler)))
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.GET("/book/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("book " + r.PathValue("id")))
	})))
	must(d.GET("/boom", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })))
	must(d.POST("/user/login", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	})))
	return d
}

type line struct {
	Level     string  `json:"level"`
	Method    string  `json:"method"`
	Route     *string `json:"route"`
	Path      *string `json:"path"`
	Status    int     `json:"status"`
	Bytes     int64   `json:"bytes"`
	Duration  int64   `json:"duration"`
	RequestID string  `json:"request_id"`
	Client    string  `json:"client"`
}

func TestEveryRequestLoggedOnce(t *testing.T) {
	step := 3 * time.Millisecond
	var clock time.Time
	now := func() time.Time { clock = clock.Add(step); return clock }
	for _, tc := range []struct {
		name, method, target string
		header               http.Header
		remote               string
		level                string
		route, path          string
		status               int
		bytes                int64
		client               string
	}{
		{name: "matched", method: "GET", target: "/book/42", level: "INFO", route: "/book/{id}", status: 200, bytes: 7, client: "192.0.2.1"},
		{name: "not found", method: "GET", target: "/nope?token=secret", level: "WARN", path: "/nope", status: 404},
		{name: "method not allowed", method: "DELETE", target: "/book/1", level: "WARN", path: "/book/1", status: 405},
		{name: "firewall", method: "GET", target: "/a/../etc/passwd", level: "WARN", path: "/a/../etc/passwd", status: 400},
		{name: "panic", method: "GET", target: "/boom", level: "ERROR", route: "/boom", status: 500},
		{name: "login failure", method: "POST", target: "/user/login?password=hunter2",
			header: http.Header{"Authorization": {"Bearer eyJsecret"}}, level: "WARN", route: "/user/login", status: 401},
		{name: "long path truncated", method: "GET", target: "/" + strings.Repeat("x", 500), level: "WARN",
			path: "/" + strings.Repeat("x", accesslog.MaxPathLen-1) + "...", status: 404},
		{name: "control characters escaped", method: "GET", target: "/a%0Alevel=ERROR", level: "WARN", path: "/a%0Alevel=ERROR", status: 400},
		{name: "forwarded from a trusted proxy", method: "GET", target: "/book/1", remote: "10.0.0.5:4000",
			header: http.Header{"X-Forwarded-For": {"203.0.113.9"}}, level: "INFO", route: "/book/{id}", status: 200, bytes: 6, client: "203.0.113.9"},
		{name: "forwarded from anyone else", method: "GET", target: "/book/1", remote: "198.51.100.7:4000",
			header: http.Header{"X-Forwarded-For": {"203.0.113.9"}}, level: "INFO", route: "/book/{id}", status: 200, bytes: 6, client: "198.51.100.7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := accesslog.New(accesslog.Config{
				Logger:         slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})),
				TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
				Now:            now,
			})
			h := requestid.Wrap(log.Wrap(app(t)))
			r := httptest.NewRequest(tc.method, tc.target, nil)
			if tc.remote != "" {
				r.RemoteAddr = tc.remote
			}
			for k, v := range tc.header {
				r.Header[k] = v
			}
			r.Header.Set(requestid.Header, "rid-"+strings.ReplaceAll(tc.name, " ", "-"))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)

			out := buf.String()
			if n := strings.Count(out, "\n"); n != 1 {
				t.Fatalf("%d lines, want 1:\n%s", n, out)
			}
			for _, secret := range []string{"secret", "hunter2", "Bearer", "token=", "password"} {
				if strings.Contains(out, secret) {
					t.Fatalf("line leaks %q: %s", secret, out)
				}
			}
			var l line
			if err := json.Unmarshal(buf.Bytes(), &l); err != nil {
				t.Fatal(err)
			}
			if l.Level != tc.level || l.Method != tc.method || l.Status != tc.status || l.Status != w.Code {
				t.Errorf("level %s method %s status %d (response %d); want %s %s %d", l.Level, l.Method, l.Status, w.Code, tc.level, tc.method, tc.status)
			}
			if tc.route != "" && (l.Route == nil || *l.Route != tc.route || l.Path != nil) {
				t.Errorf("route %v path %v, want route %q only", l.Route, l.Path, tc.route)
			}
			if tc.path != "" && (l.Path == nil || *l.Path != tc.path || l.Route != nil) {
				t.Errorf("path %v route %v, want path %q only", deref(l.Path), l.Route, tc.path)
			}
			if tc.bytes != 0 && l.Bytes != tc.bytes || l.Bytes != int64(w.Body.Len()) {
				t.Errorf("bytes %d, response %d, want %d", l.Bytes, w.Body.Len(), tc.bytes)
			}
			if l.Duration != int64(step) {
				t.Errorf("duration %d, want %d", l.Duration, step)
			}
			if l.RequestID != w.Header().Get(requestid.Header) || l.RequestID == "" {
				t.Errorf("request_id %q, response header %q", l.RequestID, w.Header().Get(requestid.Header))
			}
			want := tc.client
			if want == "" {
				want = "192.0.2.1" // httptest's RemoteAddr
			}
			if l.Client != want {
				t.Errorf("client %q, want %q", l.Client, want)
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func TestLevel(t *testing.T) {
	for status, want := range map[int]slog.Level{
		200: slog.LevelInfo, 204: slog.LevelInfo, 301: slog.LevelInfo, 400: slog.LevelWarn,
		404: slog.LevelWarn, 499: slog.LevelWarn, 500: slog.LevelError, 503: slog.LevelError,
	} {
		if got := accesslog.Level(status); got != want {
			t.Errorf("Level(%d) = %v, want %v", status, got, want)
		}
	}
}

// A logger above warn drops successful requests without building a line.
func TestDisabledLevel(t *testing.T) {
	var buf bytes.Buffer
	log := accesslog.New(accesslog.Config{Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	h := log.Wrap(app(t))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/book/1", nil))
	if buf.Len() != 0 {
		t.Fatalf("logged %q below the handler's level", buf.String())
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/missing", nil))
	if !strings.Contains(buf.String(), "status=404") {
		t.Fatalf("404 not logged: %q", buf.String())
	}
}

// The dispatcher's own context values stay readable: the filter does not
// copy the request.
func TestRequestUnchanged(t *testing.T) {
	var seen *http.Request
	in := httptest.NewRequest("GET", "/", nil)
	accesslog.New(accesslog.Config{Logger: slog.New(slog.DiscardHandler)}).Wrap(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		seen = r
		_ = handler.RequestID(r.Context())
	})).ServeHTTP(httptest.NewRecorder(), in)
	if seen != in {
		t.Fatal("filter passed on a copy of the request; outer filters would lose r.Pattern")
	}
}
