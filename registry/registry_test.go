package registry

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
)

// names returns the chain's names, with each Cond in brackets.
func names(chain []Entry) []string {
	var out []string
	for _, e := range chain {
		s := e.Name
		if e.Cond != nil {
			s += "[" + e.Cond.String() + "]"
		}
		out = append(out, s)
	}
	return out
}

func mustChain(t *testing.T, r *Registry, method, template string) []string {
	t.Helper()
	chain, err := r.Chain(method, template)
	if err != nil {
		t.Fatalf("Chain(%s, %s): %v", method, template, err)
	}
	return names(chain)
}

func TestChainDecisions(t *testing.T) {
	r := New()
	r.AddInterceptor(interceptor.Funcs{}).Name("login").
		AddPathPatterns("/**").
		ExcludePathPatterns("/user/login", "/static/**", "/book/1")
	r.AddInterceptor(interceptor.Funcs{}).Name("admin").AddPathPatterns("/api/admin/**")
	r.AddInterceptor(interceptor.Funcs{}).Name("js").AddPathPatterns("/**/*.js", "/book/2")
	r.AddInterceptor(interceptor.Funcs{}).Name("none").AddPathPatterns("/nothing/**", "/user/x")

	tests := []struct {
		template string
		want     []string
	}{
		{"/user/login", []string{}},
		{"/user/{id}", []string{"login[exclude /user/login]", "js[include /**/*.js]", "none[include /user/x]"}},
		{"/book/{id}", []string{"login[exclude /book/1]", "js[include /**/*.js or /book/2]"}},
		{"/static/{*path}", []string{"js[include /**/*.js]"}},
		{"/api/admin/{id}", []string{"login", "admin", "js[include /**/*.js]"}},
		{"/api/administrator/{id}", []string{"login", "js[include /**/*.js]"}},
		{"/api/administrator/list", []string{"login"}},
		{"/app.js", []string{"login", "js"}},
	}
	for _, tt := range tests {
		got := mustChain(t, r, "GET", tt.template)
		if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("Chain(GET, %s) = %q, want %q", tt.template, got, tt.want)
		}
	}
}

