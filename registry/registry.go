package registry

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/portico-go/portico/interceptor"
)

// ErrInvalidMethod is wrapped by the errors for method filters that are
// not upper-case HTTP method tokens.
var ErrInvalidMethod = errors.New("invalid HTTP method")

// Option configures a Registry.
type Option func(*Registry)

// WithCaseInsensitive makes every registration's patterns match regardless
// of case. Only use it when the router is case-insensitive too: an
// interceptor must judge the path the router served.
func WithCaseInsensitive() Option {
	return func(r *Registry) { r.fold = true }
}

// Registry collects interceptor registrations, Spring's InterceptorRegistry,
// and decides each route's chain at startup. It is meant to be filled and
// queried during startup from one goroutine; the Entries and Conds it hands
// out are immutable and safe for concurrent use.
type Registry struct {
	fold  bool
	regs  []*Registration // nil for a nil Add, reported by Err
	cache map[*Registration]*compiled
}

// New returns an empty Registry.
func New(opts ...Option) *Registry {
	r := &Registry{cache: make(map[*Registration]*compiled)}
	for _, o := range opts {
		if o != nil {
			o(r)
		}
	}
	return r
}

// Registration is one interceptor with its path patterns, method filters
// and order, Spring's InterceptorRegistration. Its methods return the
// registration so calls can be chained; mistakes are recorded and reported
// by Registry.Err and Registry.Chain.
type Registration struct {
	ic        interceptor.HandlerInterceptor
	name      string
	order     int
	includes  []string
	excludes  []string
	inMethods []string
	exMethods []string
	errs      []error
	version   int // bumped by every change, so the registry recompiles it
}

// NewRegistration returns a registration for ic that belongs to no
// registry yet, so that application modules can contribute registrations
// (through an fx value group, for instance) and the dispatcher can Add them.
func NewRegistration(ic interceptor.HandlerInterceptor) *Registration {
	g := &Registration{ic: ic, name: interceptor.NameOf(ic)}
	if ic == nil {
		g.errs = append(g.errs, errors.New("nil interceptor"))
	}
	return g
}

// Add appends registrations. Registrations keep the order they were added
// in among those with the same Order.
func (r *Registry) Add(regs ...*Registration) {
	r.regs = append(r.regs, regs...)
}

// AddInterceptor registers ic and returns its registration, to be
// configured with the chained methods.
func (r *Registry) AddInterceptor(ic interceptor.HandlerInterceptor) *Registration {
	g := NewRegistration(ic)
	r.Add(g)
	return g
}

// AddPathPatterns limits the interceptor to paths matching any of the
// patterns (see ParsePattern). Without any, it applies to every path.
func (g *Registration) AddPathPatterns(patterns ...string) *Registration {
	g.includes = append(g.includes, patterns...)
	g.version++
	return g
}

// ExcludePathPatterns keeps the interceptor off paths matching any of the
// patterns; an exclude wins over every include.
func (g *Registration) ExcludePathPatterns(patterns ...string) *Registration {
	g.excludes = append(g.excludes, patterns...)
	g.version++
	return g
}

// IncludeMethods limits the interceptor to routes registered for one of
// the methods. Filters see the route's method: HEAD requests are served by
// GET routes and are filtered as GET.
func (g *Registration) IncludeMethods(methods ...string) *Registration {
	g.inMethods = append(g.inMethods, g.checkMethods("include", methods)...)
	g.version++
	return g
}

// ExcludeMethods keeps the interceptor off routes registered for any of
// the methods; as for IncludeMethods, a HEAD request counts as GET.
func (g *Registration) ExcludeMethods(methods ...string) *Registration {
	g.exMethods = append(g.exMethods, g.checkMethods("exclude", methods)...)
	g.version++
	return g
}

// checkMethods returns the valid methods and records an error for each
// invalid one. Lower case is an error rather than silently upper-cased, as
// net/http treats methods case-sensitively.
func (g *Registration) checkMethods(which string, methods []string) []string {
	valid := methods[:0:0]
	for _, m := range methods {
		if err := checkMethod(m); err != nil {
			g.errs = append(g.errs, fmt.Errorf("%s method %q: %w", which, m, err))
			continue
		}
		valid = append(valid, m)
	}
	return valid
}

