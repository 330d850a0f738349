package interceptor

import (
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"strings"

	"github.com/portico-go/portico/handler"
)

// HandlerInterceptor is Spring's HandlerInterceptor.
//
// PreHandle runs before the handler, in chain order. Returning false stops
// the request: the handler does not run, and the response is whatever the
// interceptor wrote. Returning an error is handled like a handler error
// (exception resolvers answer it). An interceptor may attach request-scoped
// values with handler.SetValue or a handler.Key.
//
// PostHandle runs in reverse order after the handler succeeded and before
// the result is written; it may change res, or the headers through w.
//
// AfterCompletion runs in reverse order after the response is written, for
// every interceptor whose PreHandle returned true, with the error the
// request failed with (even when a resolver answered it), or nil.
type HandlerInterceptor interface {
	PreHandle(w http.ResponseWriter, r *http.Request, rt *handler.Route) (bool, error)
	PostHandle(w http.ResponseWriter, r *http.Request, rt *handler.Route, res *handler.Result) error
	AfterCompletion(w http.ResponseWriter, r *http.Request, rt *handler.Route, err error)
}

// Funcs builds a HandlerInterceptor from functions; nil ones do nothing
// (and a nil Pre lets every request through), so an interceptor only
// spells out the hooks it needs, as Spring's default methods allow.
type Funcs struct {
	// Name names the interceptor in route tables and logs; empty means
	// the name of its first function (Pre, else Post, else After), such
	// as "main.modelTime.func1".
	Name string
	// Stateless declares that the hooks neither read nor set
	// request-scoped values (handler.Key, SetValue, RouteOf): the routes
	// they guard then need no request scope for them, which saves the
	// request copy (see handler.StateUser). Leave it false when unsure; a
	// value set without a scope is lost.
	Stateless bool
	Pre       func(w http.ResponseWriter, r *http.Request, rt *handler.Route) (bool, error)
	Post      func(w http.ResponseWriter, r *http.Request, rt *handler.Route, res *handler.Result) error
	After     func(w http.ResponseWriter, r *http.Request, rt *handler.Route, err error)
}

// UsesRequestState implements handler.StateUser: true unless f is
// Stateless.
func (f Funcs) UsesRequestState() bool { return !f.Stateless }

// name returns f.Name, or the name of f's first function. It is not a
// method in the interface sense: a type embedding Funcs for its default
// hooks keeps its own type name.
func (f Funcs) name() string {
	if f.Name != "" {
		return f.Name
	}
	for _, fn := range []any{f.Pre, f.Post, f.After} {
		v := reflect.ValueOf(fn)
		if v.IsNil() {
			continue
		}
		if rf := runtime.FuncForPC(v.Pointer()); rf != nil {
			name := strings.TrimSuffix(rf.Name(), "-fm")
			return name[strings.LastIndexByte(name, '/')+1:]
		}
	}
	return "interceptor.Funcs"
}

// NameOf names ic for route tables and logs: for a Funcs, its Name or the
// name of its first function; for anything else, its type as fmt's %T
// prints it.
func NameOf(ic HandlerInterceptor) string {
	switch f := ic.(type) {
	case Funcs:
		return f.name()
	case *Funcs:
		if f != nil {
			return f.name()
		}
	}
	return fmt.Sprintf("%T", ic)
}

// PreHandle calls f.Pre.
func (f Funcs) PreHandle(w http.ResponseWriter, r *http.Request, rt *handler.Route) (bool, error) {
	if f.Pre == nil {
		return true, nil
	}
	return f.Pre(w, r, rt)
}

// PostHandle calls f.Post.
func (f Funcs) PostHandle(w http.ResponseWriter, r *http.Request, rt *handler.Route, res *handler.Result) error {
	if f.Post == nil {
		return nil
	}
	return f.Post(w, r, rt, res)
}

// AfterCompletion calls f.After.
func (f Funcs) AfterCompletion(w http.ResponseWriter, r *http.Request, rt *handler.Route, err error) {
	if f.After != nil {
		f.After(w, r, rt, err)
	}
}
