package security

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Building blocks of hostile paths, from /work/shared/reference/attacks.md.
// dispatcher/attacks_test.go sends a fixed list of spellings to a
// dispatcher in memory; here they are combined with each other and sent
// over TCP to a whole application.
var (
	// protectedTargets are routes that need a token, without the leading
	// slash so they can follow a traversal.
	protectedTargets = []string{"book/list", "book/1", "api/user/info", "user/logout"}
	// publicPrefixes are the excluded paths a traversal starts from.
	publicPrefixes = []string{
		"/user/login", "/user/refresh", "", "/static", "/static/css", "/x.html", "/static/a.html",
		"/favicon.ico", "/index.html",
	}
	// dotDots are spellings of "..": plain, encoded, double-encoded, with
	// matrix parameters, overlong UTF-8 and padding.
	dotDots = []string{
		"..", "%2e%2e", "%2E%2E", ".%2e", "%2e.", "%252e%252e", "%25%32%65%25%32%65", "..;", "..;x",
		"..%3b", "..%00", "%c0%ae%c0%ae", "%e0%80%ae%e0%80%ae", "..%20", "%20..", ".", "%2e",
		"..%0a", "..%09", "...",
	}
	// separators are spellings of "/".
	separators = []string{"/", "%2f", "%2F", "%5c", "%5C", `\`, "%252f", "//", "/./", "/;/", "%c0%af", "%ef%bc%8f"}
	// suffixes are appended to a protected target.
	suffixes = []string{
		"", "/", ";", ";.html", ";.js", ";jsessionid=x", "%3b.html", "%3B", ".html", "/x.html", "/.html",
		".json", ".xml", "%00", "%00.html", "%0a", "%0d", "%0d%0a", "%09", "%20", "%e2%80%a8",
		"%e2%80%a9", "%c2%85", "%c2%a0", "%e2%80%8b", "%ef%bb%bf", "#", "#/../../user/login",
		"?/user/login", "?x=/static/a.js", "%23", "%3f", "%2e", "/.", "/..", "%2f", "%5c", `\`,
		"%25", "%252e", "%ff", "%c0", "~", "%7e",
	}
	// rewrites change a target itself.
	rewrites = []func(string) string{
		func(s string) string { return "/" + s },
		func(s string) string { return "/" + strings.ToUpper(s) },
		func(s string) string { return "/" + strings.ToUpper(s[:1]) + s[1:] },
		func(s string) string { return "//" + s },
		func(s string) string { return "///" + s },
		func(s string) string { return "/./" + s },
		func(s string) string { return "/" + strings.Replace(s, "/", "//", 1) },
		func(s string) string { return "/" + strings.Replace(s, "/", "%2f", 1) },
		func(s string) string { return "/" + strings.Replace(s, "/", "%5c", 1) },
		func(s string) string { return "/" + strings.Replace(s, "/", ";/", 1) },
		func(s string) string { return "/" + strings.Replace(s, "/", ".xml/", 1) },
		func(s string) string { return "/" + strings.Replace(s, "/", "%20/", 1) },
		func(s string) string { return "/" + strings.Replace(s, "/", "/%20", 1) },
		func(s string) string { return "/%20/" + s },
		func(s string) string { return "/" + percentAll(s) },
		func(s string) string { return "/" + percentFirst(s) },
		func(s string) string { return "/" + strings.ReplaceAll(percentAll(s), "%", "%25") },
		func(s string) string { return "http://evil.example/" + s },
		func(s string) string { return "http://127.0.0.1/" + s },
		func(s string) string { return "/static/../" + s },
		func(s string) string { return "/" + s + "/" },
		func(s string) string { return "/" + s + "//" },
		func(s string) string { return s },
	}
	// rawControls are bytes sent unencoded in the request line; net/http
	// refuses most of them itself.
	rawControls = []string{"\x00", "\x01", "\t", "\x0b", "\x0c", "\x7f", "\x80", "\xff", "\u2028", " "}
)

// percentAll encodes every byte of s, separators included.
func percentAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteString("%")
		b.WriteString(strings.ToUpper(hex2(s[i])))
	}
	return b.String()
}

// percentFirst encodes only the first letter, which is legal and must be
// read as the plain path (and then judged by the interceptor).
func percentFirst(s string) string { return "%" + hex2(s[0]) + s[1:] }

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}

// hostileTargets returns every combination, deduplicated and sorted so
// failures are reproducible: traversals from each public prefix through
// each spelling of ".." and "/" at depths 1 to 3, each target with each
// suffix and rewrite, and raw control bytes.
func hostileTargets() []string {
	set := map[string]bool{}
	for _, target := range protectedTargets {
		for _, prefix := range publicPrefixes {
			for _, dd := range dotDots {
				for _, sep := range separators {
					hop := sep + dd
					for depth := 1; depth <= 3; depth++ {
						set[prefix+strings.Repeat(hop, depth)+sep+target] = true
					}
				}
			}
		}
		for _, suf := range suffixes {
			for _, rw := range rewrites {
				set[rw(target)+suf] = true
			}
		}
		for _, c := range rawControls {
			set["/"+target+c] = true
			set["/"+strings.Replace(target, "/", c+"/", 1)] = true
		}
		// Traversal that ends on an excluded path while the router could
		// see a protected one, and the reverse.
		for _, prefix := range publicPrefixes {
			set["/"+target+"/.."+prefix] = true
			set["/"+target+"/%2e%2e"+prefix] = true
			set["/"+target+";"+prefix] = true
			set["/"+target+"%3b"+prefix] = true
			set["/"+target+"%00"+prefix] = true
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// headerTricks are headers that rewrote the effective path or method in
// other stacks (IIS, Symfony, Spring's HiddenHttpMethodFilter); Portico
// must ignore them.
var headerTricks = [][]string{
	{"X-Original-URL: /user/login"},
	{"X-Rewrite-URL: /user/login"},
	{"X-Forwarded-Prefix: /static"},
	{"X-Forwarded-Path: /user/login"},
	{"X-HTTP-Method-Override: OPTIONS"},
	{"X-HTTP-Method: OPTIONS"},
	{"X-Method-Override: HEAD"},
	{"X-Forwarded-For: 127.0.0.1", "X-Real-IP: 127.0.0.1"},
	{"Authorization: "},
	{"Authorization: Bearer"},
	{"Authorization: Basic YWRtaW46YWRtaW4xMjM="},
	{"Cookie: token=x; JSESSIONID=x"},
	{"Referer: /user/login"},
}

// verdict says what is wrong with a reply to a hostile request for a
// protected resource, or "" if it is acceptable: 400, 401, 404, 405 or
// 414 (any status from the firewall, the router or the login
// interceptor), 204 for OPTIONS, a redirect that stays on the site, or a
// public page; never a 5xx and never protected data.
func verdict(method string, r reply, public func(reply) bool) string {
	if strings.Contains(r.body, marker) {
		return "protected data in the response"
	}
	switch {
	case r.status == 400, r.status == 401, r.status == 404, r.status == 405, r.status == 414, r.status == 431:
		return ""
	case r.status == http.StatusNoContent && method == http.MethodOptions:
		return ""
	case r.status >= 300 && r.status < 400:
		if loc := r.header.Get("Location"); !localRedirect(loc) {
			return "redirect off the site to " + loc
		}
		return ""
	case r.status == 200 && public(r):
		return ""
	}
	return "unexpected status"
}

// localRedirect reports whether a browser would stay on the site
// following loc: a path starting with exactly one slash, no backslash and
// no characters browsers strip (which turn "/\t/evil" into "//evil").
func localRedirect(loc string) bool {
	if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") {
		return false
	}
	if strings.ContainsAny(loc, "\\\t\r\n") {
		return false
	}
	u, err := url.Parse(loc)
	return err == nil && u.Host == "" && u.Scheme == "" && !strings.HasPrefix(u.Path, "//")
}

// attack sends every hostile target with each method, and the header
// tricks against the plain targets, and reports every bad reply.
func attack(t *testing.T, addr string, methods []string, public func(reply) bool) (sent int) {
	t.Helper()
	c := newRawClient(t, addr)
	targets := hostileTargets()
	bad := 0
	statuses := map[string]int{}
	defer func() { t.Logf("answers: %v", statuses) }()
	check := func(method, target string, r reply, err error, headers []string) {
		sent++
		if err != nil {
			statuses["connection closed"]++
			// The server may refuse a request line by closing the
			// connection; nothing was served.
			return
		}
		statuses[strconv.Itoa(r.status)]++
		if v := verdict(method, r, public); v != "" {
			bad++
			if bad <= 40 {
				t.Errorf("%s %q %q: %s: %d %q", method, target, headers, v, r.status, trim(r.body))
			}
		}
	}
	for _, method := range methods {
		for _, target := range targets {
			r, err := c.do(method, target)
			check(method, target, r, err, nil)
		}
	}
	for _, target := range protectedTargets {
		for _, h := range headerTricks {
			for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
				r, err := c.do(method, "/"+target, h...)
				check(method, "/"+target, r, err, h)
			}
		}
	}
	if bad > 40 {
		t.Errorf("... and %d more bad replies", bad-40)
	}
	return sent
}

// isPublic reports whether r came from one of the app's public handlers.
func isPublic(r reply) bool { return r.header.Get(publicHeader) == "yes" }

func trim(s string) string {
	if len(s) > 120 {
		return s[:120] + "..."
	}
	return s
}

// TestHostilePaths sends every combination of hostile spellings, over a
// raw TCP connection, to the guarded app without a token, with and
// without trailing-slash redirects.
func TestHostilePaths(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     appConfig
		methods []string
	}{
		{"strict", appConfig{}, []string{http.MethodGet, http.MethodPost, http.MethodHead, http.MethodDelete, http.MethodOptions}},
		// Trailing-slash redirects are only ever sent for GET and HEAD.
		{"redirecting", appConfig{redirect: true}, []string{http.MethodGet, http.MethodHead}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(t, tc.cfg).serve()
			methods := tc.methods
			if testing.Short() {
				methods = methods[:1]
			}
			n := attack(t, a.addr(), methods, isPublic)
			a.checkNoBypass(t)
			t.Logf("%d hostile requests, %d protected handler runs without a user", n, a.bypass.Load())
			if a.served.Load() != 0 {
				t.Errorf("protected handlers served %d requests, but no request had a token", a.served.Load())
			}
		})
	}
}

// TestHostilePathsControl makes sure the oracle can fail: the same attack
// on the app without its login interceptor must find the protected data.
func TestHostilePathsControl(t *testing.T) {
	a := newApp(t, appConfig{noLogin: true}).serve()
	c := newRawClient(t, a.addr())
	found := 0
	for _, target := range []string{"/book/list", "/api/user/info", "/b%6fok/list", "/book/1"} {
		rep, err := c.do(http.MethodGet, target)
		if err != nil {
			t.Fatal(err)
		}
		if verdict(http.MethodGet, rep, isPublic) != "" {
			found++
		}
	}
	if found != 4 {
		t.Fatalf("the verdict missed protected data on an unguarded app: %d of 4", found)
	}
}
