package openapi

import (
	"fmt"

	"github.com/portico-go/portico/dispatcher"
)

// errorShape is the error body the dispatcher's renderer writes.
type errorShape struct {
	contentType string
	name        string
	schemas     map[string]*Schema
}

var fieldErrorSchema = &Schema{
	Type:       "object",
	Properties: map[string]*Schema{"field": {Type: "string"}, "message": {Type: "string"}},
	Required:   []string{"field", "message"},
}

// shapeOf describes renderer's error body. A renderer the generator does
// not know gets an open schema and a reason for every route.
func shapeOf(renderer dispatcher.ErrorRenderer) (errorShape, string) {
	fe := &Schema{Ref: "#/components/schemas/FieldError"}
	if n, ok := renderer.(dispatcher.NegotiatedErrors); ok {
		// API clients, which the document is for, get n.JSON; a browser's
		// HTML error page is not part of the API.
		renderer = n.JSON
		if renderer == nil {
			renderer = dispatcher.JSONErrors{}
		}
	}
	switch r := renderer.(type) {
	case dispatcher.JSONErrors:
		s := &Schema{
			Type: "object",
			Properties: map[string]*Schema{
				"code":    {Type: "integer", Description: "the HTTP status"},
				"message": {Type: "string"},
				"reason":  {Type: "string", Description: "a machine-readable cause, e.g. missing_token"},
				"errors":  {Type: "array", Items: fe},
			},
			Required: []string{"code", "message"},
		}
		if r.Data {
			s.Properties["data"] = &Schema{Type: "null"}
			s.Required = append(s.Required, "data")
		}
		return errorShape{contentType: "application/json", name: "Error", schemas: map[string]*Schema{"Error": s, "FieldError": fieldErrorSchema}}, ""
	case dispatcher.ProblemErrors:
		s := &Schema{
			Type:        "object",
			Description: "RFC 9457 problem details",
			Properties: map[string]*Schema{
				"type":     {Type: "string"},
				"title":    {Type: "string"},
				"status":   {Type: "integer"},
				"detail":   {Type: "string"},
				"instance": {Type: "string"},
				"reason":   {Type: "string", Description: "a machine-readable cause, e.g. missing_token"},
				"errors":   {Type: "array", Items: fe},
			},
			Required: []string{"type", "title", "status"},
		}
		return errorShape{contentType: "application/problem+json", name: "Problem", schemas: map[string]*Schema{"Problem": s, "FieldError": fieldErrorSchema}}, ""
	}
	return errorShape{contentType: "application/json", name: "Error", schemas: map[string]*Schema{"Error": {Description: "written by a custom error renderer"}}},
		fmt.Sprintf("error renderer %T is not one the generator knows; error bodies are left open", renderer)
}

// errorResponse adds a shared error response to op under status (0 for
// default), unless a route option documented that status already. reasons
// narrow the reason member.
func (g *generator) errorResponse(op *Operation, status int, name, desc string, reasons []string) {
	key := "default"
	if status != 0 {
		key = statusKey(status)
	}
	if _, ok := op.Responses[key]; ok {
		return
	}
	if _, ok := g.responses[name]; !ok {
		s := &Schema{Ref: "#/components/schemas/" + g.errShape.name}
		if len(reasons) > 0 {
			enum := make([]any, len(reasons))
			for i, r := range reasons {
				enum[i] = r
			}
			s = &Schema{AllOf: []*Schema{s, {Properties: map[string]*Schema{"reason": {Enum: enum}}, Required: []string{"reason"}}}}
		}
		g.responses[name] = &Response{Description: desc, Content: map[string]*MediaType{g.errShape.contentType: {Schema: s}}}
	}
	op.Responses[key] = &Response{Ref: "#/components/responses/" + name}
}
