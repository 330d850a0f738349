package bench

import (
	"path"
	"regexp"
	"testing"

	"github.com/portico-go/portico/registry"
)

// patternCases are typical interceptor patterns with a path each, in three
// spellings. path.Match has no multi-segment wildcard, so it is left out
// (empty) where the pattern needs one.
var patternCases = []struct {
	name, pattern, glob, re, path string
	want                          bool
}{
	{"literal", "/user/login", "/user/login", `^/user/login$`, "/user/login", true},
	{"one-level", "/book/*", "/book/*", `^/book/[^/]*$`, "/book/addBook", true},
	{"var", "/book/{id}/pages/*", "/book/*/pages/*", `^/book/[^/]+/pages/[^/]*$`, "/book/12/pages/3", true},
	{"ext", "/static/js/*.js", "/static/js/*.js", `^/static/js/[^/]*\.js$`, "/static/js/app.js", true},
	{"prefix", "/api/admin/**", "", `^/api/admin(?:/.*)?$`, "/api/admin/users/12", true},
	{"prefix-miss", "/api/admin/**", "", `^/api/admin(?:/.*)?$`, "/api/administrator/12", false},
	{"suffix", "/**/*.js", "", `^(?:/[^/]*)*/[^/]*\.js$`, "/static/js/vendor/app.js", true},
	{"regex-var", `/book/{id:\d+}`, "", `^/book/\d+$`, "/book/12345", true},
}

type matcher func(string) bool

func patternMatchers(tb testing.TB, i int) map[string]matcher {
	c := patternCases[i]
	p, err := registry.ParsePattern(c.pattern)
	if err != nil {
		tb.Fatal(err)
	}
	re := regexp.MustCompile(c.re)
	ms := map[string]matcher{
		"portico": p.Match,
		"regexp":  re.MatchString,
	}
	if c.glob != "" {
		ms["path.Match"] = func(s string) bool { ok, _ := path.Match(c.glob, s); return ok }
	}
	return ms
}

func TestPatternsAgree(t *testing.T) {
	for i, c := range patternCases {
		for name, m := range patternMatchers(t, i) {
			if got := m(c.path); got != c.want {
				t.Errorf("%s %s: Match(%q) = %v, want %v", c.name, name, c.path, got, c.want)
			}
		}
	}
}

var boolSink bool

// BenchmarkPattern is one match of a parsed pattern against a path.
func BenchmarkPattern(b *testing.B) {
	for i, c := range patternCases {
		ms := patternMatchers(b, i)
		for _, name := range []string{"portico", "path.Match", "regexp"} {
			m, ok := ms[name]
			if !ok {
				continue
			}
			b.Run("case="+c.name+"/impl="+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					boolSink = m(c.path)
				}
			})
		}
	}
}
