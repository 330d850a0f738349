package adapter

import (
	"fmt"
	"net/http"
	"reflect"

	"github.com/julienschmidt/httprouter"
	"github.com/portico-go/portico/handler"
)

// HandlerAdapter is Spring's HandlerAdapter: it knows how to run one kind of
// handler.
type HandlerAdapter interface {
	// Supports reports whether the adapter can run h. The dispatcher asks
	// once per route, at registration.
	Supports(h any) bool
	// Handle runs h for one request. It either writes the response itself
	// and sets res.Committed, or fills res for the dispatcher to write after
	// PostHandle.
	Handle(w http.ResponseWriter, r *http.Request, h any, ps handler.Params, res *handler.Result) error
}

// Checker is implemented by adapters that can find problems with a handler
// at registration, such as an input type they cannot bind.
type Checker interface {
	Check(h any) error
}

// StateDecider is implemented by adapters that can tell, per handler,
// whether the handler may reach request-scoped values (handler.RouteOf,
// handler.PathParams, a handler.Key) through its request's context. The
// dispatcher asks once per route, at Build; an adapter that does not
// implement it is assumed to need the scope. A handler that implements
// handler.StateUser overrides its adapter's answer.
type StateDecider interface {
	UsesRequestState(h any) bool
}

// Preparer is implemented by adapters that can do their per-handler work
// once, when the dispatcher builds, instead of on every request: Prepare
// returns a Func that runs h, so a request pays neither the interface call
// nor the switch on h's kind. The Func must behave exactly as Handle with h.
type Preparer interface {
	Prepare(h any) (Func, error)
}

// Func runs one prepared handler: Handle with the handler bound.
type Func func(w http.ResponseWriter, r *http.Request, ps handler.Params, res *handler.Result) error

// Defaults returns the built-in adapters in the order the dispatcher tries
// them: functional handlers, typed handlers (bound with b), controllers,
// and net/http handlers.
func Defaults(b handler.Binder) []HandlerAdapter {
	return []HandlerAdapter{Functional{}, Typed{Binder: b}, Controllers{}, HTTP{}}
}

// HTTP runs net/http handlers: http.Handler, http.HandlerFunc and plain
// func(http.ResponseWriter, *http.Request), whose path variables are
// readable through r.PathValue; and httprouter-shaped
// func(http.ResponseWriter, *http.Request, handler.Params) (or
// httprouter.Handle), which receive them directly. They write for
// themselves.
type HTTP struct{}

// Supports reports whether h is a net/http or httprouter handler.
func (HTTP) Supports(h any) bool {
	switch h.(type) {
	case http.Handler, func(http.ResponseWriter, *http.Request),
		func(http.ResponseWriter, *http.Request, handler.Params), httprouter.Handle:
		return true
	}
	return false
}

// UsesRequestState reports false only for httprouter-shaped handlers,
// which receive their path variables as an argument; net/http handlers
// reach the route and values through r.Context().
func (HTTP) UsesRequestState(h any) bool {
	switch h.(type) {
	case func(http.ResponseWriter, *http.Request, handler.Params), httprouter.Handle:
		return false
	}
	return true
}

// Prepare binds h; see Preparer.
func (a HTTP) Prepare(h any) (Func, error) {
	var hr func(http.ResponseWriter, *http.Request, handler.Params)
	switch h := h.(type) {
	case func(http.ResponseWriter, *http.Request, handler.Params):
		hr = h
	case httprouter.Handle:
		hr = h
	default:
		if !a.Supports(h) {
			return nil, fmt.Errorf("adapter.HTTP: unsupported handler %T", h)
		}
		return func(w http.ResponseWriter, r *http.Request, ps handler.Params, res *handler.Result) error {
			return a.Handle(w, r, h, ps, res)
		}, nil
	}
	return func(w http.ResponseWriter, r *http.Request, ps handler.Params, res *handler.Result) error {
		res.Committed = true
		hr(w, r, ps)
		return nil
	}, nil
}

// Handle serves the request with h.
func (HTTP) Handle(w http.ResponseWriter, r *http.Request, h any, ps handler.Params, res *handler.Result) error {
	res.Committed = true
	switch h := h.(type) {
	case func(http.ResponseWriter, *http.Request, handler.Params):
		// net/http's r.PathValue costs a map per request; these handlers
		// take the parameters as httprouter hands them over.
		h(w, r, ps)
		return nil
	case httprouter.Handle:
		h(w, r, ps)
		return nil
	}
	setPathValues(r, ps)
	switch h := h.(type) {
	case http.Handler:
		h.ServeHTTP(w, r)
	case func(http.ResponseWriter, *http.Request):
		h(w, r)
	default:
		return fmt.Errorf("adapter.HTTP: unsupported handler %T", h)
	}
	return nil
}

// Controllers runs handler.Controller values and functions of the same
// shape. A nil ModelAndView means the controller wrote the response.
type Controllers struct{}

// Supports reports whether h is a controller.
func (Controllers) Supports(h any) bool {
	switch h.(type) {
	case handler.Controller, func(http.ResponseWriter, *http.Request) (*handler.ModelAndView, error):
		return true
	}
	return false
}