func TestChainCond(t *testing.T) {
	r := New()
	r.AddInterceptor(interceptor.Funcs{}).AddPathPatterns("/**").ExcludePathPatterns("/book/1")
	chain, err := r.Chain("GET", "/book/{id}")
	if err != nil || len(chain) != 1 || chain[0].Cond == nil {
		t.Fatalf("Chain = %+v, %v", chain, err)
	}
	c := chain[0].Cond
	for path, want := range map[string]bool{"/book/1": false, "/book/2": true, "/book/10": true} {
		if got := c.Match(path); got != want {
			t.Errorf("Cond.Match(%q) = %v, want %v", path, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { c.Match("/book/2") }); n != 0 {
		t.Errorf("Cond.Match allocates %v times", n)
	}
}

func TestNilCond(t *testing.T) {
	var c *Cond
	if !c.Match("/x") || c.String() != "always" {
		t.Errorf("nil Cond: Match = %v, String = %q", c.Match("/x"), c.String())
	}
}

func TestOrder(t *testing.T) {
	r := New()
	r.AddInterceptor(interceptor.Funcs{}).Name("a").Order(1)
	r.AddInterceptor(interceptor.Funcs{}).Name("b")
	r.AddInterceptor(interceptor.Funcs{}).Name("c").Order(-5)
	r.AddInterceptor(interceptor.Funcs{}).Name("d")
	r.AddInterceptor(interceptor.Funcs{}).Name("e").Order(1)
	got := mustChain(t, r, "GET", "/x")
	if want := []string{"c", "b", "d", "a", "e"}; !slices.Equal(got, want) {
		t.Errorf("chain order = %v, want %v", got, want)
	}
}

func TestMethodFilters(t *testing.T) {
	r := New()
	r.AddInterceptor(interceptor.Funcs{}).Name("writes").IncludeMethods("POST", "PUT", "DELETE")
	r.AddInterceptor(interceptor.Funcs{}).Name("notget").ExcludeMethods("GET")
	r.AddInterceptor(interceptor.Funcs{}).Name("both").IncludeMethods("GET", "POST").ExcludeMethods("POST")
	r.AddInterceptor(interceptor.Funcs{}).Name("head").IncludeMethods("HEAD")
	tests := []struct {
		method string
		want   []string
	}{
		{"GET", []string{"both"}}, // HEAD requests are chained as GET: "head" never runs for them
		{"POST", []string{"writes", "notget"}},
		{"DELETE", []string{"writes", "notget"}},
		{"PATCH", []string{"notget"}},
		{"HEAD", []string{"notget", "head"}}, // only for a route registered for HEAD itself
	}
	for _, tt := range tests {
		if got := mustChain(t, r, tt.method, "/x/{id}"); !slices.Equal(got, tt.want) {
			t.Errorf("Chain(%s) = %v, want %v", tt.method, got, tt.want)
		}
	}
}

func TestErr(t *testing.T) {
	r := New()
	r.AddInterceptor(interceptor.Funcs{}).Name("login").
		AddPathPatterns("/**", "/a/{id").
		ExcludePathPatterns("/b//c").
		IncludeMethods("get", "GE T", "")
	r.AddInterceptor(nil)
	r.Add(nil)
	r.AddInterceptor(interceptor.Funcs{}).AddPathPatterns("/fine/**")

	err := r.Err()
	if err == nil {
		t.Fatal("Err() = nil")
	}
	msg := err.Error()
	for _, want := range []string{
		`registration 1 (login): include pattern "/a/{id": unclosed '{' at offset 3`,
		`registration 1 (login): exclude pattern "/b//c": empty segment (//) at offset 3`,
		`registration 1 (login): include method "get"`,
		`(did you mean "GET"`,
		`include method "GE T"`,
		`include method ""`,
		`registration 2 (<nil>): nil interceptor`,
		`registration 3: nil registration`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("Err() lacks %q:\n%s", want, msg)
		}
	}
	if !errors.Is(err, ErrInvalidPattern) || !errors.Is(err, ErrInvalidMethod) {
		t.Errorf("Err() does not wrap the sentinels: %v", err)
	}
	var pe *PatternError
	if !errors.As(err, &pe) || pe.Pattern != "/a/{id" || pe.Offset != 3 {
		t.Errorf("errors.As PatternError = %+v", pe)
	}
	if chain, cerr := r.Chain("GET", "/x"); chain != nil || cerr == nil || cerr.Error() != msg {
		t.Errorf("Chain with bad registrations = %v, %v; want nil and Err()", chain, cerr)
	}
	if got := strings.Count(msg, "\n") + 1; got != 7 {
		t.Errorf("Err() joins %d errors, want 7:\n%s", got, msg)
	}
}

func TestErrNone(t *testing.T) {
	r := New()
	r.AddInterceptor(interceptor.Funcs{}).AddPathPatterns("/**").IncludeMethods("GET", "M-SEARCH")
	if err := r.Err(); err != nil {
		t.Errorf("Err() = %v", err)
	}
}

func TestChainBadTemplate(t *testing.T) {
	r := New()
	if _, err := r.Chain("GET", "/a/{id}.json"); !errors.Is(err, ErrInvalidTemplate) {
		t.Errorf("Chain on a bad template: %v", err)
	}
}

func TestRegistrationChangedAfterAdd(t *testing.T) {
	r := New()
	g := NewRegistration(interceptor.Funcs{}).Name("late")
	r.Add(g)
	if got := mustChain(t, r, "GET", "/user/login"); !slices.Equal(got, []string{"late"}) {
		t.Fatalf("chain = %v", got)
	}
	g.ExcludePathPatterns("/user/login") // after Add and after a Chain: must be seen
	if got := mustChain(t, r, "GET", "/user/login"); len(got) != 0 {
		t.Errorf("chain after a late exclude = %v, want none", got)
	}
	g.AddPathPatterns("/a/{")
	if r.Err() == nil {
		t.Error("a late bad pattern is not reported")
	}
}

type loginInterceptor struct{ interceptor.Funcs }

func (*loginInterceptor) PreHandle(http.ResponseWriter, *http.Request, *handler.Route) (bool, error) {
	return true, nil
}

func TestDefaultName(t *testing.T) {
	r := New()
	r.AddInterceptor(&loginInterceptor{})
	r.AddInterceptor(interceptor.Funcs{})
	got := mustChain(t, r, "GET", "/")
	if want := []string{"*registry.loginInterceptor", "interceptor.Funcs"}; !slices.Equal(got, want) {
		t.Errorf("default names = %v, want %v", got, want)
	}
}

func TestCaseInsensitiveRegistry(t *testing.T) {
	r := New(WithCaseInsensitive())
	r.AddInterceptor(interceptor.Funcs{}).Name("admin").AddPathPatterns("/Admin/**")
	if got := mustChain(t, r, "GET", "/admin/{id}"); !slices.Equal(got, []string{"admin"}) {
		t.Errorf("case-insensitive chain = %v", got)
	}
	r2 := New()
	r2.AddInterceptor(interceptor.Funcs{}).Name("admin").AddPathPatterns("/Admin/**")
	if got := mustChain(t, r2, "GET", "/admin/{id}"); len(got) != 0 {
		t.Errorf("case-sensitive chain = %v", got)
	}
}

func TestIncludesAllNone(t *testing.T) {
	r := New()
	r.AddInterceptor(interceptor.Funcs{}).Name("x").AddPathPatterns("/a/**", "/b/1")
	if got := mustChain(t, r, "GET", "/c/{id}"); len(got) != 0 {
		t.Errorf("includes all NONE: chain = %v", got)
	}
	// An ALL include settles the includes; a SOME one beside it is dropped.
	if got := mustChain(t, r, "GET", "/a/{id}"); !slices.Equal(got, []string{"x"}) {
		t.Errorf("include ALL: chain = %v", got)
	}
	if got := mustChain(t, r, "GET", "/b/{id}"); !slices.Equal(got, []string{"x[include /b/1]"}) {
		t.Errorf("include SOME: chain = %v", got)
	}
}

func TestUnmatched(t *testing.T) {
	r := New()
	r.AddInterceptor(interceptor.Funcs{}).Name("login").
		AddPathPatterns("/**").
		ExcludePathPatterns("/user/login", "/user/logn", "/static/**", "/**/*.js")
	r.AddInterceptor(interceptor.Funcs{}).Name("admin").
		AddPathPatterns("admin/**", "/api/admin/**").IncludeMethods("POST", "PATCH")
	routes := []RouteRef{
		{"GET", "/user/login"},
		{"GET", "/book/{id}"},
		{"POST", "/admin/users/{id}"},
		{"GET", "/static/{*path}"},
		{"GET", "/bad/{id}.x"},
	}
	got := r.Unmatched(routes)
	want := []string{
		`registry: route GET /bad/{id}.x: invalid route template "/bad/{id}.x": segment "{id}.x" at offset 5: variables must be whole segments, {name} or a final {*name}`,
		`registry: registration 1 (login): exclude pattern "/user/logn" matches no route`,
		`registry: registration 2 (admin): include pattern "/api/admin/**" matches no route`,
		`registry: registration 2 (admin): include method "PATCH" matches no route`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("Unmatched =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCondString(t *testing.T) {
	r := New()
	r.AddInterceptor(interceptor.Funcs{}).AddPathPatterns("/book/1", "/book/2").ExcludePathPatterns("/book/3", "/**/*.js")
	chain, err := r.Chain("GET", "/book/{id}")
	if err != nil || len(chain) != 1 {
		t.Fatal(chain, err)
	}
	if got, want := chain[0].Cond.String(), "include /book/1 or /book/2; exclude /book/3, /**/*.js"; got != want {
		t.Errorf("Cond.String() = %q, want %q", got, want)
	}
}
