package firewall_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/portico-go/portico/firewall"
	"github.com/portico-go/portico/handler"
)

// wire builds a request the way net/http's server does, from a request
// target as sent on the wire.
func wire(t testing.TB, method, target string) *http.Request {
	t.Helper()
	return httptest.NewRequest(method, target, nil)
}

// built builds a request whose URL fields are set directly, for paths that
// no parser would produce.
func built(method, path, raw string) *http.Request {
	return &http.Request{
		Method: method,
		URL:    &url.URL{Path: path, RawPath: raw},
		Header: http.Header{},
		Host:   "example.com",
	}
}

// clean are targets every firewall must let through.
var clean = []string{
	"/",
	"/book/list",
	"/book/list/",
	"/book/1",
	"/static/app.js",
	"/a-b_c~d",
	"/.well-known/security.txt",
	"/a/b.c/d..e/...",
	"/b%C3%BCcher",
	"/x/%E2%82%AC",
	"/emoji/%F0%9F%98%80",
	"/files/my%20doc.pdf",
	"/tags/c%23",
	"/a+b/c:d@e/f=g&h,i!$'()*",
	"/a|b",
	"/a%7Cb",
	"/search?q=../x;y%2F%00",
}

func TestCheckAllowsClean(t *testing.T) {
	fw := firewall.New()
	for _, target := range clean {
		for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
			if err := fw.Check(wire(t, m, target)); err != nil {
				t.Errorf("%s %q: %v", m, target, err)
			}
		}
	}
}

