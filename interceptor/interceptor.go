package interceptor

import (
	"net/http"

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
	Pre   func(w http.ResponseWriter, r *http.Request, rt *handler.Route) (bool, error)
	Post  func(w http.ResponseWriter, r *http.Request, rt *handler.Route, res *handler.Result) error
	After func(w http.ResponseWriter, r *http.Request, rt *handler.Route, err error)
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