func checkMethod(m string) error {
	if m == "" {
		return fmt.Errorf("%w: empty", ErrInvalidMethod)
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		switch {
		case 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		case 'a' <= c && c <= 'z':
			return fmt.Errorf("%w: methods are upper-case (did you mean %q?)", ErrInvalidMethod, strings.ToUpper(m))
		default:
			return fmt.Errorf("%w: character %q at offset %d is not a token character", ErrInvalidMethod, c, i)
		}
	}
	return nil
}

// Order sets the position in every chain: lowest first, default 0;
// registrations with the same order keep the order they were added in.
func (g *Registration) Order(n int) *Registration {
	g.order = n
	g.version++
	return g
}

// Name sets the name shown by introspection and in errors; the default is
// interceptor.NameOf: the name the interceptor gives itself (a Funcs' Name
// or first function), else its type as fmt's %T prints it.
func (g *Registration) Name(name string) *Registration {
	g.name = name
	g.version++
	return g
}

// compiled is a registration's parsed patterns, cached per version.
type compiled struct {
	version  int
	includes []*Pattern
	excludes []*Pattern
	errs     []error // pattern errors, already naming include/exclude
}

func (r *Registry) compile(g *Registration) *compiled {
	if c, ok := r.cache[g]; ok && c.version == g.version {
		return c
	}
	var opts []PatternOption
	if r.fold {
		opts = append(opts, CaseInsensitive())
	}
	c := &compiled{version: g.version}
	parse := func(which string, srcs []string) []*Pattern {
		ps := make([]*Pattern, 0, len(srcs))
		for _, s := range srcs {
			p, err := ParsePattern(s, opts...)
			if err != nil {
				c.errs = append(c.errs, fmt.Errorf("%s %w", which, err))
				continue
			}
			ps = append(ps, p)
		}
		return ps
	}
	c.includes = parse("include", g.includes)
	c.excludes = parse("exclude", g.excludes)
	if r.cache == nil {
		r.cache = make(map[*Registration]*compiled)
	}
	r.cache[g] = c
	return c
}

// Err returns every mistake in the registrations, joined: bad patterns
// (each naming the pattern and the byte offset), bad methods, nil
// interceptors. Each names the registration by its position and name.
func (r *Registry) Err() error {
	var errs []error
	for i, g := range r.regs {
		if g == nil {
			errs = append(errs, fmt.Errorf("registry: registration %d: nil registration", i+1))
			continue
		}
		c := r.compile(g)
		for _, err := range slices.Concat(g.errs, c.errs) {
			errs = append(errs, fmt.Errorf("registry: registration %d (%s): %w", i+1, g.name, err))
		}
	}
	return errors.Join(errs...)
}

// Entry is one interceptor in a route's chain.
type Entry struct {
	// Interceptor is the registered interceptor.
	Interceptor interceptor.HandlerInterceptor
	// Name is the registration's name.
	Name string
	// Cond is nil when the interceptor applies to every path the route can
	// serve; otherwise the dispatcher calls Cond.Match with the concrete
	// (decoded, matched) path of each request.
	Cond *Cond
}

// Cond is the part of a registration's path rule that could not be
// decided at startup: the path must match one of include (when there are
// any) and none of exclude.
type Cond struct {
	include []*Pattern
	exclude []*Pattern
}

// Match reports whether the interceptor applies to path. A nil Cond, an
// entry with nothing left to check, matches every path.
func (c *Cond) Match(path string) bool {
	if c == nil {
		return true
	}
	for _, p := range c.exclude {
		if p.Match(path) {
			return false
		}
	}
	if len(c.include) == 0 {
		return true
	}
	for _, p := range c.include {
		if p.Match(path) {
			return true
		}
	}
	return false
}

// String describes the condition for introspection, e.g.
// "include /book/1 or /book/2; exclude /book/3".
func (c *Cond) String() string {
	if c == nil {
		return "always"
	}
	join := func(ps []*Pattern, sep string) string {
		s := make([]string, len(ps))
		for i, p := range ps {
			s[i] = p.String()
		}
		return strings.Join(s, sep)
	}
	var parts []string
	if len(c.include) > 0 {
		parts = append(parts, "include "+join(c.include, " or "))
	}
	if len(c.exclude) > 0 {
		parts = append(parts, "exclude "+join(c.exclude, ", "))
	}
	return strings.Join(parts, "; ")
}

