package firewall_test

import (
	"net/url"
	"testing"

	"github.com/portico-go/portico/firewall"
)

func TestSafeRedirectPath(t *testing.T) {
	tests := []struct {
		p    string
		want bool
	}{
		{"/", true},
		{"/book/list/", true},
		{"/book/list", true},
		{"/b%C3%BCcher/", true},
		{"/bücher/", true},
		{"/search?q=a/b&next=%2F%2Fx", true},
		{"/search?q=..", true},
		{"/a#frag//x", true},
		{"/?x=1", true},
		{"/a/b.c/...", true},
		{"/javascript:alert(1)", true}, // a relative path, not a scheme

		{"", false},
		{"book", false},
		{"//evil.com/", false},
		{"//evil.com", false},
		{"///evil.com", false},
		{`/\evil.com/`, false},
		{`/\/evil.com/`, false},
		{`/a\b`, false},
		{`/a?x=\evil`, false},
		{"/%2F%2Fevil.com", false},
		{"/%2f/evil.com", false},
		{"/%5Cevil.com", false},
		{"/%5cevil.com", false},
		{"/%252F%252Fevil.com", false},
		{"/%2e%2e/admin", false},
		{"/%09/evil.com", false},
		{"/%0a/evil.com", false},
		{"/%", false},
		{"/%2", false},
		{"/%zz", false},
		{"/\t/evil.com", false},
		{"/\n/evil.com", false},
		{"/\r/evil.com", false},
		{"/\x00", false},
		{"/\x7f", false},
		{"/\u2028/evil.com", false},
		{"/\xff", false},
		{"/a//b", false},
		{"/a/../b", false},
		{"/./", false},
		{"/.//evil.com", false},
		{"/..", false},
		{"/a/.?x", false},
		{"/a/..#x", false},
		{"http://evil.com/", false},
		{"https:evil.com", false},
		{"javascript:alert(1)", false},
		{" /a", false},
	}
	for _, tt := range tests {
		if got := firewall.SafeRedirectPath(tt.p); got != tt.want {
			t.Errorf("SafeRedirectPath(%q) = %v, want %v", tt.p, got, tt.want)
		}
	}
}

// FuzzSafeRedirectPath checks the promise that matters: whatever is
// accepted resolves, against any base, to the base's own host.
func FuzzSafeRedirectPath(f *testing.F) {
	for _, s := range []string{"/", "/a/b?c#d", "//evil.com", `/\evil.com`, "/%2F%2Fevil.com", "/\t/evil.com", "/.//evil.com"} {
		f.Add(s)
	}
	base, err := url.Parse("https://portico.example/app/page")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if !firewall.SafeRedirectPath(p) {
			return
		}
		ref, err := url.Parse(p)
		if err != nil {
			return
		}
		u := base.ResolveReference(ref)
		if u.Scheme != base.Scheme || u.Host != base.Host {
			t.Fatalf("%q resolves to %s", p, u)
		}
		if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
			t.Fatalf("%q accepted", p)
		}
	})
}
