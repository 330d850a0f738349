package registry

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

var matchTests = []struct {
	pattern string
	path    string
	want    bool
}{
	// Seed 004's table.
	{"/*", "/user", true},
	{"/*", "/book", true},
	{"/*", "/login", true},
	{"/*", "/user/login", false},
	{"/**", "/user", true},
	{"/**", "/user/login", true},
	{"/**", "/user/reg", true},
	{"/**", "/", true},
	{"/**", "/a/b/c/d/", true},
	{"/book/*", "/book/addBook", true},
	{"/book/*", "/book/addBook/1", false},
	{"/book/*", "/book", false},
	{"/book/**", "/book", true},
	{"/book/**", "/book/addBook", true},
	{"/book/**", "/book/addBook/2", true},
	{"/book/**", "/user/login", false},
	{"/book/**", "/bookshelf", false},
	// Segment boundaries.
	{"/api/admin/**", "/api/admin", true},
	{"/api/admin/**", "/api/admin/", true},
	{"/api/admin/**", "/api/admin/x", true},
	{"/api/admin/**", "/api/administrator", false},
	{"/api/admin/**", "/api/administrator/1", false},
	{"/admin/**", "/admin.xml/x", false},
	{"/admin/*", "/admin.xml/x", false},
	// No implicit trailing slash; case-sensitive.
	{"/a", "/a/", false},
	{"/a/", "/a", false},
	{"/a/", "/a/", true},
	{"/user/login", "/user/login", true},
	{"/user/login", "/User/login", false},
	{"/user/login", "/user/login/", false},
	{"/", "/", true},
	{"/", "/a", false},
	// '*' is zero or more characters, as in Spring at the end of a pattern.
	{"/a/*", "/a/", true},
	{"/*", "/", true},
	{"/a/*.js", "/a/.js", true},
	{"/a/*.js", "/a/x.js", true},
	{"/a/*.js", "/a/x.json", false},
	{"/a/x*y*z", "/a/xaybz", true},
	{"/a/x*y*z", "/a/xaybzq", false},
	{"/a/*/b", "/a/x/b", true},
	// '?' is one character, also when it takes several bytes.
	{"/a?c", "/abc", true},
	{"/a?c", "/ac", false},
	{"/a?c", "/a/c", false},
	{"/a?c", "/aéc", true},
	{"/??", "/é", false},
	// ** in the middle and more than once.
	{"/**/*.js", "/x.js", true},
	{"/**/*.js", "/a/b/x.js", true},
	{"/**/*.js", "/a/b/x.js/", false},
	{"/**/*.js", "/a/b/x.css", false},
	{"/**/*.js", "/admin/x;.js", true}, // why the firewall rejects ';'
	{"/a/**/b", "/a/b", true},
	{"/a/**/b", "/a/x/y/b", true},
	{"/a/**/b", "/a/x/y/bb", false},
	{"/a/**/b", "/a", false},
	{"/**/a/**/b/**", "/x/a/y/z/b", true},
	{"/**/a/**/b/**", "/x/a/y/z/c", false},
	{"/**/a/**/a/**/b", "/a/a/a/a/a/a/a/a/c", false},
	{"/**/**", "/", true},
	// Variables.
	{"/book/{id}", "/book/1", true},
	{"/book/{id}", "/book/", false},
	{"/book/{id}", "/book", false},
	{"/book/{id}", "/book/1/2", false},
	{`/book/{id:\d+}`, "/book/12", true},
	{`/book/{id:\d+}`, "/book/12a", false},
	{`/book/{id:\d+}`, "/book/a12", false},
	{`/book/{id:\d{3}}`, "/book/123", true},
	{`/book/{id:\d{3}}`, "/book/1234", false},
	{`/x/{id:a|b}`, "/x/ab", false},
	{`/x/{id:.*}`, "/x/", false}, // a whole-segment variable is never empty
	{`/x/{id:.*}`, "/x/a\nb", true},
	{`/x/{id:[^/]+}`, "/x/a", true},
	{`/x/{id:[}]}`, "/x/}", true},
	{"/x/{name}.{ext}", "/x/a.b", true},
	{"/x/{name}.{ext}", "/x/a", false},
	{"/x/file-{id:[0-9]+}*", "/x/file-12.txt", true},
	{"/files/{*path}", "/files", true},
	{"/files/{*path}", "/files/", true},
	{"/files/{*path}", "/files/a/b", true},
	{"/files/{*path}", "/filesystem", false},
	{"/{*path}", "/", true},
	{"/{*path}", "/a/b", true},
	// A missing leading slash is added.
	{"admin/**", "/admin/x", true},
	// Paths must start with '/'.
	{"/**", "", false},
	{"/**", "a", false},
	{"/*", "", false},
	// Invalid UTF-8 in a path is one character and equals nothing.
	{"/a?c", "/a\xffc", true},
	{"/\uFFFD", "/\xff", false},
	{"/*\uFFFD", "/\xff", false},
	// Unclean paths are still matched exactly, segment by segment.
	{"/a/*/b", "/a//b", true},
	{"/a/{v}/b", "/a//b", false},
	{"/a/**", "/a//", true},
}

