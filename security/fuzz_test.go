package security

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fuzzMethods are the methods FuzzDispatchPath picks from.
var fuzzMethods = []string{
	http.MethodGet, http.MethodPost, http.MethodHead, http.MethodDelete, http.MethodOptions,
	http.MethodPut, http.MethodPatch, "TRACE", "PROPFIND",
}

// FuzzDispatchPath sends random request targets through the whole guarded
// app (firewall, router, interceptors, handlers) without a token: no
// input reaches a protected handler, none panics or answers 5xx, and
// redirects stay on the site. Targets net/http itself refuses are
// skipped, since they never reach the dispatcher.
func FuzzDispatchPath(f *testing.F) {
	a := newApp(f, appConfig{redirect: true})
	for _, s := range []string{
		"/book/list", "/book/1", "/api/user/info", "/user/login/../../book/list", "/static/%2e%2e/book/list",
		"/book/list;.html", "/book/list%0a", "/BOOK/list", "/book/list/", "//book/list", "/book%2flist",
		"/static/..%5cbook/list", "/static/%252e%252e/book/list", "/book/1.html", "/x.html/../book/list",
		"/%62ook/list", "/book.xml/list", "/\\evil.com/", "//evil.com/", "http://evil.com/book/list", "*",
	} {
		f.Add(uint8(0), s)
	}
	for i, s := range hostileTargets() {
		if i%97 == 0 {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, m uint8, target string) {
		method := fuzzMethods[int(m)%len(fuzzMethods)]
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(method + " " + target + " HTTP/1.1\r\nHost: example.com\r\n\r\n")))
		if err != nil {
			return // net/http refuses it before any handler
		}
		req.RemoteAddr = "192.0.2.1:1234"
		before := a.bypass.Load()
		w := httptest.NewRecorder()
		a.d.ServeHTTP(w, req)
		if a.bypass.Load() != before {
			t.Fatalf("%s %q reached a protected handler without a token: %d %s", method, target, w.Code, w.Body)
		}
		r := reply{status: w.Code, header: w.Header(), body: w.Body.String()}
		switch {
		case w.Code >= 500:
			t.Fatalf("%s %q: %d %s", method, target, w.Code, w.Body)
		case strings.Contains(r.body, marker):
			t.Fatalf("%s %q: protected data: %s", method, target, w.Body)
		case w.Code >= 300 && w.Code < 400 && !localRedirect(w.Header().Get("Location")):
			t.Fatalf("%s %q: redirect off the site to %q", method, target, w.Header().Get("Location"))
		}
	})
}
