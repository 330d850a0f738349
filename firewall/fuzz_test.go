package firewall_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/portico-go/portico/firewall"
)

// FuzzCheck feeds request targets as net/http would parse them, and
// Path/RawPath pairs no parser would produce, to a strict firewall and to
// one relaxed by the options chosen by bits. Whatever is allowed must obey
// every rule that is still on.
func FuzzCheck(f *testing.F) {
	seeds := append([]string{}, clean...)
	seeds = append(seeds,
		"/public/../admin/x", "/public/%2e%2e/admin", "/public/.%2E/admin", "/./admin/x", "/public/..%5cadmin",
		"//admin/x", "/admin//x", "/admin%2Fx", "/admin;/x", "/admin/x;.js", "/admin/x;jsessionid=1",
		"/admin%3bx", "/public/..;/admin", "/admin/index%0a", "/admin%00", "/admin%0d", "/a%E2%80%A8",
		"/%252e%252e/", "/%252f", "/%25", "/%C0%AE%C0%AE/", "//evil.com/", `/\evil.com/`, "/%2F%2Fevil.com",
		"*", "", "admin/**", "/a#b", "/b\xc3\xbc", "/a%2F..%2Fb", "/;x/y", "/a\\..\\b", "/admin%20", "/%20/x",
	)
	for i, s := range seeds {
		f.Add(s, "", uint8(i))
	}
	f.Add("/a/b", "/a%2Fb", uint8(0))
	f.Add("/..", "/%2E%2E", uint8(0xff))
	f.Add("/a", "/%zz", uint8(0))

	f.Fuzz(func(t *testing.T, target, raw string, bits uint8) {
		var opts []firewall.Option
		for i, o := range []firewall.Option{
			firewall.AllowSemicolon(), firewall.AllowEncodedSlash(), firewall.AllowEncodedPeriod(),
			firewall.AllowEncodedPercent(), firewall.AllowBackslash(), firewall.AllowDoubleSlash(),
			firewall.AllowPaddedSegments(),
		} {
			if bits&(1<<i) != 0 {
				opts = append(opts, o)
			}
		}
		strict, relaxed := firewall.New(), firewall.New(opts...)

		var reqs []*http.Request
		if u, err := url.ParseRequestURI(target); err == nil {
			reqs = append(reqs, &http.Request{Method: "GET", URL: u, Header: http.Header{}, RequestURI: target})
		}
		reqs = append(reqs, &http.Request{Method: "GET", URL: &url.URL{Path: target, RawPath: raw}, Header: http.Header{}})

		for _, r := range reqs {
			if strict.Check(r) == nil {
				assertClean(t, r, 0)
			}
			if relaxed.Check(r) == nil {
				assertClean(t, r, bits)
			}
		}
	})
}

// assertClean fails t unless r's path obeys every rule bits leaves on.
func assertClean(t *testing.T, r *http.Request, bits uint8) {
	t.Helper()
	p, raw := r.URL.Path, r.URL.RawPath
	on := func(i int) bool { return bits&(1<<i) == 0 }
	fail := func(why string) { t.Fatalf("allowed with bits %06b: Path %q RawPath %q: %s", bits, p, raw, why) }

	if p == "*" {
		fail("asterisk for GET")
	}
	if !strings.HasPrefix(p, "/") {
		fail("no leading slash")
	}
	if !utf8.ValidString(p) {
		fail("invalid UTF-8")
	}
	for _, c := range p {
		if !unicode.IsPrint(c) {
			fail("non-printable character")
		}
	}
	seps := "/"
	if !on(4) {
		seps = `/\`
	}
	for _, seg := range strings.FieldsFunc(p, func(c rune) bool { return strings.ContainsRune(seps, c) }) {
		name, _, _ := strings.Cut(seg, ";")
		if t := strings.Trim(name, " "); t == "." || t == ".." {
			fail("dot segment")
		}
		if on(6) && name != strings.Trim(name, " ") {
			fail("padded segment")
		}
	}
	if strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..") || strings.Contains(p, "/./") || strings.Contains(p, "/../") {
		fail("dot segment")
	}
	if on(0) && strings.Contains(p, ";") {
		fail("semicolon")
	}
	lowerRaw := strings.ToLower(raw)
	if on(1) && strings.Contains(lowerRaw, "%2f") {
		fail("encoded slash")
	}
	if on(2) && strings.Contains(lowerRaw, "%2e") {
		fail("encoded period")
	}
	if on(3) && strings.Contains(p, "%") {
		fail("percent")
	}
	if on(4) && strings.Contains(p, `\`) {
		fail("backslash")
	}
	if on(5) && strings.Contains(p, "//") {
		fail("empty segment")
	}
	if raw != "" {
		if dec, err := url.PathUnescape(raw); err != nil || dec != p {
			fail("raw path does not decode to path")
		}
		if strings.ContainsAny(raw, "# ") {
			fail("unencoded character in raw path")
		}
	}
}

// FuzzSegmentsImplyCheck holds the split check to its contract: a request
// that RequestOK admits and whose every segment SegmentOK admits passes
// Check, under the strict firewall and under any relaxation.
func FuzzSegmentsImplyCheck(f *testing.F) {
	for i, s := range append(append([]string{}, clean...),
		"/a/ b", "/a/./b", "/a/..", "/a//b", "/a;b", "/a%b", `/a\b`, "/a/\x7f", "/\xff", "/a/b/", "/", "/ä/x") {
		f.Add(s, "", "GET", uint8(i))
	}
	f.Add("/a/b", "/a%2Fb", "GET", uint8(0))
	f.Add("/a", "", "TRACE", uint8(0))
	f.Fuzz(func(t *testing.T, path, raw, method string, bits uint8) {
		var opts []firewall.Option
		for i, o := range []firewall.Option{
			firewall.AllowSemicolon(), firewall.AllowEncodedSlash(), firewall.AllowEncodedPeriod(),
			firewall.AllowEncodedPercent(), firewall.AllowBackslash(), firewall.AllowDoubleSlash(),
			firewall.AllowPaddedSegments(), firewall.CheckHeaders(),
		} {
			if bits&(1<<i) != 0 {
				opts = append(opts, o)
			}
		}
		for _, fw := range []*firewall.Firewall{firewall.New(), firewall.New(opts...)} {
			r := &http.Request{Method: method, URL: &url.URL{Path: path, RawPath: raw}, Header: http.Header{}}
			if !fw.RequestOK(r) {
				continue
			}
			segs := strings.Split(path[1:], "/")
			if segs[len(segs)-1] == "" {
				segs = segs[:len(segs)-1] // the trailing slash's empty segment
			}
			ok := true
			for i, s := range segs {
				ok = ok && fw.SegmentOK(s)
				rest := strings.Join(segs[i:], "/")
				if n, sok := fw.Segment(rest); n != len(s) || sok != fw.SegmentOK(s) {
					t.Fatalf("Segment(%q) = %d, %v; want %d, %v", rest, n, sok, len(s), fw.SegmentOK(s))
				}
			}
			if err := fw.Check(r); ok && err != nil {
				t.Fatalf("%s %q (raw %q, bits %08b): RequestOK and SegmentOK admit it, Check says %v", method, path, raw, bits, err)
			}
		}
	})
}
