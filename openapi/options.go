package openapi

import (
	"reflect"
	"strconv"

	"github.com/portico-go/portico/handler"
)

// The functions below return route metadata describing an operation,
// attached with dispatcher.WithMeta; they stand in for springdoc's
// annotations:
//
//	d.GET("/book/{id}", get, dispatcher.WithMeta(
//		openapi.Summary("Get a book"),
//		openapi.Tags("books"),
//		openapi.Returns[Book](http.StatusOK, "the book"),
//	))

type summary string
type description string
type tags []string
type deprecated struct{}
type hidden struct{}
type noBody struct{}
type readsRequest string
type operationID string

// requestBody is the body a route reads, for handlers without types.
type requestBody struct {
	t           reflect.Type
	contentType string
	required    bool
}

// response is one documented response.
type response struct {
	status      int
	t           reflect.Type
	contentType string
	description string
	isError     bool
}

// parameter is one documented parameter, for handlers without types.
type parameter struct {
	in, name, description string
	t                     reflect.Type
	required              bool
}

// Summary sets the operation's summary (@Operation(summary)).
func Summary(s string) any { return summary(s) }

// Description sets the operation's description (@Operation(description)).
func Description(s string) any { return description(s) }

// Tags sets the operation's tags (@Tag), replacing the tag derived from
// the path.
func Tags(t ...string) any { return tags(t) }

// Deprecated marks the operation deprecated (@Deprecated).
func Deprecated() any { return deprecated{} }

// Hidden leaves the route out of the document (@Hidden).
func Hidden() any { return hidden{} }

// OperationID overrides the operation id, by default the route's name.
func OperationID(id string) any { return operationID(id) }

// Body documents the JSON body a handler without types reads
// (@RequestBody); T's schema is derived as for typed handlers.
func Body[T any](required bool) any {
	return requestBody{t: reflect.TypeFor[T](), contentType: "application/json", required: required}
}

// NoBody says that a handler without types reads no request body, so a
// POST, PUT, PATCH or DELETE route is not reported for an undocumented one.
func NoBody() any { return noBody{} }

// FormBody documents an application/x-www-form-urlencoded body with T's
// form-tagged fields.
func FormBody[T any]() any {
	return requestBody{t: reflect.TypeFor[T](), contentType: "application/x-www-form-urlencoded", required: true}
}

// Returns documents a JSON response with T's schema for status
// (@ApiResponse). For a typed handler it replaces the response derived
// from the output type for that status; use it when the handler returns a
// *handler.Response or a status other than 200.
func Returns[T any](status int, desc string) any {
	return response{status: status, t: reflect.TypeFor[T](), contentType: "application/json", description: desc}
}

// ReturnsContent documents a response of another media type (an HTML
// page, a file) with no schema; an empty content type documents a response
// without a body, such as 204 or a redirect.
func ReturnsContent(status int, contentType, desc string) any {
	return response{status: status, contentType: contentType, description: desc}
}

// ReturnsError documents an error response the handler answers (for
// example 404 or 409), in the error shape the dispatcher writes.
func ReturnsError(status int, desc string) any {
	return response{status: status, description: desc, isError: true}
}

// ReadsRequest says what a typed input's FromRequest (handler.RequestReader)
// takes from the request when that is nothing a client must send beyond
// the documented parameters and body: the peer address for a limiter, say.
// Without it such a route is reported as not fully described, since the
// generator cannot see what FromRequest reads.
func ReadsRequest(what string) any { return readsRequest(what) }

// Param documents a query, header or path parameter a handler without
// types reads (@Parameter); in is "query", "header" or "path".
func Param[T any](in, name, desc string, required bool) any {
	return parameter{in: in, name: name, description: desc, t: reflect.TypeFor[T](), required: required}
}

// opMeta is everything the route options say about one route.
type opMeta struct {
	summary, description, operationID string
	tags                              []string
	deprecated, hidden                bool
	body                              *requestBody
	responses                         []response
	params                            []parameter
	// describes reports that the options document the request and the
	// responses, so a handler without types counts as fully described.
	describesBody, describesResponse bool
	// readsRequest is what a RequestReader input takes from the request,
	// as the route's options declare it.
	readsRequest string
}

func readMeta(rt *handler.Route) opMeta {
	var m opMeta
	for _, v := range rt.Meta {
		switch v := v.(type) {
		case summary:
			m.summary = string(v)
		case description:
			m.description = string(v)
		case tags:
			m.tags = append(m.tags, v...)
		case deprecated:
			m.deprecated = true
		case hidden:
			m.hidden = true
		case noBody:
			m.describesBody = true
		case readsRequest:
			m.readsRequest = string(v)
		case operationID:
			m.operationID = string(v)
		case requestBody:
			m.body = &v
			m.describesBody = true
		case response:
			m.responses = append(m.responses, v)
			m.describesResponse = true
		case parameter:
			m.params = append(m.params, v)
		}
	}
	return m
}

func statusKey(s int) string { return strconv.Itoa(s) }
