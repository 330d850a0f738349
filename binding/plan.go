package binding

import (
	"encoding"
	"errors"
	"fmt"
	"math"
	"net/textproto"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// source is where a field's value comes from.
type source uint8

const (
	fromPath source = iota + 1
	fromQuery
	fromHeader
	fromForm
)

// tag is the struct tag key naming the source.
func (s source) tag() string {
	switch s {
	case fromPath:
		return "path"
	case fromQuery:
		return "query"
	case fromHeader:
		return "header"
	case fromForm:
		return "form"
	}
	return ""
}

// plan is what Bind needs to know about an input type, computed once per
// type so that a request costs lookups and conversions, not reflection over
// struct tags.
type plan struct {
	// isStruct reports whether the input is a struct (possibly behind one
	// pointer); only structs have tagged fields and are validated.
	isStruct bool
	fields   []field
	// body is the index of the field tagged body, or nil when the JSON
	// body is decoded into the whole input.
	body    []int
	hasForm bool
}

// field is one path, query, header or form field.
type field struct {
	src   source
	name  string // as the client spells it, for errors
	key   string // lookup key: the canonical form for headers
	index []int
	conv  *converter
}

// newPlan computes the plan for t, the type dst points to.
func newPlan(t reflect.Type) (*plan, error) {
	if t == nil {
		return nil, errors.New("binding: nil type")
	}
	st := t
	if st.Kind() == reflect.Pointer {
		st = st.Elem()
		if st.Kind() == reflect.Pointer {
			return nil, fmt.Errorf("binding: %v: pointer to pointer inputs are not supported", t)
		}
	}
	p := &plan{}
	switch st.Kind() {
	case reflect.Struct:
		p.isStruct = true
	case reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
		return nil, fmt.Errorf("binding: %v: %v inputs cannot be bound", t, st.Kind())
	default:
		// Slices, maps and scalars are bound from the JSON body alone.
		return p, nil
	}
	if err := p.addFields(st, nil, ""); err != nil {
		return nil, fmt.Errorf("binding: %v: %w", t, err)
	}
	for _, f := range p.fields {
		p.hasForm = p.hasForm || f.src == fromForm
	}
	return p, nil
}

// addFields adds the tagged fields of struct t, found at index inside the
// input; prefix is the Go path of embedded structs, for error messages.
func (p *plan) addFields(t reflect.Type, index []int, prefix string) error {
	for i := range t.NumField() {
		f := t.Field(i)
		goName := prefix + f.Name
		idx := append(index[:len(index):len(index)], i)
		src, name, err := sourceTag(f.Tag)
		if err != nil {
			return fmt.Errorf("field %s: %w", goName, err)
		}
		if _, ok := f.Tag.Lookup("body"); ok {
			switch {
			case len(index) > 0:
				return fmt.Errorf("field %s: body tag is only allowed on top-level fields", goName)
			case src != 0:
				return fmt.Errorf("field %s: body tag cannot be combined with a %s tag", goName, src.tag())
			case !f.IsExported():
				return fmt.Errorf("field %s: body tag on an unexported field", goName)
			case p.body != nil:
				return fmt.Errorf("field %s: more than one field tagged body", goName)
			}
			if k := f.Type.Kind(); k == reflect.Chan || k == reflect.Func || k == reflect.UnsafePointer {
				return fmt.Errorf("field %s: %v cannot be decoded from JSON", goName, f.Type)
			}
			p.body = idx
			continue
		}
		if src != 0 {
			if !f.IsExported() {
				return fmt.Errorf("field %s: %s tag on an unexported field", goName, src.tag())
			}
			conv, err := newConverter(f.Type)
			if err != nil {
				return fmt.Errorf("field %s: %s tag: %w", goName, src.tag(), err)
			}
			key := name
			if src == fromHeader {
				key = textproto.CanonicalMIMEHeaderKey(name)
			}
			p.fields = append(p.fields, field{src: src, name: name, key: key, index: idx, conv: conv})
			continue
		}
		ft := f.Type
		if f.Anonymous && ft.Kind() == reflect.Struct {
			// Promoted fields bind like the outer struct's own, as with
			// encoding/json.
			if err := p.addFields(ft, idx, goName+"."); err != nil {
				return err
			}
			continue
		}
		// Tags deeper down would be silently ignored; refuse them so the
		// mistake shows at registration. An embedded pointer is refused
		// too: Bind would have to allocate it to fill its fields.
		if where := findSourceTag(ft, map[reflect.Type]bool{}); where != "" {
			if f.Anonymous {
				return fmt.Errorf("field %s.%s: binding tags inside an embedded pointer are not supported; embed the struct by value", goName, where)
			}
			return fmt.Errorf("field %s.%s: binding tags are only read on top-level and embedded fields", goName, where)
		}
	}
	return nil
}

// findSourceTag returns the Go path of a field tagged path, query, header,
// form or body somewhere inside t, or "".
func findSourceTag(t reflect.Type, seen map[reflect.Type]bool) string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return ""
	}
	seen[t] = true
	for i := range t.NumField() {
		f := t.Field(i)
		for src := fromPath; src <= fromForm; src++ {
			if _, ok := f.Tag.Lookup(src.tag()); ok {
				return f.Name
			}
		}
		if _, ok := f.Tag.Lookup("body"); ok {
			return f.Name
		}
		if where := findSourceTag(f.Type, seen); where != "" {
			return f.Name + "." + where
		}
	}
	return ""
}

