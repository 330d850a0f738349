// Package binding fills the input of a typed handler from the request, the
// way Spring's @PathVariable, @RequestParam, @RequestHeader, @RequestBody
// and @Valid do, and implements handler.Binder.
//
// # Sources
//
// The input is a struct whose fields say where they come from:
//
//	type UpdateBook struct {
//		ID      int64    `path:"id"`
//		DryRun  bool     `query:"dry_run"`
//		Tags    []string `query:"tag"`            // ?tag=a&tag=b
//		TraceID string   `header:"X-Request-Id"`
//		Title   string   `json:"title" validate:"required,max=200"`
//		Year    *int     `json:"year" validate:"omitempty,min=1450"`
//	}
//
// A request body is read for every method but GET, HEAD, OPTIONS, TRACE and
// CONNECT. A JSON body (Content-Type application/json or application/*+json,
// parameters such as charset allowed) is decoded into the whole struct with
// encoding/json, so untagged and json-tagged fields come from it. Fields
// tagged path, query or header are filled after decoding and never from the
// body, even when the body has a key that matches them: the URL and the
// headers cannot be overridden by a client-controlled document.
//
// When the body is not a JSON object, tag one field `body:""`; the body is
// decoded into that field alone:
//
//	type ImportBooks struct {
//		Shelf string `path:"shelf"`
//		Books []Book `body:""`
//	}
//
// Fields tagged form are filled from an application/x-www-form-urlencoded
// body. They may also carry a json tag, so one struct can accept either a
// form or a JSON post.
//
// A body of any other type, and a non-empty body without a Content-Type,
// is answered 415: guessing the format of a body invites confusion attacks.
// An empty body is no body, whatever the headers say. Multipart bodies are
// not bound; read them from the *http.Request in a Controller.
//
// # Conversions
//
// Path, query, header and form values convert to strings, integers and
// unsigned integers of every size, floats, bools, time.Duration,
// time.Time (RFC 3339), any type whose pointer implements
// encoding.TextUnmarshaler, pointers to these (nil when the value is absent)
// and slices of these (one element per repeated query parameter, form value
// or header line). An absent value leaves the zero value; so does an empty
// one, for every type but strings, because HTML forms send empty inputs.
//
// # Errors
//
// Bind returns *handler.Error values only: 400 with one handler.FieldError
// per offending field (named as the client spelled it: the JSON name for body
// fields, the path, query, header or form name otherwise) when a value does
// not convert, the JSON is malformed or mistyped, or validation fails; 413
// when the body exceeds the limit (MaxBodySize); 415 for a body that is
// neither JSON nor an expected form. When a value fails to convert,
// validation does not run, since it would report the same fields again.
//
// # Validation
//
// After binding, struct inputs are validated with
// github.com/go-playground/validator/v10 `validate` tags. Nested structs are
// validated too; slices of structs need the dive tag.
//
// # Registration-time checks
//
// Binders compute a plan per input type once and cache it. Check builds
// the plan eagerly so that the adapter can refuse, at startup, an input
// type whose tags are wrong or whose field types cannot be converted,
// naming the type and the field.
package binding