func TestCheckRejectsWire(t *testing.T) {
	tests := []struct {
		target string
		want   error
	}{
		// Traversal.
		{"/public/../admin/x", firewall.ErrDotSegment},
		{"/public/%2e%2e/admin", firewall.ErrEncodedPeriod},
		{"/public/%2E%2E/admin", firewall.ErrEncodedPeriod},
		{"/public/.%2E/admin", firewall.ErrEncodedPeriod},
		{"/public/%2e./admin", firewall.ErrEncodedPeriod},
		{"/./admin/x", firewall.ErrDotSegment},
		{"/admin/./x", firewall.ErrDotSegment},
		{"/admin/.", firewall.ErrDotSegment},
		{"/admin/..", firewall.ErrDotSegment},
		{"/.", firewall.ErrDotSegment},
		{"/..", firewall.ErrDotSegment},
		{"/public/..%5cadmin", firewall.ErrBackslash},
		{"/public/..%5Cadmin", firewall.ErrBackslash},
		{"/public/..\\admin", firewall.ErrBackslash},
		{"/public/..%2Fadmin", firewall.ErrEncodedSlash},
		{"/static/app%2Ejs", firewall.ErrEncodedPeriod},
		// Overlong UTF-8 for '.' and '/': invalid UTF-8 once decoded.
		{"/public/%C0%AE%C0%AE/admin", firewall.ErrInvalidUTF8},
		{"/public/%C0%AF", firewall.ErrInvalidUTF8},
		{"/%E0%80%AE", firewall.ErrInvalidUTF8},
		// Doubled slashes.
		{"//admin/x", firewall.ErrDoubleSlash},
		{"/admin//x", firewall.ErrDoubleSlash},
		{"/admin/x//", firewall.ErrDoubleSlash},
		{"//evil.com/", firewall.ErrDoubleSlash},
		{"/%2F%2Fevil.com", firewall.ErrEncodedSlash},
		{"/%2f/evil.com", firewall.ErrEncodedSlash},
		// Encoded slash.
		{"/admin%2Fx", firewall.ErrEncodedSlash},
		{"/admin%2fx", firewall.ErrEncodedSlash},
		// Semicolons.
		{"/admin;/x", firewall.ErrSemicolon},
		{"/admin/x;.js", firewall.ErrSemicolon},
		{"/admin/x;jsessionid=ABC", firewall.ErrSemicolon},
		{"/admin%3b/x", firewall.ErrSemicolon},
		{"/admin%3B/x", firewall.ErrSemicolon},
		{"/public/..;/admin", firewall.ErrSemicolon},
		{"/admin/x%3B.js", firewall.ErrSemicolon},
		// Control and non-printable characters.
		{"/admin/index%0a", firewall.ErrControl},
		{"/admin/index%0A", firewall.ErrControl},
		{"/admin/index%0d", firewall.ErrControl},
		{"/admin/index%0d%0aX-Injected:%201", firewall.ErrControl},
		{"/admin%00.js", firewall.ErrControl},
		{"/admin%09", firewall.ErrControl},
		{"/admin%1b", firewall.ErrControl},
		{"/admin%7f", firewall.ErrControl},
		{"/admin%C2%85", firewall.ErrControl},       // NEL
		{"/admin%E2%80%A8", firewall.ErrControl},    // U+2028
		{"/admin%E2%80%A9", firewall.ErrControl},    // U+2029
		{"/admin%E2%80%AE", firewall.ErrControl},    // right-to-left override
		{"/admin%E2%80%8B", firewall.ErrControl},    // zero-width space
		{"/admin%EF%BB%BF", firewall.ErrControl},    // byte-order mark
		{"/admin%C2%A0", firewall.ErrControl},       // no-break space
		{"/admin%EE%80%80", firewall.ErrControl},    // private use
		{"/admin%F4%8F%BF%BF", firewall.ErrControl}, // noncharacter U+10FFFF
		// Invalid UTF-8.
		{"/admin%FF", firewall.ErrInvalidUTF8},
		{"/admin%E2%80", firewall.ErrInvalidUTF8},
		{"/admin%ED%A0%80", firewall.ErrInvalidUTF8}, // surrogate
		// Spaces at a segment's edge (trimming matchers).
		{"/admin%20", firewall.ErrPaddedSegment},
		{"/admin%20/x", firewall.ErrPaddedSegment},
		{"/%20admin/x", firewall.ErrPaddedSegment},
		{"/admin/%20", firewall.ErrPaddedSegment},
		{"/admin/..%20", firewall.ErrDotSegment},
		// Double encoding.
		{"/%252e%252e/admin", firewall.ErrEncodedPercent},
		{"/public/%252e%252e%252fadmin", firewall.ErrEncodedPercent},
		{"/admin%252fx", firewall.ErrEncodedPercent},
		{"/admin%25", firewall.ErrEncodedPercent},
		{"/admin%2525", firewall.ErrEncodedPercent},
		// Unencoded characters that have no place in a request target.
		{"/admin#x", firewall.ErrRawCharacter},
		{"/b\xc3\xbccher", firewall.ErrRawCharacter},
		// Absolute-form targets are judged by their path.
		{"http://example.com/admin%2Fx", firewall.ErrEncodedSlash},
		{"http://example.com//admin", firewall.ErrDoubleSlash},
		// Asterisk-form is for OPTIONS only.
		{"*", firewall.ErrNotAbsolute},
	}
	fw := firewall.New()
	for _, tt := range tests {
		err := fw.Check(wire(t, "GET", tt.target))
		if !errors.Is(err, tt.want) {
			t.Errorf("GET %q: got %v, want %v", tt.target, err, tt.want)
			continue
		}
		checkShape(t, tt.target, err)
	}
}

func TestCheckRejectsBuilt(t *testing.T) {
	tests := []struct {
		name      string
		path, raw string
		want      error
	}{
		{"empty", "", "", firewall.ErrNotAbsolute},
		{"relative", "admin/x", "", firewall.ErrNotAbsolute},
		{"relative glob", "admin/**", "", firewall.ErrNotAbsolute},
		{"raw newline", "/a\nb", "", firewall.ErrControl},
		{"raw nul", "/a\x00b", "", firewall.ErrControl},
		{"raw del", "/a\x7fb", "", firewall.ErrControl},
		{"raw tab", "/a\tb", "", firewall.ErrControl},
		{"raw U+2028", "/a\u2028b", "", firewall.ErrControl},
		{"invalid utf-8", "/a\xffb", "", firewall.ErrInvalidUTF8},
		{"backslash", "/a\\b", "", firewall.ErrBackslash},
		{"semicolon", "/a;b", "", firewall.ErrSemicolon},
		{"percent", "/a%b", "", firewall.ErrEncodedPercent},
		{"raw space in raw path", "/a b", "/a b", firewall.ErrRawCharacter},
		{"raw control in raw path", "/a\nb", "/a\nb", firewall.ErrRawCharacter},
		{"raw differs", "/admin/x", "/public/x", firewall.ErrRawMismatch},
		{"raw longer", "/a", "/a%41", firewall.ErrRawMismatch},
		{"raw shorter", "/aa", "/a", firewall.ErrRawMismatch},
		{"raw malformed", "/a", "/%zz", firewall.ErrRawMismatch},
		{"raw truncated", "/a", "/a%4", firewall.ErrRawMismatch},
		{"raw hides slash", "/a/b", "/a%2Fb", firewall.ErrEncodedSlash},
		{"raw hides period", "/..", "/%2E%2E", firewall.ErrEncodedPeriod},
	}
	fw := firewall.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := fw.Check(built("GET", tt.path, tt.raw))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			checkShape(t, tt.path, err)
		})
	}
}

