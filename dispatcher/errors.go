package dispatcher

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/portico-go/portico/handler"
)

// ExceptionResolver is Spring's HandlerExceptionResolver: it turns an error
// from an interceptor, a handler or a view into a response, or returns nil
// to leave it to the next resolver. Return handler.Result{Status: s, Body:
// someHandlerError} to answer in the framework's error shape; a Status set
// on the Result wins over the Error's own (0 keeps the Error's).
//
// Global resolvers (WithExceptionResolvers) also see the requests no route
// maps, as *NoHandlerFoundError and *MethodNotAllowedError, with a nil
// route; interceptors never run for those. The headers that describe a
// body (Content-Type, Content-Disposition, ...) are cleared before any
// resolver runs, so its answer is never labelled as the failed response.
type ExceptionResolver interface {
	ResolveException(r *http.Request, rt *handler.Route, err error) *handler.Result
}

// ResolverFunc adapts a function to ExceptionResolver.
type ResolverFunc func(r *http.Request, rt *handler.Route, err error) *handler.Result

// ResolveException calls f.
func (f ResolverFunc) ResolveException(r *http.Request, rt *handler.Route, err error) *handler.Result {
	return f(r, rt, err)
}

// HandleError returns a resolver for errors of type E, the @ExceptionHandler
// analogue: fn runs when errors.As finds an E in the error chain.
func HandleError[E error](fn func(r *http.Request, err E) *handler.Result) ExceptionResolver {
	return ResolverFunc(func(r *http.Request, _ *handler.Route, err error) *handler.Result {
		var target E
		if errors.As(err, &target) {
			return fn(r, target)
		}
		return nil
	})
}

// defaultResolve is the last resolver: errors that carry a status keep it,
// a body over the limit is 413, a timeout 503, and anything else is a 500
// whose details stay in the log.
func defaultResolve(err error) *handler.Error {
	var he *handler.Error
	if errors.As(err, &he) {
		return he
	}
	var se handler.StatusError
	if errors.As(err, &se) {
		e := handler.NewError(se.HTTPStatus(), http.StatusText(se.HTTPStatus()))
		if rs, ok := se.(interface{ Reason() string }); ok {
			e.Reason = rs.Reason()
		}
		if m, ok := se.(interface{ PublicMessage() string }); ok {
			e.Message = m.PublicMessage()
		}
		e.Err = err
		return e
	}
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &mb):
		return &handler.Error{Status: http.StatusRequestEntityTooLarge, Message: "request body too large", Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &handler.Error{Status: http.StatusServiceUnavailable, Message: "request timed out", Err: err}
	case errors.Is(err, context.Canceled):
		// nginx's "client closed request": the client is gone, the code
		// only shows in logs.
		return &handler.Error{Status: 499, Message: "client closed request", Err: err}
	}
	return &handler.Error{Status: http.StatusInternalServerError, Message: "internal server error", Err: err}
}

// asHandlerError returns err as a *handler.Error, with status when it is
// not one.
func asHandlerError(err error, status int) *handler.Error {
	var he *handler.Error
	if errors.As(err, &he) {
		return he
	}
	return &handler.Error{Status: status, Message: http.StatusText(status), Err: err}
}

// NoHandlerFoundError is the error a request that no route maps reaches
// the global exception resolvers with: Spring's NoHandlerFoundException.
// When no resolver answers it, the client gets 404 "not found".
type NoHandlerFoundError struct {
	Method string
	Path   string
}

func (e *NoHandlerFoundError) Error() string {
	return "no handler for " + e.Method + " " + e.Path
}

// HTTPStatus returns 404.
func (e *NoHandlerFoundError) HTTPStatus() int { return http.StatusNotFound }

// MethodNotAllowedError is the error a request whose path exists, but not
// for its method, reaches the global exception resolvers with: Spring's
// HttpRequestMethodNotSupportedException. The Allow header is already set
// on the response when a resolver sees it. When no resolver answers it,
// the client gets 405 "method not allowed".
type MethodNotAllowedError struct {
	Method string
	Path   string
	// Allow lists the methods the path supports, sorted.
	Allow []string
}

func (e *MethodNotAllowedError) Error() string {
	return "method " + e.Method + " not allowed for " + e.Path + " (allowed: " + strings.Join(e.Allow, ", ") + ")"
}

// HTTPStatus returns 405.
func (e *MethodNotAllowedError) HTTPStatus() int { return http.StatusMethodNotAllowed }

// ErrorRenderer writes a *handler.Error: the framework's one error shape.
type ErrorRenderer interface {
	RenderError(w http.ResponseWriter, r *http.Request, e *handler.Error)
}

// JSONErrors writes {"code": status, "message": "...", "reason": "...",
// "errors": [{"field": ..., "message": ...}]}, the shape of seed 001; reason
// and errors only when set.
type JSONErrors struct {
	// Data, when true, adds "data": null so errors share the
	// {code, message, data} envelope of an API's success responses.
	Data bool
}

type jsonError struct {
	Code    int                  `json:"code"`
	Message string               `json:"message"`
	Reason  string               `json:"reason,omitempty"`
	Errors  []handler.FieldError `json:"errors,omitempty"`

	// RequestID is the request's id when a request-id filter set one,
	// so a user's report can be matched to the logs.
	RequestID string `json:"requestId,omitempty"`
}

type jsonErrorData struct {
	jsonError
	Data *struct{} `json:"data"`
}

// RenderError writes e as JSON.
func (j JSONErrors) RenderError(w http.ResponseWriter, r *http.Request, e *handler.Error) {
	body := jsonError{Code: e.Status, Message: message(e), Reason: e.Reason, Errors: e.Fields}
	body.RequestID = handler.RequestID(r.Context())
	var v any = body
	if j.Data {
		v = jsonErrorData{jsonError: body}
	}
	writeJSON(w, "application/json", e.Status, v)
}

// ProblemErrors writes RFC 9457 application/problem+json, with reason and
// field errors as extension members.
type ProblemErrors struct{}

type problem struct {
	Type     string               `json:"type"`
	Title    string               `json:"title"`
	Status   int                  `json:"status"`
	Detail   string               `json:"detail,omitempty"`
	Instance string               `json:"instance,omitempty"`
	Reason   string               `json:"reason,omitempty"`
	Errors   []handler.FieldError `json:"errors,omitempty"`

	RequestID string `json:"requestId,omitempty"`
}

// RenderError writes e as a problem document.
func (ProblemErrors) RenderError(w http.ResponseWriter, r *http.Request, e *handler.Error) {
	writeJSON(w, "application/problem+json", e.Status, problem{
		Type: "about:blank", Title: http.StatusText(e.Status), Status: e.Status,
		Detail: message(e), Instance: r.URL.Path, Reason: e.Reason, Errors: e.Fields,
		RequestID: handler.RequestID(r.Context()),
	})
}

func message(e *handler.Error) string {
	if e.Message != "" {
		return e.Message
	}
	if t := http.StatusText(e.Status); t != "" {
		return t
	}
	return "error"
}

func writeJSON(w http.ResponseWriter, ct string, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"code":500,"message":"internal server error"}`)
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n')) //nolint:errcheck // the client went away
}
