package bench

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
	"github.com/portico-go/portico/registry"
)

// registration is one interceptor with its path patterns, as an app
// would write it.
type registration struct {
	ic       interceptor.HandlerInterceptor
	includes []string
	excludes []string
}

// registrations returns n registrations of which exactly three apply to
// /api/v1/book/42 (n is 0 or at least 3). The others are the usual mix:
// other prefixes, one-level wildcards, suffix patterns, variables, and
// excludes.
func registrations(n int) []registration {
	if n == 0 {
		return nil
	}
	regs := []registration{
		{&counter{}, []string{"/**"}, []string{"/user/login", "/static/**"}},
		{&counter{}, []string{"/api/**"}, nil},
		{&counter{}, []string{"/api/v1/book/*"}, []string{"/api/v1/book/list"}},
	}
	for i := 3; i < n; i++ {
		var r registration
		switch i % 4 {
		case 0:
			r = registration{&counter{}, []string{fmt.Sprintf("/admin%d/**", i)}, nil}
		case 1:
			r = registration{&counter{}, []string{fmt.Sprintf("/svc%d/*/items/{id}", i)}, []string{fmt.Sprintf("/svc%d/internal/**", i)}}
		case 2:
			r = registration{&counter{}, []string{fmt.Sprintf("/static%d/**/*.js", i)}, nil}
		case 3:
			r = registration{&counter{}, []string{fmt.Sprintf("/api/v%d/**", i)}, []string{fmt.Sprintf("/api/v%d/health", i)}}
		}
		regs = append(regs, r)
	}
	return regs
}

// registryApp is the dispatcher both sides share: the measured route and,
// so that every pattern matches some route, a catch-all.
func registryApp(tb testing.TB) *dispatcher.Dispatcher {
	d := dispatcher.New(dispatcher.WithLogger(quietLog))
	h := handler.Function(func(r handler.Request) (*handler.Response, error) {
		sink = r.Param("id")
		return nil, nil
	})
	if err := d.GET("/api/v1/book/{id}", h); err != nil {
		tb.Fatal(err)
	}
	if err := d.GET("/{*rest}", h); err != nil {
		tb.Fatal(err)
	}
	return d
}

// buildRegistryPortico registers the interceptors the Portico way: the
// registry decides at Build which of them each route runs.
func buildRegistryPortico(tb testing.TB, regs []registration) http.Handler {
	d := registryApp(tb)
	for _, r := range regs {
		d.Interceptors().AddInterceptor(r.ic).AddPathPatterns(r.includes...).ExcludePathPatterns(r.excludes...)
	}
	if err := d.Build(); err != nil {
		tb.Fatal(err)
	}
	return d
}

// mapped is the baseline: Spring's MappedInterceptor, which matches every
// registration's patterns against the path on every request
// (AbstractHandlerMapping.getHandlerExecutionChain). It runs as one
// interceptor on every route, so both sides pay the same chain machinery
// and differ only in when patterns are matched.
type mapped struct {
	regs []mappedReg
	pool sync.Pool // *[]interceptor.HandlerInterceptor, the per-request chain
}

type mappedReg struct {
	ic                 interceptor.HandlerInterceptor
	includes, excludes []*registry.Pattern
}

// appliedKey is where a request's chain is kept between the hooks.
var appliedKey = handler.NewKey[*[]interceptor.HandlerInterceptor]("mapped")

func newMapped(tb testing.TB, regs []registration) *mapped {
	m := &mapped{}
	m.pool.New = func() any { s := make([]interceptor.HandlerInterceptor, 0, 8); return &s }
	parse := func(srcs []string) []*registry.Pattern {
		var ps []*registry.Pattern
		for _, s := range srcs {
			p, err := registry.ParsePattern(s)
			if err != nil {
				tb.Fatal(err)
			}
			ps = append(ps, p)
		}
		return ps
	}
	for _, r := range regs {
		m.regs = append(m.regs, mappedReg{r.ic, parse(r.includes), parse(r.excludes)})
	}
	return m
}

// matches is MappedInterceptor.matches: excludes first, then includes.
func (g *mappedReg) matches(path string) bool {
	for _, p := range g.excludes {
		if p.Match(path) {
			return false
		}
	}
	if len(g.includes) == 0 {
		return true
	}
	for _, p := range g.includes {
		if p.Match(path) {
			return true
		}
	}
	return false
}

func (m *mapped) PreHandle(w http.ResponseWriter, r *http.Request, rt *handler.Route) (bool, error) {
	chain := m.pool.Get().(*[]interceptor.HandlerInterceptor)
	*chain = (*chain)[:0]
	for i := range m.regs {
		if m.regs[i].matches(r.URL.Path) {
			*chain = append(*chain, m.regs[i].ic)
		}
	}
	appliedKey.Set(r, chain)
	for _, ic := range *chain {
		if ok, err := ic.PreHandle(w, r, rt); !ok || err != nil {
			return ok, err
		}
	}
	return true, nil
}

func (m *mapped) PostHandle(w http.ResponseWriter, r *http.Request, rt *handler.Route, res *handler.Result) error {
	chain, _ := appliedKey.Value(r.Context())
	for i := len(*chain) - 1; i >= 0; i-- {
		if err := (*chain)[i].PostHandle(w, r, rt, res); err != nil {
			return err
		}
	}
	return nil
}

func (m *mapped) AfterCompletion(w http.ResponseWriter, r *http.Request, rt *handler.Route, err error) {
	chain, ok := appliedKey.Value(r.Context())
	if !ok {
		return
	}
	for i := len(*chain) - 1; i >= 0; i-- {
		(*chain)[i].AfterCompletion(w, r, rt, err)
	}
	m.pool.Put(chain)
}

func buildRegistryMapped(tb testing.TB, regs []registration) http.Handler {
	d := registryApp(tb)
	d.Interceptors().AddInterceptor(newMapped(tb, regs))
	if err := d.Build(); err != nil {
		tb.Fatal(err)
	}
	return d
}

var registryImpls = []struct {
	name  string
	build func(testing.TB, []registration) http.Handler
}{
	{"portico", buildRegistryPortico},
	{"mapped-per-request", buildRegistryMapped},
}

var registrySizes = []int{0, 10, 100}

func TestRegistryAppliesThree(t *testing.T) {
	for _, impl := range registryImpls {
		for _, n := range registrySizes {
			regs := registrations(n)
			h := impl.build(t, regs)
			w := newWriter()
			h.ServeHTTP(w, newReqs("GET", "/api/v1/book/42").rs[0])
			ran := 0
			for _, r := range regs {
				if c := r.ic.(*counter); c.n > 0 {
					if c.n != 3 {
						t.Errorf("%s n=%d: an interceptor ran %d hooks, want 3", impl.name, n, c.n)
					}
					ran++
				}
			}
			if want := min(n, 3); ran != want || sink != "42" {
				t.Errorf("%s n=%d: %d interceptors ran, want %d; handler saw %q", impl.name, n, ran, want, sink)
			}
		}
	}
}

// BenchmarkRegistry is a request to a route with n registered, path-scoped
// interceptors of which three apply.
func BenchmarkRegistry(b *testing.B) {
	for _, n := range registrySizes {
		for _, impl := range registryImpls {
			b.Run(fmt.Sprintf("registered=%03d/impl=%s", n, impl.name), func(b *testing.B) {
				h := impl.build(b, registrations(n))
				rs := newReqs("GET", "/api/v1/book/42")
				w := newWriter()
				b.ReportAllocs()
				for b.Loop() {
					rs.serve(h, w)
				}
			})
		}
	}
}