// checkShape verifies what every rejection shares: a *handler.Error with a
// 4xx status and a reason, whose message does not echo the request.
func checkShape(t *testing.T, input string, err error) {
	t.Helper()
	var he *handler.Error
	if !errors.As(err, &he) {
		t.Fatalf("%q: error %T is not a *handler.Error", input, err)
	}
	if he.Status < 400 || he.Status > 499 {
		t.Errorf("%q: status %d", input, he.Status)
	}
	if he.Reason == "" || !strings.HasPrefix(he.Message, "request rejected: ") {
		t.Errorf("%q: reason %q, message %q", input, he.Reason, he.Message)
	}
	for _, word := range []string{"admin", "evil", "public", "jsessionid"} {
		if strings.Contains(he.Message, word) || strings.Contains(he.Error(), word) {
			t.Errorf("%q: message %q echoes the request", input, he.Message)
		}
	}
}

func TestCheckMethods(t *testing.T) {
	fw := firewall.New()
	for _, m := range []string{"TRACE", "TRACK", "CONNECT", "PROPFIND", "get", "Get", "FOO", ""} {
		r := built(m, "/book/1", "")
		err := fw.Check(r)
		if !errors.Is(err, firewall.ErrMethod) {
			t.Errorf("%q: got %v, want ErrMethod", m, err)
			continue
		}
		var he *handler.Error
		errors.As(err, &he)
		if he.Status != http.StatusMethodNotAllowed || he.Reason != firewall.ReasonMethod {
			t.Errorf("%q: status %d reason %q", m, he.Status, he.Reason)
		}
		if got, want := he.Header.Get("Allow"), "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"; got != want {
			t.Errorf("%q: Allow %q, want %q", m, got, want)
		}
	}
}

func TestCheckAsteriskForm(t *testing.T) {
	fw := firewall.New()
	if err := fw.Check(built("OPTIONS", "*", "")); err != nil {
		t.Errorf("OPTIONS *: %v", err)
	}
	for _, m := range []string{"GET", "POST", "DELETE"} {
		if err := fw.Check(built(m, "*", "")); !errors.Is(err, firewall.ErrNotAbsolute) {
			t.Errorf("%s *: got %v, want ErrNotAbsolute", m, err)
		}
	}
	r := built("OPTIONS", "*", "")
	r.Header.Set("X-A", "a\r\nb")
	if err := firewall.New(firewall.CheckHeaders()).Check(r); !errors.Is(err, firewall.ErrHeader) {
		t.Errorf("OPTIONS * with bad header: got %v, want ErrHeader", err)
	}
}

func TestCheckPathLength(t *testing.T) {
	long := func(n int) string { return "/" + strings.Repeat("a", n-1) }
	tests := []struct {
		name      string
		opts      []firewall.Option
		path, raw string
		want      error
	}{
		{"default at limit", nil, long(firewall.DefaultMaxPathLength), "", nil},
		{"default over", nil, long(firewall.DefaultMaxPathLength + 1), "", firewall.ErrPathTooLong},
		{"raw over", nil, "/a", "/" + strings.Repeat("%61", firewall.DefaultMaxPathLength/3+1), firewall.ErrPathTooLong},
		{"custom at limit", []firewall.Option{firewall.MaxPathLength(16)}, long(16), "", nil},
		{"custom over", []firewall.Option{firewall.MaxPathLength(16)}, long(17), "", firewall.ErrPathTooLong},
		{"zero keeps default", []firewall.Option{firewall.MaxPathLength(0)}, long(firewall.DefaultMaxPathLength + 1), "", firewall.ErrPathTooLong},
		{"negative keeps default", []firewall.Option{firewall.MaxPathLength(-1)}, long(firewall.DefaultMaxPathLength), "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := firewall.New(tt.opts...).Check(built("GET", tt.path, tt.raw))
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if err != nil {
				var he *handler.Error
				if errors.As(err, &he); he.Status != http.StatusRequestURITooLong {
					t.Errorf("status %d, want 414", he.Status)
				}
			}
		})
	}
}

