package dispatcher

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/view"
)

// DefaultErrorView is the view NegotiatedErrors renders for browsers
// unless told otherwise.
const DefaultErrorView = "error"

// NegotiatedErrors is an ErrorRenderer that answers in the format the
// client asked for in Accept, like Spring Boot's BasicErrorController: an
// HTML error page for a browser (Accept prefers text/html), JSON for API
// clients and everyone else, so a client that says nothing gets the API's
// shape. Responses carry Vary: Accept.
type NegotiatedErrors struct {
	// JSON renders for API clients; nil means JSONErrors{}.
	JSON ErrorRenderer
	// Views resolves the error view; nil means every client gets JSON.
	Views view.Resolver
	// View names the error view; "" means DefaultErrorView. Its model:
	// "status" (int), "statusText", "message", "reason", "errors" (the
	// field errors), "path" and "title". An application overrides the
	// page by supplying its own template under this name.
	View string
	// LoginURL, when set, sends a browser's GET or HEAD that was refused
	// with 401 to the login page (303 See Other), with the page it asked
	// for as ?next=, instead of showing an error page.
	LoginURL string
}

// RenderError writes e as an HTML page or as JSON, whichever the client
// prefers; a failure to render the page falls back to JSON.
func (n NegotiatedErrors) RenderError(w http.ResponseWriter, r *http.Request, e *handler.Error) {
	w.Header().Add("Vary", "Accept")
	if n.Views == nil || !PrefersHTML(r.Header.Values("Accept")) {
		n.json().RenderError(w, r, e)
		return
	}
	if e.Status == http.StatusUnauthorized && n.LoginURL != "" &&
		(r.Method == http.MethodGet || r.Method == http.MethodHead) {
		target := n.LoginURL
		if next := r.URL.RequestURI(); SameSitePath(next) {
			sep := "?"
			if strings.Contains(target, "?") {
				sep = "&"
			}
			target += sep + "next=" + url.QueryEscape(next)
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	name := n.View
	if name == "" {
		name = DefaultErrorView
	}
	v, err := n.Views.ResolveView(name)
	if err != nil {
		n.json().RenderError(w, r, e)
		return
	}
	text := http.StatusText(e.Status)
	model := map[string]any{
		"status":     e.Status,
		"statusText": text,
		"title":      strconv.Itoa(e.Status) + " " + text,
		"message":    message(e),
		"reason":     e.Reason,
		"errors":     e.Fields,
		"path":       r.URL.Path,
	}
	// Rendered into a buffer first: a template that fails half way must
	// not leave a half-written page behind a committed status.
	buf := &bufferedResponse{header: make(http.Header)}
	if err := v.Render(buf, r, model); err != nil {
		n.json().RenderError(w, r, e)
		return
	}
	h := w.Header()
	h.Set("Content-Type", view.ContentType)
	if ct := buf.header.Get("Content-Type"); ct != "" {
		h.Set("Content-Type", ct)
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(e.Status)
	if r.Method != http.MethodHead {
		w.Write(buf.body.Bytes()) //nolint:errcheck // the client went away
	}
}

func (n NegotiatedErrors) json() ErrorRenderer {
	if n.JSON != nil {
		return n.JSON
	}
	return JSONErrors{}
}

// bufferedResponse collects what a view writes.
type bufferedResponse struct {
	header http.Header
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedResponse) WriteHeader(int)             {}

// PrefersHTML reports whether the Accept header values ask for HTML over
// JSON: text/html (or application/xhtml+xml) has a higher quality than the
// best of application/json, application/*, and */*. A tie goes to JSON,
// and so does a missing or unreadable header, so API clients that send
// nothing or "*/*" (curl) keep the JSON they always had. Browsers send
// "text/html,...,*/*;q=0.8" for a page.
func PrefersHTML(accept []string) bool {
	html, json := -1.0, -1.0
	for _, line := range accept {
		for part := range strings.SplitSeq(line, ",") {
			mt, q, ok := mediaRange(part)
			if !ok {
				continue
			}
			switch mt {
			case "text/html", "application/xhtml+xml":
				html = max(html, q)
			case "application/json", "application/*", "*/*":
				json = max(json, q)
			}
		}
	}
	return html > 0 && html > json
}

// mediaRange reads one element of an Accept header: the media range in
// lower case and its quality (1 when absent). ok is false for an element
// that is not a type/subtype or whose q is not a number in [0, 1].
func mediaRange(s string) (mt string, q float64, ok bool) {
	mt, params, _ := strings.Cut(s, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	typ, sub, found := strings.Cut(mt, "/")
	if !found || typ == "" || sub == "" || strings.ContainsAny(mt, " \t") {
		return "", 0, false
	}
	q = 1
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f < 0 || f > 1 {
			return "", 0, false
		}
		q = f
	}
	return mt, q, true
}

// SameSitePath reports whether s is safe to redirect to after a login: a
// path on this site ("/books.html?page=2"), never an absolute URL, a
// scheme-relative "//host", a backslash that browsers read as a slash, or
// control characters that could split a header.
func SameSitePath(s string) bool {
	if s == "" || s[0] != '/' || len(s) > 2048 {
		return false
	}
	if len(s) > 1 && (s[1] == '/' || s[1] == '\\') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && strings.HasPrefix(u.Path, "/")
}
