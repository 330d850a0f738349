package openapi

import (
	"fmt"
	"reflect"
	"strings"
)

// bindingTags are the binder's source tags; a field with one is not read
// from the JSON body.
var bindingTags = []string{"path", "query", "header"}

func bindingSource(f reflect.StructField) (in, name string) {
	for _, t := range bindingTags {
		if v, ok := f.Tag.Lookup(t); ok {
			return t, v
		}
	}
	return "", ""
}

// inputStruct is the struct a typed input binds into, or nil.
func inputStruct(in reflect.Type) reflect.Type {
	if in.Kind() == reflect.Pointer {
		in = in.Elem()
	}
	if in.Kind() != reflect.Struct {
		return nil
	}
	return in
}

// boundFields walks t's fields the way the binder does: top-level and
// embedded-by-value fields.
func boundFields(t reflect.Type, fn func(reflect.StructField)) {
	for i := range t.NumField() {
		f := t.Field(i)
		if in, _ := bindingSource(f); in != "" {
			fn(f)
			continue
		}
		if _, ok := f.Tag.Lookup("form"); ok {
			fn(f)
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			boundFields(f.Type, fn)
		}
	}
}

// inputParams lists the path, query and header parameters of a typed
// input.
func (g *generator) inputParams(in reflect.Type, note func(string)) []*Parameter {
	st := inputStruct(in)
	if st == nil {
		return nil
	}
	var out []*Parameter
	boundFields(st, func(f reflect.StructField) {
		where, name := bindingSource(f)
		if where == "" {
			return
		}
		fnote := func(s string) { note(fmt.Sprintf("%s %q: %s", where, name, s)) }
		rs, err := parseValidate(f.Tag.Get("validate"))
		if err != nil {
			fnote(err.Error())
		}
		s := g.r.schema(f.Type, input, fnote)
		s = applyRules(s, f.Type, rs, fnote)
		if rs.required {
			s = requiredNotNull(s, f.Type)
		}
		out = append(out, &Parameter{Name: name, In: where, Required: rs.required || where == "path", Schema: s, Description: f.Tag.Get("doc")})
	})
	return out
}

// inputBody is the request body a typed input reads, or nil when it reads
// none.
func (g *generator) inputBody(in reflect.Type, note func(string)) *RequestBody {
	if in == emptyType {
		return nil
	}
	st := inputStruct(in)
	if st == nil {
		// Slices, maps and scalars come from the body alone.
		return &RequestBody{Content: map[string]*MediaType{"application/json": {Schema: g.r.schema(in, input, note)}}}
	}
	rb := &RequestBody{Content: map[string]*MediaType{}}
	// A field tagged body takes the whole body.
	for i := range st.NumField() {
		f := st.Field(i)
		if _, ok := f.Tag.Lookup("body"); ok {
			rs, err := parseValidate(f.Tag.Get("validate"))
			if err != nil {
				note(err.Error())
			}
			s := applyRules(g.r.schema(f.Type, input, note), f.Type, rs, note)
			if rs.required {
				s = requiredNotNull(s, f.Type)
			}
			rb.Required = rs.required
			rb.Content["application/json"] = &MediaType{Schema: s}
			return rb
		}
	}
	hasParams, hasForm := false, false
	boundFields(st, func(f reflect.StructField) {
		if in, _ := bindingSource(f); in != "" {
			hasParams = true
		} else {
			hasForm = true
		}
	})
	fields := jsonFields(st, func(f reflect.StructField) bool { in, _ := bindingSource(f); return in != "" })
	if len(fields) > 0 {
		var s *Schema
		if hasParams || st.Name() == "" {
			s = g.r.objectOf(st, input, note, func(f reflect.StructField) bool { in, _ := bindingSource(f); return in != "" })
		} else {
			s = g.r.schema(st, input, note)
		}
		rb.Content["application/json"] = &MediaType{Schema: s}
		for _, f := range fields {
			rs, _ := parseValidate(f.field.Tag.Get("validate"))
			rb.Required = rb.Required || rs.required && !f.optional
		}
	}
	if hasForm {
		rb.Content["application/x-www-form-urlencoded"] = &MediaType{Schema: g.formSchema(st, note)}
	}
	if len(rb.Content) == 0 {
		return nil
	}
	return rb
}

// formSchema is the object of a struct's form-tagged fields.
func (g *generator) formSchema(st reflect.Type, note func(string)) *Schema {
	s := &Schema{Type: "object", Properties: map[string]*Schema{}}
	boundFields(st, func(f reflect.StructField) {
		name, ok := f.Tag.Lookup("form")
		if !ok {
			return
		}
		rs, err := parseValidate(f.Tag.Get("validate"))
		if err != nil {
			note(err.Error())
		}
		s.Properties[name] = applyRules(g.r.schema(f.Type, input, note), f.Type, rs, note)
		if rs.required {
			s.Required = append(s.Required, name)
		}
	})
	return s
}

// optionBody is the body a RequestBody or FormBody option documents.
func (g *generator) optionBody(b requestBody, note func(string)) *RequestBody {
	var s *Schema
	if strings.HasSuffix(b.contentType, "x-www-form-urlencoded") {
		if st := inputStruct(b.t); st != nil {
			s = g.formSchema(st, note)
		}
	} else {
		s = g.r.schema(b.t, input, note)
	}
	return &RequestBody{Required: b.required, Content: map[string]*MediaType{b.contentType: {Schema: s}}}
}