// sorted returns the registrations by order, stably.
func (r *Registry) sorted() []*Registration {
	regs := slices.DeleteFunc(slices.Clone(r.regs), func(g *Registration) bool { return g == nil })
	slices.SortStableFunc(regs, func(a, b *Registration) int {
		switch {
		case a.order < b.order:
			return -1
		case a.order > b.order:
			return 1
		}
		return 0
	})
	return regs
}

// methodApplies applies the method filters to the route's method.
func (g *Registration) methodApplies(method string) bool {
	if slices.Contains(g.exMethods, method) {
		return false
	}
	return len(g.inMethods) == 0 || slices.Contains(g.inMethods, method)
}

// Chain returns the interceptors of the route registered for method and
// template, in order, deciding at startup what can be decided: an
// interceptor that applies to none of the route's paths is left out, one
// that applies to all of them has a nil Cond, and the rest carry the
// patterns still to check per request. Method filters are decided exactly,
// against the route's method (the dispatcher passes "GET" for HEAD
// requests served by a GET route).
//
// If any registration has a mistake, Chain returns nil and Err's error: a
// dropped include or exclude pattern would silently change who is let
// through.
func (r *Registry) Chain(method, routeTemplate string) ([]Entry, error) {
	if err := r.Err(); err != nil {
		return nil, err
	}
	t, err := parseTemplate(routeTemplate)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	var chain []Entry
	for _, g := range r.sorted() {
		if !g.methodApplies(method) {
			continue
		}
		cond, ok := r.compile(g).cond(t)
		if ok {
			chain = append(chain, Entry{Interceptor: g.ic, Name: g.name, Cond: cond})
		}
	}
	return chain, nil
}

// cond combines the registration's per-pattern decisions for a route: an
// exclude that matches ALL removes the interceptor, includes that all
// match NONE remove it, an include that matches ALL settles the includes,
// NONE patterns drop out, and the SOME ones remain to be checked.
func (c *compiled) cond(t *template) (*Cond, bool) {
	var cond Cond
	for _, p := range c.excludes {
		switch p.decide(t) {
		case MatchesAll:
			return nil, false
		case MatchesSome:
			cond.exclude = append(cond.exclude, p)
		}
	}
	if len(c.includes) > 0 {
		always := false
		for _, p := range c.includes {
			switch p.decide(t) {
			case MatchesAll:
				always = true
			case MatchesSome:
				cond.include = append(cond.include, p)
			}
		}
		switch {
		case always:
			cond.include = nil
		case len(cond.include) == 0:
			return nil, false
		}
	}
	if len(cond.include) == 0 && len(cond.exclude) == 0 {
		return nil, true
	}
	return &cond, true
}

// RouteRef names a registered route for Unmatched.
type RouteRef struct {
	// Method is the HTTP method the route is registered for.
	Method string
	// Template is the route's template in Spring syntax.
	Template string
}

// Unmatched returns a warning for every include or exclude pattern that
// matches no path of any of the routes, and for every included method no
// route uses. A typo in an exclude list is how a login check silently
// applies where it should not, or an include typo how it silently does not
// apply at all. Bad patterns are Err's business and are skipped here.
func (r *Registry) Unmatched(routes []RouteRef) []string {
	var warnings []string
	templates := make([]*template, 0, len(routes))
	methods := make(map[string]bool)
	for _, rt := range routes {
		methods[rt.Method] = true
		t, err := parseTemplate(rt.Template)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("registry: route %s %s: %v", rt.Method, rt.Template, err))
			continue
		}
		templates = append(templates, t)
	}
	for i, g := range r.regs {
		if g == nil {
			continue
		}
		c := r.compile(g)
		check := func(which string, ps []*Pattern) {
			for _, p := range ps {
				if !slices.ContainsFunc(templates, func(t *template) bool { return p.decide(t) != MatchesNone }) {
					warnings = append(warnings, fmt.Sprintf("registry: registration %d (%s): %s pattern %q matches no route", i+1, g.name, which, p))
				}
			}
		}
		check("include", c.includes)
		check("exclude", c.excludes)
		for _, m := range g.inMethods {
			if !methods[m] {
				warnings = append(warnings, fmt.Sprintf("registry: registration %d (%s): include method %q matches no route", i+1, g.name, m))
			}
		}
	}
	return warnings
}
