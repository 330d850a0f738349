package openapi

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"
)

// Schema is a JSON Schema 2020-12 object as OpenAPI 3.1 uses it. Only the
// keywords the generator emits are fields.
type Schema struct {
	Ref                  string             `json:"$ref,omitempty"`
	Type                 any                `json:"type,omitempty"` // a string, or a list of them
	Format               string             `json:"format,omitempty"`
	Description          string             `json:"description,omitempty"`
	Properties           map[string]*Schema `json:"properties,omitempty"`
	Required             []string           `json:"required,omitempty"`
	Items                *Schema            `json:"items,omitempty"`
	PropertyNames        *Schema            `json:"propertyNames,omitempty"`
	AdditionalProperties *Schema            `json:"additionalProperties,omitempty"`
	Enum                 []any              `json:"enum,omitempty"`
	Const                any                `json:"const,omitempty"`
	Minimum              *float64           `json:"minimum,omitempty"`
	Maximum              *float64           `json:"maximum,omitempty"`
	ExclusiveMinimum     *float64           `json:"exclusiveMinimum,omitempty"`
	ExclusiveMaximum     *float64           `json:"exclusiveMaximum,omitempty"`
	MinLength            *int               `json:"minLength,omitempty"`
	MaxLength            *int               `json:"maxLength,omitempty"`
	MinItems             *int               `json:"minItems,omitempty"`
	MaxItems             *int               `json:"maxItems,omitempty"`
	MinProperties        *int               `json:"minProperties,omitempty"`
	MaxProperties        *int               `json:"maxProperties,omitempty"`
	Pattern              string             `json:"pattern,omitempty"`
	ContentEncoding      string             `json:"contentEncoding,omitempty"`
	AnyOf                []*Schema          `json:"anyOf,omitempty"`
	AllOf                []*Schema          `json:"allOf,omitempty"`
	Deprecated           bool               `json:"deprecated,omitempty"`

	// key, when set, makes this schema a reference to a component whose
	// name is chosen once every type is known (see reflector.finish).
	key *typeKey
}

// mode says which side of the exchange a schema describes: a request field
// is required when validation requires it, a response field when it is
// always written (no omitempty).
type mode uint8

const (
	output mode = iota
	input
)

type typeKey struct {
	t    reflect.Type
	mode mode
}

// reflector turns Go types into schemas, collecting named struct types as
// components.
type reflector struct {
	schemas map[typeKey]*Schema // component bodies, nil while being built
	order   []typeKey
	refs    []*Schema
	// notes collects what could not be expressed, per type, so the routes
	// using those types are reported.
	notes map[reflect.Type][]string
}

func newReflector() *reflector {
	return &reflector{schemas: map[typeKey]*Schema{}, notes: map[reflect.Type][]string{}}
}

var (
	timeType       = reflect.TypeFor[time.Time]()
	durationType   = reflect.TypeFor[time.Duration]()
	textMarshaler  = reflect.TypeFor[encoding.TextMarshaler]()
	jsonMarshaler  = reflect.TypeFor[json.Marshaler]()
	rawMessageType = reflect.TypeFor[json.RawMessage]()
	emptyInterface = reflect.TypeFor[any]()
)

