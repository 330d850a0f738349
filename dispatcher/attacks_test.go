package dispatcher_test

import (
	"bufio"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
)

// guarded builds a dispatcher whose guard interceptor refuses everything
// except the excluded paths, the way a login interceptor without a token
// does. Protected handlers answer "PROTECTED"; reaching one is a bypass.
func guarded(t *testing.T, opts ...dispatcher.Option) *dispatcher.Dispatcher {
	t.Helper()
	d := dispatcher.New(opts...)
	protected := func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "PROTECTED") }
	public := func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "public") }
	for _, p := range []string{"/book/list", "/book/{id}", "/admin/x", "/admin/{*rest}", "/api/admin/{id}", "/api/administrator/{id}"} {
		must(t, d.GET(p, protected))
		must(t, d.POST(p, protected))
	}
	must(t, d.GET("/user/login", public))
	must(t, d.GET("/static/{*path}", public))
	must(t, d.GET("/index.html", public))
	guard := interceptor.Funcs{Pre: func(w http.ResponseWriter, r *http.Request, rt *handler.Route) (bool, error) {
		return false, handler.NewError(http.StatusUnauthorized, "login required")
	}}
	d.Interceptors().AddInterceptor(guard).AddPathPatterns("/**").
		ExcludePathPatterns("/user/login", "/static/**", "/**/*.html", "/api/administrator/**")
	return d
}

// rawRequest parses a request line exactly as net/http's server does.
func rawRequest(t *testing.T, method, target string) *http.Request {
	t.Helper()
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(method + " " + target + " HTTP/1.1\r\nHost: example.com\r\n\r\n")))
	if err != nil {
		return nil // the server itself would refuse it
	}
	req.RemoteAddr = "192.0.2.1:1234"
	return req
}

func TestHostileSpellingsNeverReachProtectedHandlers(t *testing.T) {
	spellings := []string{
		// trailing slash and case
		"/book/list/", "/admin/x/", "/BOOK/list", "/Admin/x",
		// traversal through excluded paths
		"/user/login/../../book/list", "/user/login/../book/list", "/static/../book/list",
		"/static/%2e%2e/book/list", "/static/.%2E/book/list", "/static/%2E%2e/admin/x",
		"/./book/list", "/static/./../admin/x", "/static/..%5cbook/list", "/static/..\\book/list",
		"/user/login/..%2f..%2fbook/list", "/index.html/../book/list", "/x.html/../admin/x",
		// doubled slashes
		"//book/list", "/book//list", "/static//../admin/x", "//admin/x",
		// encoded slash, backslash, percent
		"/book%2flist", "/book%2Flist", "/static%2f..%2fbook/list", "/book%5clist",
		// semicolons
		"/book/list;", "/admin;/x", "/admin/x;.html", "/book/list;jsessionid=abc", "/book/list%3b.html",
		"/user/login;/../book/list", "/static;/../admin/x", "/admin/x;/../../static/a.css",
		// suffix confusion
		"/admin.xml/x", "/book/list/.html",
		// control characters and odd whitespace
		"/book/list%00", "/book/list%0a", "/book/list%0d", "/book/list%0d%0a", "/admin/x%09",
		"/book/list%e2%80%a8", "/book/list%e2%80%a9", "/admin/x%20", "/%20/admin/x", "/admin%c2%a0/x",
		// double encoding
		"/static/%252e%252e/book/list", "/%252e%252e/book/list", "/book%252flist", "/book/list%25",
		"/static/%25%32%65%25%32%65/admin/x",
		// prefix without separator
		"/api/administrator/../admin/1", "/api/administrator%2f..%2fadmin/1",
		// open redirect candidates
		"//evil.com/", "/\\evil.com/", "/%2F%2Fevil.com", "/%5Cevil.com",
	}
	for _, name := range []string{"strict", "redirecting"} {
		var opts []dispatcher.Option
		if name == "redirecting" {
			opts = append(opts, dispatcher.RedirectTrailingSlash())
		}
		d := guarded(t, opts...)
		for _, method := range []string{"GET", "POST", "HEAD", "OPTIONS"} {
			for _, s := range spellings {
				r := rawRequest(t, method, s)
				if r == nil {
					continue
				}
				w := httptest.NewRecorder()
				d.ServeHTTP(w, r)
				body := w.Body.String()
				if strings.Contains(body, "PROTECTED") {
					t.Errorf("%s: %s %q reached a protected handler (%d)", name, method, s, w.Code)
				}
				switch {
				case w.Code == 400, w.Code == 401, w.Code == 404, w.Code == 405, w.Code == 414:
				case w.Code == 204 && method == "OPTIONS":
				case w.Code == 200 && body == "public":
				case w.Code >= 300 && w.Code < 400:
					loc := w.Header().Get("Location")
					if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.Contains(loc, "\\") {
						t.Errorf("%s: %s %q redirects off-site to %q", name, method, s, loc)
					}
				default:
					t.Errorf("%s: %s %q answered %d %q", name, method, s, w.Code, body)
				}
			}
		}
	}
}

func TestExcludedPathsStillServe(t *testing.T) {
	d := guarded(t)
	for path, want := range map[string]int{
		"/user/login": 200, "/static/app.js": 200, "/index.html": 200, "/api/administrator/1": 200,
		"/api/admin/1": 401, "/book/list": 401, "/book/7": 401, "/admin/x": 401, "/admin/a/b": 401,
	} {
		w := httptest.NewRecorder()
		d.ServeHTTP(w, rawRequest(t, "GET", path))
		if w.Code != want {
			t.Errorf("GET %s = %d, want %d", path, w.Code, want)
		}
	}
}

// An exclude that matches only some paths of a route (here /**/*.html
// against /book/{id}) is a hole the application chose; the framework
// decides it on the path the router matched and says so in the route table.
func TestPartialExcludeIsVisible(t *testing.T) {
	var logs strings.Builder
	d := guarded(t, dispatcher.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	for _, p := range []string{"/book/7.html", "/book/list.html", "/admin/x.html"} {
		w := httptest.NewRecorder()
		d.ServeHTTP(w, rawRequest(t, "GET", p))
		if w.Body.String() != "PROTECTED" {
			t.Fatalf("the exclude /**/*.html should apply to %s: %d %s", p, w.Code, w.Body)
		}
	}
	if !strings.Contains(logs.String(), `route="GET /book/{id}"`) || !strings.Contains(logs.String(), "*.html") {
		t.Errorf("no startup warning for the partial exclude:\n%s", logs.String())
	}
	routes, err := d.Routes()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range routes {
		if r.Path == "/book/{id}" && r.Method == "GET" && (len(r.Chain) != 1 || !r.Chain[0].PerRequest) {
			t.Errorf("route table does not mark the per-request decision: %+v", r)
		}
		if r.Path == "/book/list" && r.Method == "GET" && (len(r.Chain) != 1 || r.Chain[0].PerRequest) {
			t.Errorf("static route should be decided at startup: %+v", r)
		}
	}
}
