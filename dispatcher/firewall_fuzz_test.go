package dispatcher_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/firewall"
	"github.com/portico-go/portico/handler"
)

// FuzzFirewallJudgesEveryRequest checks that the dispatcher, which maps a
// request before its firewall looks at the variables' segments only,
// answers exactly as if Check ran first on the whole request: the same
// rejection for a request Check refuses, and never a rejection for one it
// allows. It runs a strict and a relaxed firewall over routes with
// literal, variable and catch-all segments.
func FuzzFirewallJudgesEveryRequest(f *testing.F) {
	for _, s := range []string{
		"/book/7", "/book/list", "/book/..", "/book/.", "/book/%2e", "/book/ 7", "/book/7 ", "/book/a;b",
		"/book/a\\b", "/book/\x00", "/book/\xff", "/book/ä", "/files/a/../b", "/files/", "/files/a//b",
		"/x;y/1", "/x;y/..;z", "/dir/", "/dir", "/", "//book/7", "/book//7", "/book/7/", "*", "book/7",
	} {
		f.Add(s, "GET")
	}
	f.Add("/book/7", "TRACE")
	f.Add("/book/7", "PUT")

	routes := []string{"/book/{id}", "/book/list", "/files/{*path}", "/x;y/{id}", "/dir/", "/", "/a/{x}/b/{y}"}
	build := func(fw *firewall.Firewall) *dispatcher.Dispatcher {
		d := dispatcher.New(dispatcher.WithFirewall(fw))
		for _, p := range routes {
			if err := d.GET(p, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, p) }); err != nil {
				f.Fatal(err)
			}
		}
		if err := d.Build(); err != nil {
			f.Fatal(err)
		}
		return d
	}
	strict := firewall.New()
	relaxed := firewall.New(firewall.AllowSemicolon(), firewall.AllowBackslash(), firewall.AllowDoubleSlash(),
		firewall.AllowPaddedSegments(), firewall.AllowEncodedPercent())
	cases := []struct {
		fw *firewall.Firewall
		d  *dispatcher.Dispatcher
	}{{strict, build(strict)}, {relaxed, build(relaxed)}}

	f.Fuzz(func(t *testing.T, path, method string) {
		for i, c := range cases {
			r := &http.Request{Method: method, URL: &url.URL{Path: path}, Header: http.Header{}}
			want := c.fw.Check(r)
			w := httptest.NewRecorder()
			c.d.ServeHTTP(w, r)
			var body struct{ Reason string }
			_ = json.Unmarshal(w.Body.Bytes(), &body)
			var e *handler.Error
			switch {
			case want != nil && errors.As(want, &e):
				if w.Code != e.Status || body.Reason != e.Reason {
					t.Fatalf("firewall %d: %s %q: got %d %q, Check says %d %q", i, method, path, w.Code, body.Reason, e.Status, e.Reason)
				}
			case want == nil && body.Reason != "" && w.Code != http.StatusNotFound && w.Code != http.StatusMethodNotAllowed:
				t.Fatalf("firewall %d: %s %q: Check allows it, got %d %q", i, method, path, w.Code, w.Body)
			}
		}
	})
}

// TestRequestWithoutURL checks that a request with no URL, which only code
// building requests by hand can send, gets a 400 and never a panic, with
// the firewall's reason when there is a firewall.
func TestRequestWithoutURL(t *testing.T) {
	for _, c := range []struct {
		name   string
		d      *dispatcher.Dispatcher
		reason string
	}{
		{"firewall", dispatcher.New(), firewall.ErrNotAbsolute.Reason},
		{"no firewall", dispatcher.New(dispatcher.WithFirewall(nil)), ""},
	} {
		if err := c.d.GET("/a", func(http.ResponseWriter, *http.Request) {}); err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		c.d.ServeHTTP(w, &http.Request{Method: "GET", Header: http.Header{}})
		var body struct{ Reason string }
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		if w.Code != http.StatusBadRequest || body.Reason != c.reason {
			t.Errorf("%s: got %d %q, want 400 with reason %q", c.name, w.Code, w.Body, c.reason)
		}
	}
}