func TestHeadersUncheckedByDefault(t *testing.T) {
	// Go's server refuses these before any handler; the default firewall
	// leaves them to it and stays off the header map.
	r := built("GET", "/book/1", "")
	r.Header["X-A"] = []string{"a\nb"}
	if err := firewall.New().Check(r); err != nil {
		t.Fatalf("default firewall checked headers: %v", err)
	}
}

func TestCheckHeaders(t *testing.T) {
	tests := []struct {
		name        string
		key, value  string
		host        string
		wantBlocked bool
	}{
		{"plain", "X-A", "a b", "", false},
		{"tab", "X-A", "a\tb", "", false},
		{"utf-8", "X-A", "b\xc3\xbccher", "", false},
		{"lf", "X-A", "a\nb", "", true},
		{"cr", "X-A", "a\rb", "", true},
		{"nul", "X-A", "a\x00b", "", true},
		{"del", "X-A", "a\x7fb", "", true},
		{"name cr", "X-A\r", "a", "", true},
		{"host lf", "", "", "example.com\n", true},
	}
	fw := firewall.New(firewall.CheckHeaders())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := built("GET", "/book/1", "")
			if tt.key != "" {
				r.Header[tt.key] = []string{"ok", tt.value}
			}
			if tt.host != "" {
				r.Host = tt.host
			}
			err := fw.Check(r)
			if !tt.wantBlocked {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, firewall.ErrHeader) {
				t.Fatalf("got %v, want ErrHeader", err)
			}
			var he *handler.Error
			if errors.As(err, &he); he.Status != http.StatusBadRequest || he.Reason != firewall.ReasonHeader {
				t.Errorf("status %d reason %q", he.Status, he.Reason)
			}
		})
	}
}

