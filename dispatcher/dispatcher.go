package dispatcher

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/portico-go/portico/adapter"
	"github.com/portico-go/portico/binding"
	"github.com/portico-go/portico/firewall"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
	"github.com/portico-go/portico/registry"
	"github.com/portico-go/portico/view"
)

// ErrBuilt is returned when routes are registered after the dispatcher
// started serving: its tables are immutable from then on, which keeps the
// request path free of locks.
var ErrBuilt = errors.New("dispatcher: already built; register routes before serving")

// route is one registered handler with everything decided at startup.
type route struct {
	info      handler.Route
	tmpl      *template
	adapter   adapter.HandlerAdapter
	chain     interceptor.Chain
	resolvers []ExceptionResolver
	where     string
	// scoped is decided at Build: the route's requests carry a request
	// scope (handler.RouteOf, PathParams, keys) because its handler or
	// one of its interceptors may use it, or the route asked for it.
	scoped      bool
	forceScoped bool
	// segmentsOK is decided at Build: the firewall admits every literal
	// segment of the template and it has no catch-all, so a request it
	// maps needs only its variables judged (see dispatch).
	segmentsOK bool
	// call runs the handler: the adapter's prepared Func, or its Handle.
	call adapter.Func
}

// Dispatcher is Portico's DispatcherServlet. Register routes, then serve;
// Build (called by the fx module, or by the first request) freezes the
// tables and computes every route's interceptor chain.
type Dispatcher struct {
	log       *slog.Logger
	firewall  *firewall.Firewall
	views     view.Resolver
	errors    ErrorRenderer
	adapters  []adapter.HandlerAdapter
	resolvers []ExceptionResolver
	registry  *registry.Registry
	redirect  bool

	mu      sync.Mutex
	routes  []*route
	entries map[string]*entry // by template shape
	order   []*entry
	errs    []error

	table   atomic.Pointer[table]
	writers sync.Pool
}

// Option configures a Dispatcher.
type Option func(*Dispatcher)

// WithLogger sets the logger for errors, panics and warnings.
func WithLogger(l *slog.Logger) Option { return func(d *Dispatcher) { d.log = l } }

// WithFirewall replaces the default strict firewall, for example with one
// relaxed deliberately. Nil turns the firewall off, which is unsafe for any
// app whose interceptors guard paths.
func WithFirewall(f *firewall.Firewall) Option { return func(d *Dispatcher) { d.firewall = f } }

// WithViewResolver sets the resolver that renders ModelAndViews.
func WithViewResolver(v view.Resolver) Option { return func(d *Dispatcher) { d.views = v } }

// WithErrorRenderer sets how errors are written (default JSONErrors).
func WithErrorRenderer(r ErrorRenderer) Option { return func(d *Dispatcher) { d.errors = r } }

// WithAdapters adds HandlerAdapters, consulted before the built-in ones.
func WithAdapters(a ...adapter.HandlerAdapter) Option {
	return func(d *Dispatcher) { d.adapters = append(a, d.adapters...) }
}

// WithBinder replaces the binder typed handlers use.
func WithBinder(b handler.Binder) Option {
	return func(d *Dispatcher) {
		for i, a := range d.adapters {
			if _, ok := a.(adapter.Typed); ok {
				d.adapters[i] = adapter.Typed{Binder: b}
			}
		}
	}
}

// WithExceptionResolvers adds global exception resolvers (the
// @ControllerAdvice analogue), consulted in order after route-scoped ones
// and before the built-in defaults.
func WithExceptionResolvers(rs ...ExceptionResolver) Option {
	return func(d *Dispatcher) { d.resolvers = append(d.resolvers, rs...) }
}

// WithRegistry uses reg for interceptors instead of a fresh registry.
func WithRegistry(reg *registry.Registry) Option { return func(d *Dispatcher) { d.registry = reg } }

// RedirectTrailingSlash answers a request for /a/ with a redirect to /a
// (or the reverse) when only the other exists. Off by default, as in
// Spring 6. Targets are always local paths; the firewall has already
// refused the spellings that could turn one into an open redirect.
func RedirectTrailingSlash() Option { return func(d *Dispatcher) { d.redirect = true } }

// New returns a Dispatcher with the built-in adapters, a strict firewall,
// JSON errors and an empty interceptor registry.
func New(opts ...Option) *Dispatcher {
	d := &Dispatcher{
		log:      slog.Default(),
		firewall: firewall.New(),
		errors:   JSONErrors{},
		adapters: adapter.Defaults(binding.New()),
		entries:  map[string]*entry{},
	}
	for _, o := range opts {
		o(d)
	}
	if d.registry == nil {
		d.registry = registry.New()
	}
	d.writers.New = func() any { return &responseWriter{} }
	return d
}

// Interceptors returns the registry: the WebMvcConfigurer.addInterceptors
// analogue. d.Interceptors().AddInterceptor(x).AddPathPatterns("/**").
func (d *Dispatcher) Interceptors() *registry.Registry { return d.registry }

