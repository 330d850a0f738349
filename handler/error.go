package handler

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an error with an HTTP status and a message safe to show the
// client. The dispatcher renders it in the framework's one error shape
// (by default {"code": status, "message": ...}, plus "reason" and field
// errors when set). The wrapped cause is logged, never sent.
type Error struct {
	// Status is the HTTP status, e.g. 404. A status outside 400-599 (0
	// included, as in &Error{Message: "oops"}) is not an error status: the
	// dispatcher answers 500 and logs why.
	Status int
	// Message is shown to the client.
	Message string
	// Reason is an optional machine-readable code, e.g. "missing_token".
	Reason string
	// Fields lists binding or validation failures, one per field.
	Fields []FieldError
	// Header holds headers to send with the error, e.g. Allow or
	// Retry-After. They are added after the dispatcher has removed the
	// headers that described the failed response's body.
	Header http.Header
	// Err is the underlying cause, for logs and errors.Is.
	Err error
}

// FieldError names one field that failed binding or validation.
type FieldError struct {
	// Field is the field's name as the client sent it (JSON name, query
	// or path variable name).
	Field string `json:"field"`
	// Message says what is wrong with it.
	Message string `json:"message"`
}

// NewError returns an *Error with status and message.
func NewError(status int, message string) *Error {
	return &Error{Status: status, Message: message}
}

// Errorf returns an *Error with status and a formatted message. A %w verb
// wraps the cause as with fmt.Errorf; the cause's text still becomes part
// of the message, so use it only with client-safe causes.
func Errorf(status int, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Status: status, Message: err.Error(), Err: errors.Unwrap(err)}
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	if e.Err != nil {
		return fmt.Sprintf("%d %s: %v", e.Status, msg, e.Err)
	}
	return fmt.Sprintf("%d %s", e.Status, msg)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// HTTPStatus returns the status, so *Error satisfies the StatusError
// interface the dispatcher's resolvers look for.
func (e *Error) HTTPStatus() int { return e.Status }

// Is reports whether target is an *Error with the same status and message
// and no cause, so sentinels like ErrNotFound match wrapped copies.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Err == nil && t.Status == e.Status && t.Message == e.Message && t.Reason == e.Reason
}

// StatusError is implemented by errors that know their HTTP status. The
// dispatcher's resolvers answer any error in the chain that implements it
// with that status.
type StatusError interface {
	error
	HTTPStatus() int
}

// Sentinel errors handlers wrap to choose a status:
// fmt.Errorf("book %d: %w", id, handler.ErrNotFound).
var (
	ErrNotFound   = NewError(http.StatusNotFound, "not found")
	ErrBadRequest = NewError(http.StatusBadRequest, "bad request")
	ErrForbidden  = NewError(http.StatusForbidden, "forbidden")
	ErrConflict   = NewError(http.StatusConflict, "conflict")
)

// PanicError is the error a recovered panic becomes, so exception resolvers
// and AfterCompletion see it like any other error.
type PanicError struct {
	// Value is what was passed to panic.
	Value any
	// Stack is the goroutine's stack at the panic.
	Stack []byte
}

func (p *PanicError) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// Unwrap returns Value when it is an error, so errors.Is sees through.
func (p *PanicError) Unwrap() error {
	if err, ok := p.Value.(error); ok {
		return err
	}
	return nil
}
