package registry

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/portico-go/portico/interceptor"
)

// fuzzSeeds are patterns for every corpus: the table tests' patterns, the
// error cases, and some generated ones.
func fuzzSeeds() []string {
	seeds := []string{
		"", "/", "//", "admin/**", "/a/{id", "/{*a}/{*b}", "/**/{*r}", "/a**", "/{a{b}}",
		`/x/{id:[}]}`, `/x/{id:\d{3}}`, `/x/{a:(x)(y)}-{b}`, `/x/{id:\Qabc}`, "/a/\xff", "/\uFFFD",
	}
	for _, tt := range matchTests {
		seeds = append(seeds, tt.pattern)
	}
	g := newGen(4)
	for i := 0; i < 30; i++ {
		seeds = append(seeds, g.pattern())
	}
	return seeds
}

func FuzzParsePattern(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := ParsePattern(src)
		if err != nil {
			pe, ok := err.(*PatternError)
			if !ok || pe.Pattern != src || pe.Offset < 0 || pe.Offset > len(src) {
				t.Fatalf("ParsePattern(%q) error %#v does not locate the problem", src, err)
			}
			return
		}
		q, err := ParsePattern(p.String())
		if err != nil {
			t.Fatalf("String() %q of %q does not parse back: %v", p, src, err)
		}
		if q.String() != p.String() {
			t.Fatalf("round trip changed %q to %q", p, q)
		}
		// The pattern's own source, taken as a path, must not upset it.
		p.Match(p.String())
		p.MatchVars(p.String())
	})
}

// fuzzComparable reports whether the oracle's regexp semantics apply: it
// reads an invalid byte as U+FFFD, which the matcher deliberately does not.
func fuzzComparable(pattern, path string) bool {
	return utf8.ValidString(path) || !strings.ContainsRune(pattern, utf8.RuneError)
}

func FuzzMatch(f *testing.F) {
	for i, s := range fuzzSeeds() {
		f.Add(s, matchTests[i%len(matchTests)].path, i%3 == 0)
	}
	f.Fuzz(func(t *testing.T, pattern, path string, fold bool) {
		var opts []PatternOption
		if fold {
			opts = append(opts, CaseInsensitive())
		}
		p, err := ParsePattern(pattern, opts...)
		if err != nil {
			return
		}
		got := p.Match(path)
		vars, ok := p.MatchVars(path)
		if ok != got {
			t.Fatalf("%q: Match(%q) = %v but MatchVars says %v", pattern, path, got, ok)
		}
		if ok && len(vars) != p.vars {
			t.Fatalf("%q: MatchVars(%q) = %v, want %d variables", pattern, path, vars, p.vars)
		}
		if len(path) > 200 || !fuzzComparable(pattern, path) {
			return
		}
		if want := refMatch(pattern, path, fold); got != want {
			t.Fatalf("%q.Match(%q) fold=%v = %v, reference says %v", pattern, path, fold, got, want)
		}
	})
}

// FuzzChainDecision checks the startup decision on fuzzed patterns and
// templates: the chain entry, with its Cond, must agree with Spring's rules
// evaluated directly on a path the route serves. vals supplies the
// template's variables, separated by '|'.
func FuzzChainDecision(f *testing.F) {
	g := newGen(5)
	for i := 0; i < 40; i++ {
		tmpl := g.template()
		f.Add(g.pattern(), g.pattern(), tmpl, strings.TrimPrefix(g.path(tmpl), "/"))
	}
	f.Add("/**", "/book/1", "/book/{id}", "1")
	f.Add("/static/**", "/**/*.js", "/static/{*path}", "a/b.js")
	f.Add("/api/admin/**", "", "/api/administrator/{id}", "x")
	f.Fuzz(func(t *testing.T, include, exclude, tmpl, vals string) {
		if _, err := parseTemplate(tmpl); err != nil {
			return
		}
		path, ok := instantiate(tmpl, vals)
		if !ok {
			return
		}
		r := New()
		g := r.AddInterceptor(interceptor.Funcs{})
		var ru rule
		if include != "" {
			g.AddPathPatterns(include)
			ru.includes = []string{include}
		}
		if exclude != "" {
			g.ExcludePathPatterns(exclude)
			ru.excludes = []string{exclude}
		}
		chain, err := r.Chain("GET", tmpl)
		if err != nil {
			return // a bad pattern: Err reports it, nothing to decide
		}
		got := len(chain) == 1 && (chain[0].Cond == nil || chain[0].Cond.Match(path))
		if want := ru.applies(t, "GET", path); got != want {
			t.Fatalf("include %q exclude %q route %q path %q: chain says %v, rules say %v", include, exclude, tmpl, path, got, want)
		}
	})
}

// instantiate builds a path the template serves, taking variable values
// from vals split on '|'; a {name} value must be a non-empty segment, a
// catch-all value anything.
func instantiate(tmpl, vals string) (string, bool) {
	values := strings.Split(vals, "|")
	var b strings.Builder
	k := 0
	for _, part := range strings.Split(tmpl[1:], "/") {
		b.WriteByte('/')
		if !strings.HasPrefix(part, "{") {
			b.WriteString(part)
			continue
		}
		v := ""
		if k < len(values) {
			v = values[k]
		}
		k++
		if strings.HasPrefix(part, "{*") {
			b.WriteString(v)
			continue
		}
		if v == "" || strings.Contains(v, "/") {
			return "", false
		}
		b.WriteString(v)
	}
	return b.String(), true
}