// RouteOption adds metadata or behaviour to a route.
type RouteOption func(*route)

// WithMeta attaches metadata values (see handler.MetaOf), the stand-in for
// Spring's handler annotations: interceptors read them from the route.
func WithMeta(meta ...any) RouteOption {
	return func(rt *route) { rt.info.Meta = append(rt.info.Meta, meta...) }
}

// WithName overrides the handler name shown in logs and Routes.
func WithName(name string) RouteOption { return func(rt *route) { rt.info.Name = name } }

// WithRequestScope gives the route's requests a request scope even when
// neither its handler kind nor its interceptors need one, for a
// handler.Function or an httprouter-shaped handler that calls
// handler.RouteOf or reads a handler.Key.
func WithRequestScope() RouteOption { return func(rt *route) { rt.forceScoped = true } }

// WithExceptionResolver adds route-scoped resolvers (@ExceptionHandler),
// consulted before the global ones.
func WithExceptionResolver(rs ...ExceptionResolver) RouteOption {
	return func(rt *route) { rt.resolvers = append(rt.resolvers, rs...) }
}

// GET registers h for GET (and HEAD) requests to path.
func (d *Dispatcher) GET(path string, h any, opts ...RouteOption) error {
	return d.handle(http.MethodGet, path, h, opts)
}

// POST registers h for POST requests to path.
func (d *Dispatcher) POST(path string, h any, opts ...RouteOption) error {
	return d.handle(http.MethodPost, path, h, opts)
}

// PUT registers h for PUT requests to path.
func (d *Dispatcher) PUT(path string, h any, opts ...RouteOption) error {
	return d.handle(http.MethodPut, path, h, opts)
}

// PATCH registers h for PATCH requests to path.
func (d *Dispatcher) PATCH(path string, h any, opts ...RouteOption) error {
	return d.handle(http.MethodPatch, path, h, opts)
}

// DELETE registers h for DELETE requests to path.
func (d *Dispatcher) DELETE(path string, h any, opts ...RouteOption) error {
	return d.handle(http.MethodDelete, path, h, opts)
}

// Handle registers h for method and path. Paths use Spring's {id} and
// {*path} or httprouter's :id and *path. The error is also kept and
// returned by Build, so a registration whose error is ignored still stops
// start-up.
func (d *Dispatcher) Handle(method, path string, h any, opts ...RouteOption) error {
	return d.handle(method, path, h, opts)
}

func (d *Dispatcher) handle(method, path string, h any, opts []RouteOption) error {
	where := caller()
	err := d.register(method, path, h, opts, where)
	if err != nil {
		err = fmt.Errorf("%s %s (registered at %s): %w", method, path, where, err)
		d.mu.Lock()
		d.errs = append(d.errs, err)
		d.mu.Unlock()
	}
	return err
}

func (d *Dispatcher) register(method, path string, h any, opts []RouteOption, where string) error {
	if !validMethod(method) {
		return fmt.Errorf("invalid method %q", method)
	}
	if h == nil || isNilPointer(h) {
		return errors.New("handler is nil")
	}
	tmpl, err := parseTemplate(path)
	if err != nil {
		return err
	}
	rt := &route{
		info:  handler.Route{Method: method, Path: tmpl.spring, Name: handlerName(h), Handler: h},
		tmpl:  tmpl,
		where: where,
	}
	for _, o := range opts {
		o(rt)
	}
	for _, a := range d.adapters {
		if a.Supports(h) {
			rt.adapter = a
			break
		}
	}
	if rt.adapter == nil {
		if bareTyped(h) {
			return fmt.Errorf("handler %s of type %T is a bare function: wrap it as handler.Typed(fn) so its input can be bound", rt.info.Name, h)
		}
		return fmt.Errorf("no HandlerAdapter supports handler %s of type %T", rt.info.Name, h)
	}
	if c, ok := rt.adapter.(adapter.Checker); ok {
		if err := c.Check(h); err != nil {
			return fmt.Errorf("handler %s: %w", rt.info.Name, err)
		}
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	if d.table.Load() != nil {
		return ErrBuilt
	}
	e := d.entries[tmpl.shape]
	if e == nil {
		e = &entry{tmpl: tmpl}
		d.entries[tmpl.shape] = e
		d.order = append(d.order, e)
	}
	for _, other := range e.routes {
		if other.info.Method == method {
			return fmt.Errorf("duplicate route: %s is already registered at %s by %s", other.info.Path, other.where, other.info.Name)
		}
	}
	e.routes = append(e.routes, rt)
	d.routes = append(d.routes, rt)
	return nil
}

// Build freezes the routes, computes every route's interceptor chain and
// reports every registration and pattern error at once. It is safe to call
// more than once; serving calls it if nobody did.
func (d *Dispatcher) Build() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.table.Load() != nil {
		return nil
	}
	errs := append([]error(nil), d.errs...)
	if err := d.registry.Err(); err != nil {
		errs = append(errs, err)
	}
	refs := make([]registry.RouteRef, 0, len(d.routes))
	for _, rt := range d.routes {
		entries, err := d.registry.Chain(rt.info.Method, rt.info.Path)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", rt.info.Method, rt.info.Path, err))
			continue
		}
		rt.chain = rt.chain[:0]
		for _, en := range entries {
			l := interceptor.Link{Interceptor: en.Interceptor, Name: en.Name}
			if en.Cond != nil {
				l.Cond = en.Cond
				// Usually an exclude such as /**/*.html that cuts into a
				// route with variables: worth a look, since it is how a
				// login check ends up skipped for some requests.
				d.log.Warn("interceptor applies to only some paths of a route; decided per request",
					"interceptor", en.Name, "route", rt.info.Method+" "+rt.info.Path, "condition", en.Cond.String())
			}
			rt.chain = append(rt.chain, l)
		}
		rt.scoped = rt.needsScope()
		rt.segmentsOK = d.firewall != nil && segmentsOK(d.firewall, rt.tmpl)
		call, err := prepare(rt.adapter, rt.info.Handler)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s: handler %s: %w", rt.info.Method, rt.info.Path, rt.info.Name, err))
			continue
		}
		rt.call = call
		refs = append(refs, registry.RouteRef{Method: rt.info.Method, Template: rt.info.Path})
	}
	if len(errs) > 0 {
		return fmt.Errorf("dispatcher: %w", errors.Join(errs...))
	}
	t, err := newTable(d.order, d.firewall)
	if err != nil {
		return fmt.Errorf("dispatcher: %w", err)
	}
	for _, w := range d.registry.Unmatched(refs) {
		d.log.Warn("interceptor pattern matches no route", "detail", w)
	}
	d.table.Store(t)
	return nil
}