// sourceTag returns the field's source and name, or 0 when it has none.
func sourceTag(tag reflect.StructTag) (source, string, error) {
	var (
		src  source
		name string
	)
	for s := fromPath; s <= fromForm; s++ {
		v, ok := tag.Lookup(s.tag())
		if !ok {
			continue
		}
		if src != 0 {
			return 0, "", fmt.Errorf("both %s and %s tags; a field has one source", src.tag(), s.tag())
		}
		if v == "" || v == "-" || strings.Contains(v, ",") {
			return 0, "", fmt.Errorf("%s tag %q: want a single non-empty name", s.tag(), v)
		}
		src, name = s, v
	}
	return src, name, nil
}

// shape says how a converter sets its field from a list of values.
type shape uint8

const (
	scalar shape = iota
	pointer
	slice
)

// converter sets a field of one type from strings.
type converter struct {
	shape shape
	typ   reflect.Type // the field's type
	elem  reflect.Type // the converted type: typ, or its element
	// keepEmpty reports that "" is a value (for strings), not an absence.
	keepEmpty bool
	parse     func(s string, v reflect.Value) error
	// msg explains a failed conversion to the client.
	msg string
}

func newConverter(t reflect.Type) (*converter, error) {
	c := &converter{typ: t, elem: t}
	switch {
	case implementsText(t):
		// Before the kind switch: net.IP is a slice but binds as text.
	case t.Kind() == reflect.Pointer:
		c.shape, c.elem = pointer, t.Elem()
	case t.Kind() == reflect.Slice:
		c.shape, c.elem = slice, t.Elem()
	}
	if err := c.setParse(); err != nil {
		if c.elem != t {
			return nil, fmt.Errorf("unsupported type %v (element %v: %w)", t, c.elem, err)
		}
		return nil, fmt.Errorf("unsupported type %v: %w", t, err)
	}
	return c, nil
}

func implementsText(t reflect.Type) bool {
	return t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface && reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]())
}

// setParse picks the parse function for c.elem.
func (c *converter) setParse() error {
	t := c.elem
	switch {
	case t == reflect.TypeFor[time.Time]():
		c.parse, c.msg = parseText, "must be an RFC 3339 time"
		return nil
	case implementsText(t):
		c.parse, c.msg = parseText, "is invalid"
		return nil
	case t == reflect.TypeFor[time.Duration]():
		c.parse, c.msg = parseDuration, "must be a duration such as 1m30s"
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		c.parse, c.keepEmpty = parseString, true
	case reflect.Bool:
		c.parse, c.msg = parseBool, "must be true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := t.Bits()
		c.parse = func(s string, v reflect.Value) error {
			n, err := strconv.ParseInt(s, 10, bits)
			if err == nil {
				v.SetInt(n)
			}
			return err
		}
		c.msg = "must be a valid integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		bits := t.Bits()
		c.parse = func(s string, v reflect.Value) error {
			n, err := strconv.ParseUint(s, 10, bits)
			if err == nil {
				v.SetUint(n)
			}
			return err
		}
		c.msg = "must be a valid non-negative integer"
	case reflect.Float32, reflect.Float64:
		bits := t.Bits()
		c.parse = func(s string, v reflect.Value) error {
			f, err := strconv.ParseFloat(s, bits)
			if err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
				// JSON has no NaN or infinity either; a limit check
				// against NaN always passes, which would bypass
				// validation.
				err = strconv.ErrSyntax
			}
			if err == nil {
				v.SetFloat(f)
			}
			return err
		}
		c.msg = "must be a valid number"
	default:
		return fmt.Errorf("%v values cannot be converted from text", t.Kind())
	}
	return nil
}

func parseString(s string, v reflect.Value) error {
	v.SetString(s)
	return nil
}

func parseBool(s string, v reflect.Value) error {
	b, err := strconv.ParseBool(s)
	if err == nil {
		v.SetBool(b)
	}
	return err
}

func parseDuration(s string, v reflect.Value) error {
	d, err := time.ParseDuration(s)
	if err == nil {
		v.SetInt(int64(d))
	}
	return err
}

func parseText(s string, v reflect.Value) error {
	// v is addressable: it is a field or element reached through a pointer.
	u, ok := v.Addr().Interface().(encoding.TextUnmarshaler)
	if !ok {
		return fmt.Errorf("%v is not a TextUnmarshaler", v.Type())
	}
	return u.UnmarshalText([]byte(s))
}

// set fills v, a field of type c.typ, from vals; no values leaves the zero
// value. It returns the message for the client on failure.
func (c *converter) set(v reflect.Value, vals []string) (string, bool) {
	if len(vals) == 0 || c.shape != slice && vals[0] == "" && !c.keepEmpty {
		v.SetZero()
		return "", true
	}
	switch c.shape {
	case pointer:
		n := reflect.New(c.elem)
		if err := c.parse(vals[0], n.Elem()); err != nil {
			return c.message(err), false
		}
		v.Set(n)
	case slice:
		n := len(vals)
		if !c.keepEmpty {
			n = 0
			for _, s := range vals {
				if s != "" {
					n++
				}
			}
		}
		if n == 0 {
			v.SetZero()
			return "", true
		}
		sl := reflect.MakeSlice(c.typ, n, n)
		i := 0
		for _, s := range vals {
			if s == "" && !c.keepEmpty {
				continue
			}
			if err := c.parse(s, sl.Index(i)); err != nil {
				return c.message(err), false
			}
			i++
		}
		v.Set(sl)
	default:
		if err := c.parse(vals[0], v); err != nil {
			return c.message(err), false
		}
	}
	return "", true
}

func (c *converter) message(err error) string {
	if errors.Is(err, strconv.ErrRange) {
		return "is out of range"
	}
	return c.msg
}