// UsesRequestState reports true: a controller sees only the request, so
// r.Context() is its way to the route and the values.
func (Controllers) UsesRequestState(any) bool { return true }

// Handle calls the controller and keeps its ModelAndView for rendering.
func (Controllers) Handle(w http.ResponseWriter, r *http.Request, h any, ps handler.Params, res *handler.Result) error {
	setPathValues(r, ps)
	var (
		mv  *handler.ModelAndView
		err error
	)
	switch h := h.(type) {
	case handler.Controller:
		mv, err = h.HandleRequest(w, r)
	case func(http.ResponseWriter, *http.Request) (*handler.ModelAndView, error):
		mv, err = h(w, r)
	default:
		return fmt.Errorf("adapter.Controllers: unsupported handler %T", h)
	}
	if err != nil {
		return err
	}
	if mv == nil {
		res.Committed = true
		return nil
	}
	// The view's status stays on mv, read when it is rendered (after
	// PostHandle), so there is one place to set it.
	res.View = mv
	return nil
}

// Functional runs Spring-style handler functions (handler.Function).
type Functional struct{}

// Supports reports whether h is a handler.Function.
func (Functional) Supports(h any) bool {
	switch h.(type) {
	case handler.Function, func(handler.Request) (*handler.Response, error):
		return true
	}
	return false
}

// UsesRequestState reports false: a handler.Function receives its path
// variables in handler.Request, so its route needs a request scope only
// when an interceptor on it uses one (or the route asks for it).
func (Functional) UsesRequestState(any) bool { return false }

// Prepare binds h; see Preparer.
func (Functional) Prepare(h any) (Func, error) {
	fn, err := function(h)
	if err != nil {
		return nil, err
	}
	return func(w http.ResponseWriter, r *http.Request, ps handler.Params, res *handler.Result) error {
		return callFunction(fn, w, r, ps, res)
	}, nil
}

// Handle calls the function and keeps its response for writing.
func (Functional) Handle(w http.ResponseWriter, r *http.Request, h any, ps handler.Params, res *handler.Result) error {
	fn, err := function(h)
	if err != nil {
		return err
	}
	return callFunction(fn, w, r, ps, res)
}

func function(h any) (handler.Function, error) {
	switch h := h.(type) {
	case handler.Function:
		return h, nil
	case func(handler.Request) (*handler.Response, error):
		return h, nil
	}
	return nil, fmt.Errorf("adapter.Functional: unsupported handler %T", h)
}

func callFunction(fn handler.Function, w http.ResponseWriter, r *http.Request, ps handler.Params, res *handler.Result) error {
	resp, err := fn(handler.Request{Request: r, Params: ps})
	if err != nil {
		return err
	}
	if resp == nil {
		res.Status = http.StatusNoContent
		return nil
	}
	applyResponse(w, resp, res)
	return nil
}

// Typed runs typed handlers (handler.Typed): it binds and validates the
// input with Binder and keeps the output for writing.
type Typed struct {
	Binder handler.Binder
}

// Supports reports whether h is a typed handler.
func (Typed) Supports(h any) bool {
	_, ok := h.(handler.Invoker)
	return ok
}

// Check asks the binder, when it can tell, whether it can bind h's input
// type, so a handler with an unbindable input fails at startup.
func (t Typed) Check(h any) error {
	typed, ok := h.(interface{ InputType() reflect.Type })
	if !ok {
		return nil
	}
	c, ok := t.Binder.(interface{ Check(reflect.Type) error })
	if !ok {
		return nil
	}
	return c.Check(typed.InputType())
}

// UsesRequestState reports true: a typed handler's ctx is where it finds
// the route and the values interceptors set.
func (Typed) UsesRequestState(any) bool { return true }

// Handle binds, calls and keeps the output.
func (t Typed) Handle(w http.ResponseWriter, r *http.Request, h any, ps handler.Params, res *handler.Result) error {
	inv, ok := h.(handler.Invoker)
	if !ok {
		return fmt.Errorf("adapter.Typed: unsupported handler %T", h)
	}
	out, err := inv.Invoke(r, ps, t.Binder)
	if err != nil {
		return err
	}
	switch out := out.(type) {
	case *handler.Response:
		if out == nil {
			res.Status = http.StatusNoContent
			return nil
		}
		applyResponse(w, out, res)
	case *handler.ModelAndView:
		if out == nil {
			res.Status = http.StatusNoContent
			return nil
		}
		res.View = out
	default:
		res.Body = out
	}
	return nil
}

func applyResponse(w http.ResponseWriter, resp *handler.Response, res *handler.Result) {
	hdr := w.Header()
	for k, vs := range resp.Header {
		hdr[k] = append(hdr[k][:0:0], vs...)
	}
	res.Status = resp.Status
	res.Body = resp.Body
}

// setPathValues makes path variables readable through r.PathValue, the way
// net/http's own ServeMux does, for handler kinds that only see the request.
func setPathValues(r *http.Request, ps handler.Params) {
	for _, p := range ps {
		r.SetPathValue(p.Key, p.Value)
	}
}
