package registry

import (
	"path"
	"regexp"
	"testing"

	"github.com/portico-go/portico/interceptor"
)

var benchSink bool

func BenchmarkMatch(b *testing.B) {
	cases := []struct{ name, pattern, path string }{
		{"literal", "/user/login", "/user/login"},
		{"prefix", "/api/admin/**", "/api/admin/users/12"},
		{"prefix-miss", "/api/admin/**", "/api/administrator/12"},
		{"one-level", "/book/*", "/book/addBook"},
		{"suffix", "/**/*.js", "/static/js/vendor/app.js"},
		{"suffix-miss", "/**/*.js", "/static/js/vendor/app.css"},
		{"var", "/book/{id}/pages/*", "/book/12/pages/3"},
		{"regex", `/book/{id:\d+}`, "/book/12345"},
		{"fold", "/user/login", "/USER/Login"},
	}
	for _, c := range cases {
		var opts []PatternOption
		if c.name == "fold" {
			opts = append(opts, CaseInsensitive())
		}
		p, err := ParsePattern(c.pattern, opts...)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				benchSink = p.Match(c.path)
			}
		})
	}
}

// BenchmarkMatchBaseline is the same one-level match with path.Match and
// with an anchored regexp, for comparison.
func BenchmarkMatchBaseline(b *testing.B) {
	b.Run("pattern", func(b *testing.B) {
		p, _ := ParsePattern("/book/*")
		b.ReportAllocs()
		for b.Loop() {
			benchSink = p.Match("/book/addBook")
		}
	})
	b.Run("path.Match", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			benchSink, _ = path.Match("/book/*", "/book/addBook")
		}
	})
	b.Run("regexp", func(b *testing.B) {
		re := regexp.MustCompile(`^/book/[^/]*$`)
		b.ReportAllocs()
		for b.Loop() {
			benchSink = re.MatchString("/book/addBook")
		}
	})
	b.Run("pattern-suffix", func(b *testing.B) {
		p, _ := ParsePattern("/**/*.js")
		b.ReportAllocs()
		for b.Loop() {
			benchSink = p.Match("/static/js/vendor/app.js")
		}
	})
	b.Run("regexp-suffix", func(b *testing.B) {
		re := regexp.MustCompile(`^(?:/[^/]*)*/[^/]*\.js$`)
		b.ReportAllocs()
		for b.Loop() {
			benchSink = re.MatchString("/static/js/vendor/app.js")
		}
	})
}

// BenchmarkChainEntries is the per-request cost of a decided chain: the
// typical login setup, where the Cond left for /user/{name} is one exclude.
func BenchmarkChainEntries(b *testing.B) {
	r := New()
	r.AddInterceptor(interceptor.Funcs{}).Name("log")
	r.AddInterceptor(interceptor.Funcs{}).Name("login").
		AddPathPatterns("/**").
		ExcludePathPatterns("/user/login", "/static/**", "/**/*.js", "/**/*.css", "/**/*.png")
	r.AddInterceptor(interceptor.Funcs{}).Name("admin").AddPathPatterns("/admin/**")
	for _, c := range []struct{ name, template, path string }{
		{"decided", "/book/{id}", "/book/12"},
		{"cond", "/user/{name}", "/user/alice"},
	} {
		chain, err := r.Chain("GET", c.template)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				for i := range chain {
					if e := &chain[i]; e.Cond == nil || e.Cond.Match(c.path) {
						n++
					}
				}
				benchSink = n > 0
			}
		})
	}
	b.Run("undecided", func(b *testing.B) {
		// What every request would pay without the startup decision.
		pats := []string{"/**", "/user/login", "/static/**", "/**/*.js", "/**/*.css", "/**/*.png", "/admin/**"}
		ps := make([]*Pattern, len(pats))
		for i, s := range pats {
			ps[i], _ = ParsePattern(s)
		}
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			for _, p := range ps {
				if p.Match("/user/alice") {
					n++
				}
			}
			benchSink = n > 0
		}
	})
}

func BenchmarkChain(b *testing.B) {
	r := New()
	r.AddInterceptor(interceptor.Funcs{}).AddPathPatterns("/**").
		ExcludePathPatterns("/user/login", "/static/**", "/**/*.js", "/**/*.css")
	r.AddInterceptor(interceptor.Funcs{}).AddPathPatterns("/admin/**")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Chain("GET", "/admin/users/{id}"); err != nil {
			b.Fatal(err)
		}
	}
}