// schema returns the schema for t. Named struct types become references to
// components; note reports what the schema cannot say about t.
func (r *reflector) schema(t reflect.Type, m mode, note func(string)) *Schema {
	if t.Kind() == reflect.Pointer {
		return nullable(r.schema(t.Elem(), m, note))
	}
	switch {
	case t == timeType:
		return &Schema{Type: "string", Format: "date-time"}
	case t == durationType:
		return &Schema{Type: "integer", Format: "int64", Description: "nanoseconds"}
	case t == rawMessageType:
		return &Schema{}
	case implements(t, jsonMarshaler):
		note(fmt.Sprintf("%v has its own MarshalJSON; its schema is left open", t))
		return &Schema{}
	case implements(t, textMarshaler):
		return &Schema{Type: "string"}
	}
	switch t.Kind() {
	case reflect.Bool:
		return &Schema{Type: "boolean"}
	case reflect.Int, reflect.Int64:
		return &Schema{Type: "integer", Format: "int64"}
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return &Schema{Type: "integer", Format: "int32"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return &Schema{Type: "integer", Minimum: ptr(0.0)}
	case reflect.Float32:
		return &Schema{Type: "number", Format: "float"}
	case reflect.Float64:
		return &Schema{Type: "number", Format: "double"}
	case reflect.String:
		return &Schema{Type: "string"}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && !implements(t.Elem(), jsonMarshaler) && !implements(t.Elem(), textMarshaler) {
			return &Schema{Type: "string", ContentEncoding: "base64"}
		}
		// A nil slice is written as null.
		s := &Schema{Type: []string{"array", "null"}, Items: r.schema(t.Elem(), m, note)}
		return s
	case reflect.Array:
		n := t.Len()
		return &Schema{Type: "array", Items: r.schema(t.Elem(), m, note), MinItems: &n, MaxItems: &n}
	case reflect.Map:
		k := t.Key()
		switch {
		case k.Kind() == reflect.String, implements(k, textMarshaler):
			return &Schema{Type: []string{"object", "null"}, AdditionalProperties: r.schema(t.Elem(), m, note)}
		case k.Kind() >= reflect.Int && k.Kind() <= reflect.Uintptr:
			return &Schema{Type: []string{"object", "null"}, PropertyNames: &Schema{Pattern: `^-?[0-9]+$`}, AdditionalProperties: r.schema(t.Elem(), m, note)}
		}
		note(fmt.Sprintf("%v: map keys of kind %v do not encode as JSON", t, k.Kind()))
		return &Schema{}
	case reflect.Interface:
		if t != emptyInterface {
			note(fmt.Sprintf("%v is an interface; its schema is left open", t))
		}
		return &Schema{}
	case reflect.Struct:
		if t.Name() == "" {
			return r.object(t, m, note)
		}
		key := typeKey{t, m}
		if _, seen := r.schemas[key]; !seen {
			r.schemas[key] = nil // a recursive reference stops here
			r.order = append(r.order, key)
			r.schemas[key] = r.object(t, m, func(s string) { r.notes[t] = append(r.notes[t], s) })
		}
		for _, n := range r.notes[t] {
			note(n)
		}
		ref := &Schema{key: &key}
		r.refs = append(r.refs, ref)
		return ref
	}
	note(fmt.Sprintf("%v: %v values do not encode as JSON", t, t.Kind()))
	return &Schema{}
}

func implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(iface)
}

func ptr[T any](v T) *T { return &v }

// nullable lets s also be null, the 3.1 way: a type list, or anyOf for a
// reference.
func nullable(s *Schema) *Schema {
	switch typ := s.Type.(type) {
	case string:
		s.Type = []string{typ, "null"}
		return s
	case []string:
		for _, t := range typ {
			if t == "null" {
				return s
			}
		}
		s.Type = append(typ, "null")
		return s
	}
	if s.Ref == "" && s.key == nil && s.AnyOf == nil {
		return s // already open: any value, null included
	}
	return &Schema{AnyOf: []*Schema{s, {Type: "null"}}}
}

// jsonField is one field as encoding/json sees it.
type jsonField struct {
	name      string
	field     reflect.StructField
	omitEmpty bool
	asString  bool
	depth     int
	// optional is set for fields promoted through an embedded pointer,
	// which disappear when the pointer is nil.
	optional bool
}