// TestRelax shows each option lets through what it names and nothing the
// rules it does not name would stop.
func TestRelax(t *testing.T) {
	type check struct {
		target string
		want   error
	}
	tests := []struct {
		name   string
		opt    firewall.Option
		checks []check
	}{
		{"AllowSemicolon", firewall.AllowSemicolon(), []check{
			{"/admin/x;jsessionid=ABC", nil},
			{"/cars;color=red/x", nil},
			{"/admin%3Bx", nil},
			{"/public/..;/admin", firewall.ErrDotSegment},
			{"/public/.;x/admin", firewall.ErrDotSegment},
			{"/public/..;", firewall.ErrDotSegment},
			{"/;x/admin", firewall.ErrDoubleSlash},
			{"/admin%20;x/y", firewall.ErrPaddedSegment},
			{"/admin%2Fx;y", firewall.ErrEncodedSlash},
		}},
		{"AllowEncodedSlash", firewall.AllowEncodedSlash(), []check{
			{"/files/a%2Fb", nil},
			{"/files/a%2fb", nil},
			{"/public/..%2Fadmin", firewall.ErrDotSegment},
			{"/a%2F%2Fb", firewall.ErrDoubleSlash},
			{"/%2F%2Fevil.com", firewall.ErrDoubleSlash},
			{"/a%2F.%2Fb", firewall.ErrDotSegment},
		}},
		{"AllowEncodedPeriod", firewall.AllowEncodedPeriod(), []check{
			{"/static/app%2Ejs", nil},
			{"/a%2E%2E%2Eb", nil},
			{"/public/%2e%2e/admin", firewall.ErrDotSegment},
			{"/public/.%2E/admin", firewall.ErrDotSegment},
			{"/public/%2E", firewall.ErrDotSegment},
		}},
		{"AllowEncodedPercent", firewall.AllowEncodedPercent(), []check{
			{"/discount/50%25", nil},
			// The router matches the literal "%2e%2e"; nothing decodes twice.
			{"/%252e%252e/admin", nil},
			{"/a%25%0a", firewall.ErrControl},
			{"/%2e%2e/admin", firewall.ErrEncodedPeriod},
		}},
		{"AllowBackslash", firewall.AllowBackslash(), []check{
			{"/a%5Cb", nil},
			{"/a\\b", nil},
			{"/public/..%5Cadmin", firewall.ErrDotSegment},
			{"/public/..\\admin", firewall.ErrDotSegment},
			{"/public\\..", firewall.ErrDotSegment},
			{"/.%5Cadmin", firewall.ErrDotSegment},
		}},
		{"AllowPaddedSegments", firewall.AllowPaddedSegments(), []check{
			{"/admin%20", nil},
			{"/%20/x", nil},
			{"/a%20b%20/x", nil},
			{"/%20.%20/x", firewall.ErrDotSegment},
			{"/x/..%20", firewall.ErrDotSegment},
			{"/admin%20/..", firewall.ErrDotSegment},
			{"/admin%09", firewall.ErrControl},
			{"/admin%C2%A0", firewall.ErrControl},
		}},
		{"AllowDoubleSlash", firewall.AllowDoubleSlash(), []check{
			{"/a//b", nil},
			{"//evil.com/", nil},
			{"//../admin", firewall.ErrDotSegment},
			{"/a//b;c", firewall.ErrSemicolon},
		}},
	}
	strict := firewall.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fw := firewall.New(tt.opt)
			for _, c := range tt.checks {
				r := wire(t, "GET", c.target)
				err := fw.Check(r)
				if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
					t.Errorf("%q: got %v, want %v", c.target, err, c.want)
				}
				if c.want == nil && strict.Check(r) == nil {
					t.Errorf("%q passes without %s: the check proves nothing", c.target, tt.name)
				}
			}
		})
	}
}

func TestAllowMethods(t *testing.T) {
	fw := firewall.New(firewall.AllowMethods("PROPFIND", "MKCOL", "GET", ""))
	for _, m := range []string{"PROPFIND", "MKCOL", "GET", "DELETE"} {
		if err := fw.Check(built(m, "/dav/x", "")); err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
	for _, m := range []string{"TRACE", "propfind", ""} {
		err := fw.Check(built(m, "/dav/x", ""))
		if !errors.Is(err, firewall.ErrMethod) {
			t.Errorf("%q: got %v, want ErrMethod", m, err)
			continue
		}
		var he *handler.Error
		errors.As(err, &he)
		if got, want := he.Header.Get("Allow"), "DELETE, GET, HEAD, MKCOL, OPTIONS, PATCH, POST, PROPFIND, PUT"; got != want {
			t.Errorf("Allow %q, want %q", got, want)
		}
	}
}

// TestAllRelaxed shows what no option can switch off.
func TestAllRelaxed(t *testing.T) {
	fw := firewall.New(
		firewall.AllowSemicolon(), firewall.AllowEncodedSlash(), firewall.AllowEncodedPeriod(),
		firewall.AllowEncodedPercent(), firewall.AllowBackslash(), firewall.AllowDoubleSlash(),
		firewall.AllowPaddedSegments(),
		nil, // ignored
	)
	tests := []struct {
		target string
		want   error
	}{
		{"/a;b%2Fc%2Ed%25e\\f//g%20", nil},
		{"/public/%2e%2e/admin", firewall.ErrDotSegment},
		{"/public/..%2Fadmin", firewall.ErrDotSegment},
		{"/public/..;/admin", firewall.ErrDotSegment},
		{"/public/..%5Cadmin", firewall.ErrDotSegment},
		{"/admin/index%0a", firewall.ErrControl},
		{"/admin%E2%80%A8", firewall.ErrControl},
		{"/admin%C0%AE", firewall.ErrInvalidUTF8},
		{"/admin#x", firewall.ErrRawCharacter},
	}
	for _, tt := range tests {
		err := fw.Check(wire(t, "GET", tt.target))
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%q: got %v, want %v", tt.target, err, tt.want)
		}
	}
	if err := fw.Check(built("GET", "admin", "")); !errors.Is(err, firewall.ErrNotAbsolute) {
		t.Errorf("relative path: got %v", err)
	}
}

