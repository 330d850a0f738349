package handler

import (
	"context"
	"net/http"
	"reflect"
)

// Controller is Spring's Controller interface: it handles a request and
// returns the ModelAndView to render, or nil when it wrote the response.
// Path variables are available through r.PathValue.
type Controller interface {
	HandleRequest(w http.ResponseWriter, r *http.Request) (*ModelAndView, error)
}

// ControllerFunc adapts a function to Controller.
type ControllerFunc func(w http.ResponseWriter, r *http.Request) (*ModelAndView, error)

// HandleRequest calls f.
func (f ControllerFunc) HandleRequest(w http.ResponseWriter, r *http.Request) (*ModelAndView, error) {
	return f(w, r)
}

// Request is what a functional handler receives: the *http.Request and the
// route's path variables.
type Request struct {
	*http.Request
	Params Params
}

// Param returns the path variable called name.
func (r Request) Param(name string) string { return r.Params.ByName(name) }

// Query returns the first query value called name.
func (r Request) Query(name string) string { return r.URL.Query().Get(name) }

// Function is Spring's HandlerFunction: a request in, a response out.
// Returning a nil *Response answers 204 No Content.
type Function func(r Request) (*Response, error)

// Binder fills a typed handler's input from a request. The dispatcher's
// binding adapter supplies it.
type Binder interface {
	Bind(r *http.Request, ps Params, dst any) error
}

// Invoker is implemented by typed handlers (see Typed): the adapter hands it
// a Binder, it binds its input, calls the function and returns the output.
type Invoker interface {
	Invoke(r *http.Request, ps Params, b Binder) (any, error)
}

// TypedFunc is a typed handler: its input is bound from the request (path
// variables, query, headers and a JSON body) and validated; its output is
// written as JSON, or as a ModelAndView / *Response when it is one.
type TypedFunc[In, Out any] func(ctx context.Context, in In) (Out, error)

// Typed wraps fn so it can be registered as a handler.
func Typed[In, Out any](fn func(ctx context.Context, in In) (Out, error)) TypedFunc[In, Out] {
	return fn
}

// RequestReader is implemented by typed-handler inputs that need more of
// the request than tags can bind, such as the client address or a cookie:
// after binding, the adapter calls FromRequest on *In. An error it returns
// is answered like a binding error (return a *Error to choose the status).
type RequestReader interface {
	FromRequest(r *http.Request) error
}

// Invoke binds In, calls f and returns its output.
func (f TypedFunc[In, Out]) Invoke(r *http.Request, ps Params, b Binder) (any, error) {
	var in In
	if err := b.Bind(r, ps, &in); err != nil {
		return nil, err
	}
	if rr, ok := any(&in).(RequestReader); ok {
		if err := rr.FromRequest(r); err != nil {
			return nil, err
		}
	}
	return f(r.Context(), in)
}

// InputType returns In's type, so an adapter can check at registration that
// it knows how to bind it.
func (f TypedFunc[In, Out]) InputType() reflect.Type {
	return reflect.TypeFor[In]()
}

// Empty is an input type for typed handlers that bind nothing; as an
// output it answers 204 No Content with no body.
type Empty struct{}