// jsonFields lists t's fields the way encoding/json encodes them: exported
// fields by their json name, embedded structs flattened, a shallower field
// hiding deeper ones of the same name. skip drops fields (the binding's
// path, query and header fields).
func jsonFields(t reflect.Type, skip func(reflect.StructField) bool) []jsonField {
	var out []jsonField
	byName := map[string]int{}
	var walk func(t reflect.Type, depth int, optional bool, seen map[reflect.Type]bool)
	walk = func(t reflect.Type, depth int, optional bool, seen map[reflect.Type]bool) {
		if seen[t] {
			return
		}
		seen[t] = true
		defer delete(seen, t)
		for i := range t.NumField() {
			f := t.Field(i)
			tag, hasTag := f.Tag.Lookup("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" {
				ft := f.Type
				ptrEmbed := ft.Kind() == reflect.Pointer
				if ptrEmbed {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft, depth+1, optional || ptrEmbed, seen)
					continue
				}
			}
			if !f.IsExported() || skip != nil && skip(f) {
				continue
			}
			if name == "" || !hasTag {
				name = f.Name
			}
			jf := jsonField{name: name, field: f, depth: depth, optional: optional}
			for _, o := range strings.Split(opts, ",") {
				switch o {
				case "omitempty", "omitzero":
					jf.omitEmpty = true
				case "string":
					jf.asString = true
				}
			}
			if k, ok := byName[name]; ok {
				if out[k].depth > depth {
					out[k] = jf
				} else if out[k].depth == depth {
					out[k].name = "" // ambiguous: encoding/json drops both
				}
				continue
			}
			byName[name] = len(out)
			out = append(out, jf)
		}
	}
	walk(t, 0, false, map[reflect.Type]bool{})
	kept := out[:0]
	for _, f := range out {
		if f.name != "" {
			kept = append(kept, f)
		}
	}
	return kept
}

// object builds the schema of a struct's JSON object.
func (r *reflector) object(t reflect.Type, m mode, note func(string)) *Schema {
	return r.objectOf(t, m, note, nil)
}

func (r *reflector) objectOf(t reflect.Type, m mode, note func(string), skip func(reflect.StructField) bool) *Schema {
	s := &Schema{Type: "object", Properties: map[string]*Schema{}}
	for _, f := range jsonFields(t, skip) {
		var ps *Schema
		if f.asString && stringable(f.field.Type) {
			ps = &Schema{Type: "string"}
			if f.field.Type.Kind() == reflect.Pointer {
				ps = nullable(ps)
			}
		} else {
			ps = r.schema(f.field.Type, m, note)
		}
		rules, err := parseValidate(f.field.Tag.Get("validate"))
		if err != nil {
			note(fmt.Sprintf("%v.%s: %v", t, f.field.Name, err))
		}
		ps = applyRules(ps, f.field.Type, rules, func(s string) { note(fmt.Sprintf("%v.%s: %s", t, f.field.Name, s)) })
		if m == input && rules.required {
			ps = requiredNotNull(ps, f.field.Type)
		}
		if d := f.field.Tag.Get("doc"); d != "" {
			ps = describe(ps, d)
		}
		s.Properties[f.name] = ps
		required := false
		switch m {
		case output:
			required = !f.omitEmpty && !f.optional
		case input:
			required = rules.required && !f.optional
		}
		if required {
			s.Required = append(s.Required, f.name)
		}
	}
	sort.Strings(s.Required)
	return s
}

// describe adds a description; a reference gets a wrapper because
// siblings of $ref are allowed in 3.1 but clearer kept apart.
func describe(s *Schema, d string) *Schema {
	if s.key != nil {
		return &Schema{AnyOf: []*Schema{s}, Description: d}
	}
	s.Description = d
	return s
}

// stringable reports whether the json ",string" option applies to t.
func stringable(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.String:
		return true
	}
	return false
}

