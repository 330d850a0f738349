package handler

import "net/http"

// Result is what a handler produced, held by the dispatcher until every
// PostHandle has run. Because the dispatcher (not the handler) writes it,
// a PostHandle can still change the status, the headers (through the
// ResponseWriter), the model or the body — unlike Spring, where a
// @ResponseBody is committed before postHandle.
//
// A Result is owned by the dispatcher and valid only during the request.
type Result struct {
	// Status is the HTTP status to write; 0 means 200.
	Status int
	// Body is written as JSON unless it is a []byte, a string or an *Error
	// (rendered in the framework's error shape). Nil writes no body.
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
	View   string
	Model  map[string]any
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
