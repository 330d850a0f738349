package porticotest

import (
	"net/url"
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	for _, tt := range []struct {
		tmpl string
		vars []any
		want string
		err  bool
	}{
		{"/book/{id}", []any{7}, "/book/7", false},
		{"/book/{id}/page/{n}", []any{"a b", 2}, "/book/a%20b/page/2", false},
		{"/book/{id}", []any{"a/b"}, "/book/a%2Fb", false},
		{"/book/{id}", []any{"?#%"}, "/book/%3F%23%25", false},
		{"/files/{*path}", []any{"a/b c.txt"}, "/files/a/b%20c.txt", false},
		{"/files/{*path}", []any{"/a/b"}, "/files/a/b", false},
		{"/files/{*path}", []any{""}, "/files", false},
		{"/plain", nil, "/plain", false},
		{"/a b/{x}", []any{"y"}, "/a%20b/y", false},
		{"/book/{id}", nil, "", true},
		{"/book/{id}", []any{1, 2}, "", true},
		{"/book/{id", []any{1}, "", true},
		{"/book/id}", nil, "", true},
		{"/book/{}", []any{1}, "", true},
		{"/book/{id}", []any{""}, "", true},
		{"/files/{*path}/x", []any{"a"}, "", true},
		{"book", nil, "", true},
	} {
		got, err := Expand(tt.tmpl, tt.vars...)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("Expand(%q, %v) = %q, %v; want %q, error %v", tt.tmpl, tt.vars, got, err, tt.want, tt.err)
		}
	}
}

// FuzzExpand checks that expansion never panics and that a segment
// variable always comes back, decoded, as exactly one segment.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{"7", "a/b", "a b", "%2F", "..", "é", "{x}", "?q=1#f"} {
		f.Add("/book/{id}/x", s)
		f.Add("/files/{*path}", s)
	}
	f.Fuzz(func(t *testing.T, tmpl, v string) {
		got, err := Expand(tmpl, v)
		if err != nil {
			return
		}
		if !strings.HasPrefix(got, "/") || strings.ContainsAny(got, "?# ") {
			t.Fatalf("Expand(%q, %q) = %q: not a clean path", tmpl, v, got)
		}
		if tmpl != "/book/{id}/x" {
			return
		}
		segs := strings.Split(got, "/")
		if len(segs) != 4 {
			t.Fatalf("Expand(%q, %q) = %q: %d segments", tmpl, v, got, len(segs))
		}
		if dec, err := url.PathUnescape(segs[2]); err != nil || dec != v {
			t.Fatalf("segment %q decodes to %q, %v; want %q", segs[2], dec, err, v)
		}
	})
}