// finish names every component and fills in the references. A type seen
// on both sides of the exchange with different schemas (a field required
// in responses but optional in requests) gets two components, the request
// one suffixed "Input"; identical ones share one.
func (r *reflector) finish() map[string]*Schema {
	comps := map[string]*Schema{}
	names := map[typeKey]string{}
	byType := map[reflect.Type]string{}
	taken := map[string]reflect.Type{}
	base := func(t reflect.Type) string {
		if n, ok := byType[t]; ok {
			return n
		}
		n := sanitize(shortName(t.Name()))
		if other, ok := taken[n]; ok && other != t {
			pkg := t.PkgPath()
			pkg = pkg[strings.LastIndex(pkg, "/")+1:]
			n = sanitize(pkg + "." + t.Name())
			for i := 2; taken[n] != nil; i++ {
				n = sanitize(fmt.Sprintf("%s.%s%d", pkg, t.Name(), i))
			}
		}
		taken[n] = t
		byType[t] = n
		return n
	}
	differs := r.modesDiffer()
	for _, k := range r.order {
		n := base(k.t)
		if k.mode == input {
			if _, ok := r.schemas[typeKey{k.t, output}]; ok {
				if !differs[k.t] {
					names[k] = n
					continue
				}
				n += "Input"
			}
		}
		names[k] = n
		comps[n] = r.schemas[k]
	}
	for _, ref := range r.refs {
		ref.Ref = "#/components/schemas/" + names[*ref.key]
	}
	return comps
}

// modesDiffer reports, for each type built on both sides, whether its
// request and response schemas differ, itself or through a type it refers
// to.
func (r *reflector) modesDiffer() map[reflect.Type]bool {
	differs := map[reflect.Type]bool{}
	deps := map[reflect.Type][]reflect.Type{}
	for _, k := range r.order {
		if k.mode != input {
			continue
		}
		out, ok := r.schemas[typeKey{k.t, output}]
		if !ok {
			continue
		}
		in := r.schemas[k]
		a, b := shape(out), shape(in)
		differs[k.t] = a != b
		walkRefs(in, func(t reflect.Type) { deps[k.t] = append(deps[k.t], t) })
	}
	for changed := true; changed; {
		changed = false
		for t, ds := range deps {
			if differs[t] {
				continue
			}
			for _, d := range ds {
				if _, both := differs[d]; !both || differs[d] {
					// A dependency built on one side only has no shared
					// component to point at from the other.
					differs[t], changed = true, true
					break
				}
			}
		}
	}
	return differs
}

// shape is s as JSON with references written as their Go type, so the two
// sides of one type compare equal when only the side of their references
// differs.
func shape(s *Schema) string {
	var saved []*Schema
	walk(s, func(x *Schema) {
		if x.key != nil {
			x.Ref = "go:" + x.key.t.String()
			saved = append(saved, x)
		}
	})
	b, _ := json.Marshal(s)
	for _, x := range saved {
		x.Ref = ""
	}
	return string(b)
}

func walkRefs(s *Schema, fn func(reflect.Type)) {
	walk(s, func(x *Schema) {
		if x.key != nil {
			fn(x.key.t)
		}
	})
}

// walk calls fn on s and every schema inside it.
func walk(s *Schema, fn func(*Schema)) {
	if s == nil {
		return
	}
	fn(s)
	for _, p := range s.Properties {
		walk(p, fn)
	}
	walk(s.Items, fn)
	walk(s.AdditionalProperties, fn)
	walk(s.PropertyNames, fn)
	for _, a := range s.AnyOf {
		walk(a, fn)
	}
	for _, a := range s.AllOf {
		walk(a, fn)
	}
}

// shortName is a type's name as a component name: capitalised, and for a
// generic instantiation without package paths, as springdoc names
// Page<Book>: "page[example.com/app.book]" becomes "PageBook".
func shortName(n string) string {
	i := strings.IndexByte(n, '[')
	if i < 0 {
		return upperFirst(n)
	}
	var b strings.Builder
	b.WriteString(upperFirst(n[:i]))
	for _, arg := range strings.FieldsFunc(n[i:], func(r rune) bool {
		return r == '[' || r == ']' || r == ',' || r == ' ' || r == '*' || r == '{' || r == '}'
	}) {
		b.WriteString(upperFirst(arg[strings.LastIndex(arg, ".")+1:]))
	}
	return b.String()
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// sanitize keeps a component name within ^[a-zA-Z0-9._-]+$, as OpenAPI
// requires (generic instantiations carry brackets and package paths).
func sanitize(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
