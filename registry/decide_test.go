package registry

import (
	"errors"
	"fmt"
	"testing"

	"github.com/portico-go/portico/interceptor"
)

func TestDecide(t *testing.T) {
	tests := []struct {
		pattern, template string
		want              Decision
	}{
		{"/**", "/book/{id}", MatchesAll},
		{"/**", "/files/{*path}", MatchesAll},
		{"/**", "/{*path}", MatchesAll},
		{"/**", "/", MatchesAll},
		{"/**", "/book/", MatchesAll},
		{"/book/**", "/book/{id}", MatchesAll},
		{"/book/*", "/book/{id}", MatchesAll},
		{"/book/{x}", "/book/{id}", MatchesAll},
		{"/*/*", "/{a}/{b}", MatchesAll},
		{"/**/*", "/book/{id}", MatchesAll},
		{"/**/{x}", "/book/{id}", MatchesAll},
		{"/book/?*", "/book/{id}", MatchesAll},
		{"/user/login", "/book/{id}", MatchesNone},
		{"/book/1", "/book/{id}", MatchesSome},
		{"/**/*.js", "/files/{*path}", MatchesSome},
		{"/**/*.html", "/book/{id}", MatchesSome},
		{"/api/admin/**", "/api/administrator/{id}", MatchesNone},
		{"/api/admin/**", "/api/admin/{id}", MatchesAll},
		{"/static/**", "/static/{*path}", MatchesAll},
		{"/static/{*rest}", "/static/{*path}", MatchesAll},
		{"/static/**/*", "/static/{*path}", MatchesAll},
		{"/static/*", "/static/{*path}", MatchesSome},
		{"/static/{f}/**", "/static/{*path}", MatchesSome}, // "/static/" has an empty segment
		{"/static", "/static/{*path}", MatchesNone},
		{"/static/a/b", "/static/{*path}", MatchesSome},
		{"/other/**", "/static/{*path}", MatchesNone},
		{"/**", "/static/{*path}", MatchesAll},
		{`/book/{id:\d+}`, "/book/{id}", MatchesSome},
		{"/book/{id}/**", "/book/{id}", MatchesAll},
		{"/book/{id}/x", "/book/{id}", MatchesNone},
		{"/book/*/", "/book/{id}", MatchesNone},
		{"/book/{id}/", "/book/{id}/", MatchesAll},
		{"/book/{id}", "/book/{id}/", MatchesNone},
		{"/book/?", "/book/{id}", MatchesSome},
		{"/book/??", "/book/{id}", MatchesSome},
		{"/a/**/b", "/a/{x}/b", MatchesAll},
		{"/a/**/b", "/a/{x}/c", MatchesNone},
		{"/a/**/b", "/a/{*rest}", MatchesSome},
		{"/*", "/{*path}", MatchesSome},
		{"/user/login", "/user/login", MatchesAll}, // static: matched directly
		{"/user/*", "/user/login", MatchesAll},
		{"/book/**", "/user/login", MatchesNone},
		{"/book", "/book/", MatchesNone},
	}
	for _, tt := range tests {
		p, err := ParsePattern(tt.pattern)
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.Decide(tt.template)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("%q.Decide(%q) = %v, want %v", tt.pattern, tt.template, got, tt.want)
		}
	}
}

func TestDecideCaseInsensitive(t *testing.T) {
	p, _ := ParsePattern("/API/admin/**", CaseInsensitive())
	if d, _ := p.Decide("/api/Admin/{id}"); d != MatchesAll {
		t.Errorf("case-insensitive decide = %v, want ALL", d)
	}
}

func TestTemplateErrors(t *testing.T) {
	p, _ := ParsePattern("/**")
	for _, tmpl := range []string{"", "book", "/files/{*path}/x", "/book/{id}.json", "/book/{id", "/x/{*}", "/{}", "/{a:b}"} {
		if _, err := p.Decide(tmpl); !errors.Is(err, ErrInvalidTemplate) {
			t.Errorf("Decide(%q) error = %v, want ErrInvalidTemplate", tmpl, err)
		}
	}
}