func TestMatch(t *testing.T) {
	for _, tt := range matchTests {
		p, err := ParsePattern(tt.pattern)
		if err != nil {
			t.Fatalf("ParsePattern(%q): %v", tt.pattern, err)
		}
		if got := p.Match(tt.path); got != tt.want {
			t.Errorf("%q.Match(%q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
		if _, got := p.MatchVars(tt.path); got != tt.want {
			t.Errorf("%q.MatchVars(%q) matched = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
		if got := refMatch(tt.pattern, tt.path, false); got != tt.want && !strings.ContainsRune(tt.pattern, '\uFFFD') {
			t.Errorf("reference %q against %q = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

func TestMatchCaseInsensitive(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"/user/login", "/USER/Login", true},
		{"/user/*", "/USER/x", true},
		{"/us?r/**", "/USER/x/y", true},
		{"/k*", "/\u212A", true}, // KELVIN SIGN folds to k
		{"/k", "/\u212A", true},
		{"/ß", "/SS", false}, // simple folding only, as regexp's (?i)
		{`/{v:abc}`, "/ABC", true},
		{"/x/{n}.JS", "/X/a.js", true},
		{"/user/login", "/user/logout", false},
		{"/\uFFFD", "/\xff", false},
	}
	for _, tt := range tests {
		p, err := ParsePattern(tt.pattern, CaseInsensitive())
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Match(tt.path); got != tt.want {
			t.Errorf("%q.Match(%q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

func TestMatchVars(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          map[string]string
	}{
		{"/book/{id}", "/book/12", map[string]string{"id": "12"}},
		{`/book/{id:\d+}/{part}`, "/book/12/x", map[string]string{"id": "12", "part": "x"}},
		{"/files/{*path}", "/files", map[string]string{"path": ""}},
		{"/files/{*path}", "/files/", map[string]string{"path": "/"}},
		{"/files/{*path}", "/files/a/b", map[string]string{"path": "/a/b"}},
		{"/{*path}", "/", map[string]string{"path": "/"}},
		{"/x/{name}.{ext}", "/x/a.b.c", map[string]string{"name": "a.b", "ext": "c"}},
		{`/x/{a:(x)(y)}-{b}`, "/x/xy-z", map[string]string{"a": "xy", "b": "z"}},
		{"/**/{file}.js", "/a/b/app.js", map[string]string{"file": "app"}},
		{"/**/{id}/**", "/a/b", map[string]string{"id": "a"}}, // ** takes as little as it can
		{"/static/**", "/static/a", map[string]string{}},
	}
	for _, tt := range tests {
		p, err := ParsePattern(tt.pattern)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := p.MatchVars(tt.path)
		if !ok || !maps.Equal(got, tt.want) {
			t.Errorf("%q.MatchVars(%q) = %v, %v, want %v", tt.pattern, tt.path, got, ok, tt.want)
		}
	}
	p, _ := ParsePattern("/book/{id}")
	if vars, ok := p.MatchVars("/user/1"); ok || vars != nil {
		t.Errorf("MatchVars on a mismatch = %v, %v", vars, ok)
	}
}

func TestParsePatternErrors(t *testing.T) {
	tests := []struct {
		pattern string
		offset  int
		msg     string
	}{
		{"", 0, "empty pattern"},
		{"/a//b", 3, "empty segment"},
		{"//", 1, "empty segment"},
		{"/a/./b", 3, `"." segment`},
		{"/a/..", 3, `".." segment`},
		{"a/../b", 2, `".." segment`}, // offsets count in the pattern as given
		{"/a/{id", 3, "unclosed '{'"},
		{"/a/{id:[0-9]+", 3, "unclosed '{'"},
		{"/a/id}", 5, "unmatched '}'"},
		{"/a/{}", 4, "empty variable name"},
		{"/a/{:x}", 4, "empty variable name"},
		{"/a/{*}", 5, "empty variable name"},
		{"/a/{a b}", 5, "not allowed"},
		{"/a/{id:(}", 7, "bad regular expression"},
		{"/a/{id:a)|(b}", 7, "bad regular expression"},
		{"/a/{id:}", 7, "empty regular expression"},
		{"/{id}/{id}", 6, "captured twice"},
		{"/{id}/{*id}", 6, "captured twice"},
		{"/{*rest}/a", 1, "must be the last segment"},
		{"/{*a}/{*b}", 1, "must be the last segment"},
		{"/**/{*rest}", 4, "cannot be combined with **"},
		{"/a**", 2, "** must be a whole segment"},
		{"/**.js", 1, "** must be a whole segment"},
		{"/***", 1, "** must be a whole segment"},
		{"/x{*rest}", 2, "must be a whole segment"},
		{"/a/\xff", 3, "invalid UTF-8"},
		{"/{a{b}}", 3, "'{' inside variable name"},
	}
	for _, tt := range tests {
		p, err := ParsePattern(tt.pattern)
		var pe *PatternError
		if !errors.As(err, &pe) {
			t.Errorf("ParsePattern(%q) = %v, %v; want a *PatternError", tt.pattern, p, err)
			continue
		}
		if !errors.Is(err, ErrInvalidPattern) {
			t.Errorf("ParsePattern(%q): %v does not wrap ErrInvalidPattern", tt.pattern, err)
		}
		if pe.Pattern != tt.pattern || pe.Offset != tt.offset || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ParsePattern(%q) error = %q (offset %d), want %q at offset %d", tt.pattern, err, pe.Offset, tt.msg, tt.offset)
		}
		if !strings.Contains(err.Error(), "offset") {
			t.Errorf("error %q does not give the offset", err)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/a/**", "/a/**"},
		{"admin/**", "/admin/**"},
		{`/book/{id:\d{3}}`, `/book/{id:\d{3}}`},
		{"/", "/"},
		{"*", "/*"},
	}
	for _, tt := range tests {
		p, err := ParsePattern(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.String(); got != tt.want {
			t.Errorf("ParsePattern(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		if q, err := ParsePattern(p.String()); err != nil || q.String() != p.String() {
			t.Errorf("%q does not parse back: %v", p, err)
		}
	}
}

// TestMatchReferenceRandom compares the matcher with the oracle on random
// patterns and paths.
func TestMatchReferenceRandom(t *testing.T) {
	g := newGen(1)
	for i := 0; i < 20000; i++ {
		pat := g.pattern()
		fold := g.r.IntN(4) == 0
		var opts []PatternOption
		if fold {
			opts = append(opts, CaseInsensitive())
		}
		p, err := ParsePattern(pat, opts...)
		if err != nil {
			t.Fatalf("ParsePattern(%q): %v", pat, err)
		}
		path := g.path(g.template())
		if got, want := p.Match(path), refMatch(pat, path, fold); got != want {
			t.Fatalf("%q.Match(%q) fold=%v = %v, reference says %v", pat, path, fold, got, want)
		}
	}
}

func TestMatchAllocs(t *testing.T) {
	for _, tt := range []struct{ pattern, path string }{
		{"/user/login", "/user/login"},
		{"/api/admin/**", "/api/admin/users/12"},
		{"/**/*.js", "/static/js/app.js"},
		{"/book/{id}/*", "/book/12/x"},
		{"/**/a/**/b", "/x/a/y/z/b"},
	} {
		p, _ := ParsePattern(tt.pattern)
		if n := testing.AllocsPerRun(100, func() { p.Match(tt.path) }); n != 0 {
			t.Errorf("%q.Match(%q) allocates %v times", tt.pattern, tt.path, n)
		}
		pf, _ := ParsePattern(tt.pattern, CaseInsensitive())
		if n := testing.AllocsPerRun(100, func() { pf.Match(tt.path) }); n != 0 {
			t.Errorf("case-insensitive %q.Match(%q) allocates %v times", tt.pattern, tt.path, n)
		}
	}
}
