package handler

import "net/http"

// Result is what a handler produced, held by the dispatcher until every
// PostHandle has run. Because the dispatcher (not the handler) writes it,
// a PostHandle can still change the status, the headers (through the
// ResponseWriter), the model or the body — unlike Spring, where a
// @ResponseBody is committed before postHandle.
//
// A Result is owned by the dispatcher and valid only during the request.
//
// The status rule, one for every kind of result:
//   - a view result (View set) answers View.Status when set, else Status,
//     else 200 (302 for a "redirect:" view), read when the view is
//     rendered, after every PostHandle, whether or not the view writes a
//     body;
//   - an *Error body answers Status when set, else the Error's own status;
//   - any other body answers Status when set, else 200, or 204 No Content
//     for an Empty body.
//
// A status that is not a valid final status (0 where a status is needed,
// below 200, above 599; below 400 for an *Error) answers 500 and is logged.
type Result struct {
	// Status is the HTTP status to write; 0 means the default above.
	Status int
	// Body is written as JSON unless it is a []byte, a string, an *Error
	// (rendered in the framework's error shape) or Empty (204, no body).
	// Nil writes no body.
	Body any
	// View, when set, is rendered by the dispatcher's ViewResolver and wins
	// over Body.
	View *ModelAndView
	// Committed reports that the handler wrote the response itself (a raw
	// http.Handler); the dispatcher then writes nothing.
	Committed bool
}

// Reset clears r for reuse.
func (r *Result) Reset() { *r = Result{} }

// ModelAndView is Spring's ModelAndView: a view name and the model the view
// renders. A view name starting with "redirect:" answers a redirect to the
// rest of the name instead of rendering.
type ModelAndView struct {
	// View is the view's name, resolved by the dispatcher's ViewResolver.
	View string
	// Model holds the values the view renders.
	Model map[string]any
	// Status is the response status; it wins over Result.Status and may
	// be changed up to the last PostHandle (see Result).
	Status int
}

// NewModelAndView returns a ModelAndView for view with an empty model.
func NewModelAndView(view string) *ModelAndView {
	return &ModelAndView{View: view, Model: map[string]any{}}
}

// AddObject puts value into the model under name and returns mv, so calls
// chain.
func (mv *ModelAndView) AddObject(name string, value any) *ModelAndView {
	if mv.Model == nil {
		mv.Model = map[string]any{}
	}
	mv.Model[name] = value
	return mv
}

// Response is Spring's ResponseEntity: a status, headers and a body. Typed
// and functional handlers return one when they need more than a JSON body.
type Response struct {
	Status int
	Header http.Header
	Body   any
}

// NewResponse returns a Response with status and body.
func NewResponse(status int, body any) *Response {
	return &Response{Status: status, Body: body}
}

// Redirect returns a Response that redirects to url with code (302 when
// code is 0). Build url from trusted values: the dispatcher refuses targets
// that would leave the site by protocol-relative tricks ("//evil.com",
// "/\evil.com") unless they are absolute URLs the handler chose on purpose.
func Redirect(url string, code int) *Response {
	if code == 0 {
		code = http.StatusFound
	}
	return &Response{Status: code, Header: http.Header{"Location": {url}}}
}

// StatusOf returns the status written to w so far, or 0 while nothing is
// written or when w does not come from the dispatcher: the plain accessor
// an AfterCompletion wants. It looks through writers that wrap the
// dispatcher's (anything with an Unwrap() http.ResponseWriter method).
func StatusOf(w http.ResponseWriter) int {
	for range 32 {
		if rw, ok := w.(ResponseWriter); ok {
			return rw.Status()
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return 0
		}
		w = u.Unwrap()
	}
	return 0
}

// ResponseWriter is implemented by the writer the dispatcher passes to
// interceptors and handlers; it reports what has been written so far.
type ResponseWriter interface {
	http.ResponseWriter
	// Status is the status written, or 0 while nothing is written.
	Status() int
	// BytesWritten counts body bytes written.
	BytesWritten() int64
	// Committed reports whether the header has been sent.
	Committed() bool
}