// TestCheckReturnsCopy guards the shared error values: the dispatcher may
// set fields on what Check returns.
func TestCheckReturnsCopy(t *testing.T) {
	fw := firewall.New()
	err := fw.Check(built("GET", "/a;b", ""))
	var he *handler.Error
	if !errors.As(err, &he) {
		t.Fatalf("got %v", err)
	}
	if he == firewall.ErrSemicolon {
		t.Fatal("Check returned the shared error value")
	}
	he.Message = "changed"
	he.Header = http.Header{"X": {"y"}}
	if firewall.ErrSemicolon.Message == "changed" || firewall.ErrSemicolon.Header != nil {
		t.Fatal("changing the returned error changed the shared value")
	}

	err1 := fw.Check(built("TRACE", "/", ""))
	err2 := fw.Check(built("TRACE", "/", ""))
	var h1, h2 *handler.Error
	errors.As(err1, &h1)
	errors.As(err2, &h2)
	h1.Header.Set("Allow", "GET")
	if h2.Header.Get("Allow") == "GET" || firewall.ErrMethod.Header != nil {
		t.Fatal("rejections share one Allow header")
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		method, target string
		wantStatus     int
		wantReason     string
	}{
		{"GET", "/book/1", http.StatusOK, ""},
		{"GET", "/admin/x;.js", http.StatusBadRequest, firewall.ReasonPath},
		{"GET", "/public/%2e%2e/admin", http.StatusBadRequest, firewall.ReasonPath},
		{"TRACE", "/book/1", http.StatusMethodNotAllowed, firewall.ReasonMethod},
		{"HEAD", "/admin//x", http.StatusBadRequest, firewall.ReasonPath},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			called := false
			h := firewall.New().Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
			}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, wire(t, tt.method, tt.target))
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			if called != (tt.wantStatus == http.StatusOK) {
				t.Fatalf("next called: %v", called)
			}
			if tt.wantStatus == http.StatusOK {
				return
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			var body struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
				Reason  string `json:"reason"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", rec.Body.String(), err)
			}
			if body.Code != tt.wantStatus || body.Reason != tt.wantReason || !strings.HasPrefix(body.Message, "request rejected: ") {
				t.Errorf("body %+v", body)
			}
			if strings.Contains(rec.Body.String(), "admin") {
				t.Errorf("body echoes the path: %s", rec.Body.String())
			}
			if tt.wantStatus == http.StatusMethodNotAllowed && rec.Header().Get("Allow") == "" {
				t.Error("405 without Allow")
			}
		})
	}
}

func TestConcurrentCheck(t *testing.T) {
	fw := firewall.New(firewall.AllowMethods("PROPFIND"))
	targets := append(slices.Clone(clean), "/admin;x", "/a//b", "/%2e%2e/x")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				target := targets[(g+i)%len(targets)]
				r := wire(t, "GET", target)
				err := fw.Check(r)
				if slices.Contains(clean, target) != (err == nil) {
					t.Errorf("%q: %v", target, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestCheckAllocs(t *testing.T) {
	fw := firewall.New()
	for _, target := range []string{"/book/list", "/b%C3%BCcher", "/a|b"} {
		r := wire(t, "GET", target)
		r.Header.Set("Accept", "application/json")
		r.Header.Set("Authorization", "Bearer x.y.z")
		if n := testing.AllocsPerRun(100, func() { _ = fw.Check(r) }); n != 0 {
			t.Errorf("%q: %v allocations per Check, want 0", target, n)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	fw := firewall.New()
	cases := []struct{ name, target string }{
		{"root", "/"},
		{"clean", "/api/v1/books/12345/chapters"},
		{"nonascii", "/b%C3%BCcher/%E2%82%AC"},
		{"rawpath", "/a|b/c|d"},
		{"long", "/" + strings.Repeat("segment/", 500) + "end"},
		{"rejected", "/public/%2e%2e/admin"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", c.target, nil)
		r.Header.Set("Accept", "application/json")
		r.Header.Set("User-Agent", "bench/1.0")
		r.Header.Set("Authorization", "Bearer aaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbb.cccccccccccccccc")
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = fw.Check(r)
			}
		})
	}
}