// prepare returns the function that runs h with a: its prepared Func when
// a is a Preparer, else a call to its Handle.
func prepare(a adapter.HandlerAdapter, h any) (adapter.Func, error) {
	if p, ok := a.(adapter.Preparer); ok {
		return p.Prepare(h)
	}
	return func(w http.ResponseWriter, r *http.Request, ps handler.Params, res *handler.Result) error {
		return a.Handle(w, r, h, ps, res)
	}, nil
}

// segmentsOK reports whether fw admits every literal segment of t (the
// empty one a trailing slash leaves aside) and t has no catch-all.
func segmentsOK(fw *firewall.Firewall, t *template) bool {
	if t.catch {
		return false
	}
	for i, seg := range t.segs {
		switch {
		case strings.HasPrefix(seg, ":"):
		case seg == "" && i == len(t.segs)-1:
		case !fw.SegmentOK(seg):
			return false
		}
	}
	return true
}

// needsScope decides whether rt's requests carry a request scope. Anything
// that does not say otherwise (through handler.StateUser or
// adapter.StateDecider) is assumed to use it, so a value set by an
// interceptor written before these declarations is never lost.
func (rt *route) needsScope() bool {
	if rt.forceScoped {
		return true
	}
	for _, l := range rt.chain {
		if su, ok := l.Interceptor.(handler.StateUser); !ok || su.UsesRequestState() {
			return true
		}
	}
	if su, ok := rt.info.Handler.(handler.StateUser); ok {
		return su.UsesRequestState()
	}
	if sd, ok := rt.adapter.(adapter.StateDecider); ok {
		return sd.UsesRequestState(rt.info.Handler)
	}
	return true
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if !(c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func isNilPointer(h any) bool {
	v := reflect.ValueOf(h)
	switch v.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Interface, reflect.Slice:
		return v.IsNil()
	}
	return false
}

// bareTyped reports whether h has a typed handler's shape,
// func(context.Context, In) (Out, error), without the handler.Typed
// wrapper that lets Go's generics bind In without reflection per request.
func bareTyped(h any) bool {
	t := reflect.TypeOf(h)
	return t.Kind() == reflect.Func && t.NumIn() == 2 && t.NumOut() == 2 &&
		t.In(0) == reflect.TypeFor[context.Context]() && t.Out(1) == reflect.TypeFor[error]()
}

// handlerName names h for logs: the function's name or the value's type.
func handlerName(h any) string {
	v := reflect.ValueOf(h)
	if v.Kind() == reflect.Func {
		if f := runtime.FuncForPC(v.Pointer()); f != nil {
			return strings.TrimSuffix(f.Name(), "-fm")
		}
	}
	return fmt.Sprintf("%T", h)
}

// caller reports the first stack frame outside this package: the line that
// registered the route, so a duplicate error can name both.
func caller() string {
	pcs := make([]uintptr, 16)
	n := runtime.Callers(2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !strings.Contains(f.Function, "portico/dispatcher.") || strings.HasSuffix(f.File, "_test.go") {
			return fmt.Sprintf("%s:%d", f.File, f.Line)
		}
		if !more {
			return "unknown"
		}
	}
}