// TestDecideProperty checks the decision against direct matching on
// concrete paths the route serves: ALL must match every one, NONE none.
func TestDecideProperty(t *testing.T) {
	g := newGen(2)
	counts := map[Decision]int{}
	for i := 0; i < 5000; i++ {
		pat, tmpl := g.pattern(), g.template()
		var opts []PatternOption
		if g.r.IntN(5) == 0 {
			opts = append(opts, CaseInsensitive())
		}
		p, err := ParsePattern(pat, opts...)
		if err != nil {
			t.Fatal(err)
		}
		d, err := p.Decide(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		counts[d]++
		for k := 0; k < 20; k++ {
			path := g.path(tmpl)
			m := p.Match(path)
			if d == MatchesAll && !m || d == MatchesNone && m {
				t.Fatalf("%q.Decide(%q) = %v, but Match(%q) = %v", pat, tmpl, d, path, m)
			}
		}
	}
	// The generator must exercise every answer, or the test proves little.
	for _, d := range []Decision{MatchesAll, MatchesNone, MatchesSome} {
		if counts[d] < 200 {
			t.Errorf("only %d cases decided %v: %v", counts[d], d, counts)
		}
	}
}

// rule is a registration's definition, evaluated directly with Spring's
// rules on a concrete path.
type rule struct {
	includes, excludes   []string
	inMethods, exMethods []string
}

func (r rule) applies(t *testing.T, method, path string, opts ...PatternOption) bool {
	match := func(srcs []string) bool {
		for _, s := range srcs {
			p, err := ParsePattern(s, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if p.Match(path) {
				return true
			}
		}
		return false
	}
	has := func(ms []string) bool {
		for _, m := range ms {
			if m == method {
				return true
			}
		}
		return false
	}
	switch {
	case match(r.excludes), has(r.exMethods):
		return false
	case len(r.includes) > 0 && !match(r.includes):
		return false
	case len(r.inMethods) > 0 && !has(r.inMethods):
		return false
	}
	return true
}

func (g gen) patterns() []string {
	n := g.r.IntN(3)
	ps := make([]string, n)
	for i := range ps {
		ps[i] = g.pattern()
	}
	return ps
}

func (g gen) methods() []string {
	switch g.r.IntN(4) {
	case 0:
		return []string{g.pick("GET", "POST")}
	case 1:
		return []string{"GET", "PUT"}
	}
	return nil
}

// TestChainProperty proves that the chain decided at startup, with its
// per-request Conds, equals direct evaluation of Spring's rules.
func TestChainProperty(t *testing.T) {
	g := newGen(3)
	var conds, nilConds, absent int
	for i := 0; i < 3000; i++ {
		fold := g.r.IntN(5) == 0
		var opts []Option
		var popts []PatternOption
		if fold {
			opts, popts = append(opts, WithCaseInsensitive()), append(popts, CaseInsensitive())
		}
		reg := New(opts...)
		rules := make([]rule, 1+g.r.IntN(3))
		for k := range rules {
			rules[k] = rule{includes: g.patterns(), excludes: g.patterns(), inMethods: g.methods(), exMethods: g.methods()}
			reg.AddInterceptor(interceptor.Funcs{}).Name(fmt.Sprint(k)).
				AddPathPatterns(rules[k].includes...).ExcludePathPatterns(rules[k].excludes...).
				IncludeMethods(rules[k].inMethods...).ExcludeMethods(rules[k].exMethods...)
		}
		tmpl, method := g.template(), g.pick("GET", "POST", "PUT")
		chain, err := reg.Chain(method, tmpl)
		if err != nil {
			t.Fatal(err)
		}
		for j := 0; j < 20; j++ {
			path := g.path(tmpl)
			var got, want []string
			for _, e := range chain {
				if e.Cond == nil || e.Cond.Match(path) {
					got = append(got, e.Name)
				}
			}
			for k, r := range rules {
				if r.applies(t, method, path, popts...) {
					want = append(want, fmt.Sprint(k))
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s %s, path %q, rules %+v: chain runs %v, direct rules say %v", method, tmpl, path, rules, got, want)
			}
		}
		for _, e := range chain {
			if e.Cond == nil {
				nilConds++
			} else {
				conds++
			}
		}
		absent += len(rules) - len(chain)
	}
	if conds < 300 || nilConds < 300 || absent < 300 {
		t.Errorf("weak coverage: %d conds, %d always, %d left out", conds, nilConds, absent)
	}
}
