package dispatcher_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/view"
)

func errorViews(t *testing.T, page string) view.Resolver {
	t.Helper()
	v, err := view.NewTemplates(fstest.MapFS{"error.html": {Data: []byte(page)}})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestPrefersHTML(t *testing.T) {
	tests := []struct {
		accept string
		want   bool
	}{
		{"", false},
		{"*/*", false},
		{"application/json", false},
		{"text/html", true},
		{"TEXT/HTML", true},
		// Firefox and Chromium navigating to a page.
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7", true},
		{"application/json, text/html", false}, // a tie goes to JSON
		{"text/html;q=0.5, application/json", false},
		{"text/html, application/json;q=0.5", true},
		{"text/html;q=0", false},
		{"text/html;q=2", false},      // not a quality: ignored
		{"text/html;q=abc", false},    // idem
		{"text/*, */*;q=0.1", false},  // only text/html itself counts
		{"image/png,text/html", true}, // an <img> does not ask for HTML, this does
	}
	for _, tt := range tests {
		var h []string
		if tt.accept != "" {
			h = []string{tt.accept}
		}
		if got := dispatcher.PrefersHTML(h); got != tt.want {
			t.Errorf("PrefersHTML(%q) = %v, want %v", tt.accept, got, tt.want)
		}
	}
}

func TestSameSitePath(t *testing.T) {
	for s, want := range map[string]bool{
		"/":                             true,
		"/books.html":                   true,
		"/books.html?q=go&p=2":          true,
		"/book/1#x":                     true,
		"":                              false,
		"books.html":                    false,
		"//evil.example":                false,
		"/\\evil.example":               false,
		"/a\\b":                         false,
		"https://evil.example/":         false,
		"javascript:alert(1)":           false,
		"/a\r\nSet-Cookie: x=1":         false,
		"/a\x00":                        false,
		"/" + strings.Repeat("a", 3000): false,
	} {
		if got := dispatcher.SameSitePath(s); got != want {
			t.Errorf("SameSitePath(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestNegotiatedErrors(t *testing.T) {
	const page = `<h1>{{.title}}</h1><p>{{.message}}</p>{{range .errors}}<li>{{.Field}} {{.Message}}</li>{{end}}<code>{{.path}}</code>`
	n := dispatcher.NegotiatedErrors{
		JSON:     dispatcher.JSONErrors{Data: true},
		Views:    errorViews(t, page),
		LoginURL: "/login.html",
	}
	const browser = "text/html,application/xhtml+xml,*/*;q=0.8"
	tests := []struct {
		name, method, target, accept string
		err                          *handler.Error
		status                       int
		ct, body, location           string
	}{
		{"API client gets JSON", "GET", "/nope", "application/json", handler.NewError(404, "not found"),
			404, "application/json", `{"code":404,"message":"not found","data":null}`, ""},
		{"curl gets JSON", "GET", "/nope", "*/*", handler.NewError(404, "not found"),
			404, "application/json", `"code":404`, ""},
		{"browser gets the page", "GET", "/nope", browser, handler.NewError(404, "not found"),
			404, "text/html; charset=utf-8", "<h1>404 Not Found</h1><p>not found</p><code>/nope</code>", ""},
		{"field errors on the page", "POST", "/book", browser,
			&handler.Error{Status: 400, Message: "validation failed", Fields: []handler.FieldError{{Field: "title", Message: "must not be blank"}}},
			400, "text/html; charset=utf-8", "<li>title must not be blank</li>", ""},
		{"message is escaped", "GET", "/x", browser, handler.NewError(400, "<script>"),
			400, "text/html; charset=utf-8", "<p>&lt;script&gt;</p>", ""},
		{"browser GET 401 goes to the login page", "GET", "/book/list?page=2", browser, handler.NewError(401, "missing token"),
			303, "", "", "/login.html?next=%2Fbook%2Flist%3Fpage%3D2"},
		{"API 401 stays JSON", "GET", "/book/list", "application/json", handler.NewError(401, "missing token"),
			401, "application/json", `"code":401`, ""},
		{"browser POST 401 is a page, not a redirect", "POST", "/book", browser, handler.NewError(401, "missing token"),
			401, "text/html; charset=utf-8", "<h1>401 Unauthorized</h1>", ""},
		{"unsafe next is dropped", "GET", "//evil.example/x", browser, handler.NewError(401, "missing token"),
			303, "", "", "/login.html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "http://example.test"+tt.target, nil)
			if tt.accept != "" {
				r.Header.Set("Accept", tt.accept)
			}
			w := httptest.NewRecorder()
			n.RenderError(w, r, tt.err)
			if w.Code != tt.status {
				t.Errorf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.ct != "" && w.Header().Get("Content-Type") != tt.ct {
				t.Errorf("Content-Type %q, want %q", w.Header().Get("Content-Type"), tt.ct)
			}
			if !strings.Contains(w.Body.String(), tt.body) {
				t.Errorf("body %q does not contain %q", w.Body, tt.body)
			}
			if got := w.Header().Get("Location"); got != tt.location {
				t.Errorf("Location %q, want %q", got, tt.location)
			}
			if got := w.Header().Get("Vary"); got != "Accept" {
				t.Errorf("Vary %q, want Accept", got)
			}
		})
	}
}

// TestNegotiatedErrorsFallBack: no view, a missing view or a view that
// fails half way still answers, in JSON, with the right status.
func TestNegotiatedErrorsFallBack(t *testing.T) {
	for name, n := range map[string]dispatcher.NegotiatedErrors{
		"no resolver":  {},
		"missing view": {Views: errorViews(t, "x"), View: "nope"},
		"failing view": {Views: errorViews(t, `before {{index .errors 5}}`)},
	} {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/x", nil)
			r.Header.Set("Accept", "text/html")
			w := httptest.NewRecorder()
			n.RenderError(w, r, handler.NewError(418, "teapot"))
			var body struct{ Code int }
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != 418 || body.Code != 418 {
				t.Errorf("got %d %q (%v), want a JSON 418", w.Code, w.Body, err)
			}
		})
	}
}

// TestNegotiatedErrorsThroughDispatcher: the dispatcher's own 404 reaches a
// browser as the page.
func TestNegotiatedErrorsThroughDispatcher(t *testing.T) {
	d := dispatcher.New(dispatcher.WithErrorRenderer(dispatcher.NegotiatedErrors{Views: errorViews(t, `<h1>{{.title}}</h1>`)}))
	if err := d.GET("/", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/missing", nil)
	r.Header.Set("Accept", "text/html")
	w := httptest.NewRecorder()
	d.ServeHTTP(w, r)
	if w.Code != 404 || w.Body.String() != "<h1>404 Not Found</h1>" {
		t.Errorf("got %d %q", w.Code, w.Body)
	}
}

func FuzzPrefersHTML(f *testing.F) {
	for _, s := range []string{"text/html", "*/*;q=0.8", "text/html;q=0.5, application/json", "a/b;q=;q=1", ";;,,/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		got := dispatcher.PrefersHTML([]string{accept})
		// Appending an equally good JSON range never turns JSON into HTML.
		if !got && dispatcher.PrefersHTML([]string{accept + ", application/json"}) {
			t.Errorf("%q: adding application/json chose HTML", accept)
		}
	})
}

func ExampleNegotiatedErrors() {
	views, _ := view.NewTemplates(fstest.MapFS{"error.html": {Data: []byte(`<h1>{{.title}}</h1>`)}})
	d := dispatcher.New(dispatcher.WithErrorRenderer(dispatcher.NegotiatedErrors{Views: views, LoginURL: "/login.html"}))
	for _, accept := range []string{"application/json", "text/html"} {
		r := httptest.NewRequest("GET", "/missing", nil)
		r.Header.Set("Accept", accept)
		w := httptest.NewRecorder()
		d.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Header().Get("Content-Type"), strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// 404 application/json {"code":404,"message":"not found"}
	// 404 text/html; charset=utf-8 <h1>404 Not Found</h1>
}

func FuzzSameSitePath(f *testing.F) {
	for _, s := range []string{"/", "/books.html?q=1", "//evil", "/\\evil", "https://x/", "/%2F%2Fevil", "/a\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !dispatcher.SameSitePath(s) {
			return
		}
		// Whatever is accepted stays on this site however a browser
		// resolves it against http://this.test/login.html.
		base, _ := url.Parse("http://this.test/login.html")
		u, err := url.Parse(s)
		if err != nil {
			t.Fatalf("accepted %q, which does not parse: %v", s, err)
		}
		if got := base.ResolveReference(u); got.Host != "this.test" || got.Scheme != "http" {
			t.Errorf("accepted %q, which leads to %s", s, got)
		}
		if strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\\r\n\t") {
			t.Errorf("accepted %q", s)
		}
	})
}
