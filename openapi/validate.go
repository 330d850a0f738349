package openapi

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// rule is one validator tag, e.g. "min=3" is {name: "min", param: "3"}.
type rule struct {
	name, param string
}

// rules is a parsed validate tag.
type rules struct {
	required  bool
	omitEmpty bool
	// own apply to the field itself, keys to a map's keys (between "keys"
	// and "endkeys").
	own, keys []rule
	// diveRules is the parsed rest after dive, which may dive again.
	diveRules *rules
	// alternatives are "a|b" rules, which a schema can only express
	// loosely; they are reported instead.
	alternatives []string
}

// parseValidate parses a go-playground validator tag. It never panics and
// refuses what the validator itself would refuse only where the meaning
// would otherwise be lost (an unterminated keys block, an empty rule).
func parseValidate(tag string) (rules, error) {
	var rs rules
	if tag == "" || tag == "-" {
		return rs, nil
	}
	parts := splitTag(tag)
	for i := 0; i < len(parts); i++ {
		p := parts[i]
		if p == "" {
			return rs, fmt.Errorf("validate tag %q: empty rule", tag)
		}
		name, param, _ := strings.Cut(p, "=")
		switch {
		case name == "dive":
			rest, err := parseValidate(strings.Join(parts[i+1:], ","))
			if err != nil {
				return rs, err
			}
			rs.diveRules = &rest
			return rs, nil
		case name == "keys":
			end := -1
			for j := i + 1; j < len(parts); j++ {
				if parts[j] == "endkeys" {
					end = j
					break
				}
			}
			if end < 0 {
				return rs, fmt.Errorf("validate tag %q: keys without endkeys", tag)
			}
			for _, k := range parts[i+1 : end] {
				kn, kp, _ := strings.Cut(k, "=")
				rs.keys = append(rs.keys, rule{kn, kp})
			}
			i = end
		case strings.Contains(p, "|"):
			rs.alternatives = append(rs.alternatives, p)
		case name == "required":
			rs.required = true
		case name == "notblank":
			// The binder's validator knows notblank: a string that is not
			// only white space, which a missing field (decoded as "") fails
			// too, so it is required as well as patterned.
			rs.required = true
			rs.own = append(rs.own, rule{name, param})
		case name == "omitempty", name == "omitnil", name == "omitzero":
			rs.omitEmpty = true
		default:
			rs.own = append(rs.own, rule{name, param})
		}
	}
	return rs, nil
}

// splitTag splits on commas, keeping the validator's 0x2C escape for a
// literal comma inside a parameter.
func splitTag(tag string) []string {
	parts := strings.Split(tag, ",")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(p, "0x2C", ",")
	}
	return parts
}

var errUnexpressed = errors.New("not expressible")

// applyRules adds the constraints of rs to s, the schema of a field of Go
// type t, and reports every rule it cannot express.
func applyRules(s *Schema, t reflect.Type, rs rules, note func(string)) *Schema {
	for _, a := range rs.alternatives {
		note(fmt.Sprintf("validate rule %q (alternatives) is not expressed", a))
	}
	base := t
	for base.Kind() == reflect.Pointer {
		base = base.Elem()
	}
	target := s
	if s.key != nil || s.AnyOf != nil {
		// A reference, or a nullable one: constraints on a struct are
		// not expressible anyway, except required.
		target = nil
	}
	var c Schema
	for _, r := range rs.own {
		if err := constrain(&c, base, r); err != nil {
			note(fmt.Sprintf("validate rule %q is %v", ruleText(r), err))
		}
	}
	if rs.required && kindOf(base) == reflect.String && c.MinLength == nil {
		c.MinLength = ptr(1)
	}

	if target != nil && !isEmptyConstraint(&c) {
		if rs.omitEmpty && t.Kind() != reflect.Pointer {
			// omitempty skips every rule for the zero value, which the
			// schema must then accept too.
			if z, ok := zeroValue(base); ok {
				target.AnyOf = []*Schema{{Const: z}, &c}
				if z == nil {
					target.AnyOf[0] = &Schema{Type: "null"}
				}
			} else {
				note("validate rules under omitempty on " + base.String() + " are not expressed")
			}
		} else {
			merge(target, &c)
		}
	} else if target == nil && !isEmptyConstraint(&c) {
		note(fmt.Sprintf("validate rules on %v are not expressed", t))
	}
	if rs.diveRules != nil {
		switch {
		case s.Items != nil:
			s.Items = applyRules(s.Items, base.Elem(), *rs.diveRules, note)
		case s.AdditionalProperties != nil:
			s.AdditionalProperties = applyRules(s.AdditionalProperties, base.Elem(), *rs.diveRules, note)
			keyRules(s, base.Key(), rs.diveRules.keys, note)
		default:
			note("dive on " + t.String() + " is not expressed")
		}
	}
	return s
}

// keyRules constrains a map's keys (validator's keys ... endkeys).
func keyRules(s *Schema, key reflect.Type, rs []rule, note func(string)) {
	if len(rs) == 0 {
		return
	}
	var k Schema
	for _, r := range rs {
		if err := constrain(&k, key, r); err != nil {
			note(fmt.Sprintf("validate key rule %q is %v", ruleText(r), err))
		}
	}
	if isEmptyConstraint(&k) {
		return
	}
	if s.PropertyNames != nil {
		k.Pattern = cmp(k.Pattern, s.PropertyNames.Pattern)
	}
	s.PropertyNames = &k
}

// requiredNotNull drops null from the schema of a request value of type t
// that validate:"required" refuses when nil.
func requiredNotNull(s *Schema, t reflect.Type) *Schema {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return nonNull(s)
	}
	return s
}

// nonNull undoes nullable, for a request field whose nil pointer fails
// validate:"required".
func nonNull(s *Schema) *Schema {
	if typ, ok := s.Type.([]string); ok {
		var keep []string
		for _, t := range typ {
			if t != "null" {
				keep = append(keep, t)
			}
		}
		if len(keep) == 1 {
			s.Type = keep[0]
		} else {
			s.Type = keep
		}
		return s
	}
	if len(s.AnyOf) == 2 && s.AnyOf[1].Type == "null" {
		return s.AnyOf[0]
	}
	return s
}

func ruleText(r rule) string {
	if r.param == "" {
		return r.name
	}
	return r.name + "=" + r.param
}

func kindOf(t reflect.Type) reflect.Kind {
	if implements(t, textMarshaler) && t != timeType {
		return reflect.String
	}
	return t.Kind()
}

// zeroValue is the JSON form of t's zero value, for omitempty.
func zeroValue(t reflect.Type) (any, bool) {
	switch kindOf(t) {
	case reflect.String:
		return "", true
	case reflect.Bool:
		return false, true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return 0, true
	case reflect.Slice, reflect.Map:
		return nil, true
	}
	return nil, false
}

func isEmptyConstraint(c *Schema) bool {
	return reflect.DeepEqual(*c, Schema{})
}

// merge copies the constraints of c into s.
func merge(s, c *Schema) {
	if c.Format != "" {
		s.Format = c.Format
	}
	if c.Enum != nil {
		s.Enum = c.Enum
	}
	if c.Pattern != "" {
		s.Pattern = c.Pattern
	}
	for _, p := range []struct{ dst, src **float64 }{
		{&s.Minimum, &c.Minimum}, {&s.Maximum, &c.Maximum},
		{&s.ExclusiveMinimum, &c.ExclusiveMinimum}, {&s.ExclusiveMaximum, &c.ExclusiveMaximum},
	} {
		if *p.src != nil {
			*p.dst = *p.src
		}
	}
	for _, p := range []struct{ dst, src **int }{
		{&s.MinLength, &c.MinLength}, {&s.MaxLength, &c.MaxLength},
		{&s.MinItems, &c.MinItems}, {&s.MaxItems, &c.MaxItems},
		{&s.MinProperties, &c.MinProperties}, {&s.MaxProperties, &c.MaxProperties},
	} {
		if *p.src != nil {
			*p.dst = *p.src
		}
	}
}

// formats maps validator rules to JSON Schema formats.
var formats = map[string]string{
	"email": "email", "url": "uri", "http_url": "uri", "uri": "uri", "uuid": "uuid", "uuid4": "uuid",
	"uuid3": "uuid", "uuid5": "uuid", "uuid_rfc4122": "uuid", "ipv4": "ipv4", "ipv6": "ipv6",
	"hostname": "hostname", "hostname_rfc1123": "hostname", "datetime": "", "e164": "",
}

// patterns maps validator rules to the equivalent ECMA-262 regular
// expressions JSON Schema uses.
var patterns = map[string]string{
	"alpha":       `^[a-zA-Z]+$`,
	"alphanum":    `^[a-zA-Z0-9]+$`,
	"numeric":     `^[-+]?[0-9]+(?:\.[0-9]+)?$`,
	"number":      `^[0-9]+$`,
	"hexadecimal": `^(0[xX])?[0-9a-fA-F]+$`,
	"lowercase":   `^[^A-Z]*$`,
	"uppercase":   `^[^a-z]*$`,
	"e164":        `^\+[1-9]?[0-9]{7,14}$`,
	"notblank":    `\S`,
}

// constrain adds rule r, applied to a value of type t, to c.
func constrain(c *Schema, t reflect.Type, r rule) error {
	k := kindOf(t)
	isNum := k >= reflect.Int && k <= reflect.Float64
	isLen := k == reflect.String || k == reflect.Slice || k == reflect.Array || k == reflect.Map
	if f, ok := formats[r.name]; ok && f != "" {
		if k != reflect.String {
			return errUnexpressed
		}
		c.Format = f
		return nil
	}
	if p, ok := patterns[r.name]; ok {
		if k != reflect.String {
			return errUnexpressed
		}
		c.Pattern = p
		return nil
	}
	switch r.name {
	case "min", "max", "len", "gte", "lte", "gt", "lt", "eq":
		if t == timeType || t == durationType {
			return errUnexpressed
		}
		switch {
		case isNum:
			n, err := strconv.ParseFloat(r.param, 64)
			if err != nil {
				return fmt.Errorf("not a number: %w", errUnexpressed)
			}
			switch r.name {
			case "min", "gte":
				c.Minimum = &n
			case "max", "lte":
				c.Maximum = &n
			case "gt":
				c.ExclusiveMinimum = &n
			case "lt":
				c.ExclusiveMaximum = &n
			case "len", "eq":
				c.Const = n
			}
		case isLen:
			n, err := strconv.Atoi(r.param)
			if err != nil || n < 0 {
				if r.name == "eq" && k == reflect.String {
					c.Const = r.param
					return nil
				}
				return fmt.Errorf("not a length: %w", errUnexpressed)
			}
			lo, hi := lengths(c, k)
			switch r.name {
			case "min", "gte":
				*lo = &n
			case "max", "lte":
				*hi = &n
			case "gt":
				*lo = ptr(n + 1)
			case "lt":
				if n == 0 {
					return errUnexpressed
				}
				*hi = ptr(n - 1)
			case "len":
				*lo, *hi = &n, ptr(n)
			case "eq":
				if k == reflect.String {
					c.Const = r.param
				} else {
					*lo, *hi = &n, ptr(n)
				}
			}
		default:
			return errUnexpressed
		}
		return nil
	case "oneof":
		vals := oneofValues(r.param)
		if len(vals) == 0 {
			return errUnexpressed
		}
		for _, v := range vals {
			switch {
			case k == reflect.String:
				c.Enum = append(c.Enum, v)
			case isNum:
				n, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return errUnexpressed
				}
				c.Enum = append(c.Enum, n)
			default:
				return errUnexpressed
			}
		}
		return nil
	case "startswith", "endswith", "contains":
		if k != reflect.String {
			return errUnexpressed
		}
		q := regexp.QuoteMeta(r.param)
		switch r.name {
		case "startswith":
			q = "^" + q
		case "endswith":
			q += "$"
		}
		if c.Pattern != "" {
			return fmt.Errorf("a second pattern: %w", errUnexpressed)
		}
		c.Pattern = q
		return nil
	}
	return errUnexpressed
}

func lengths(c *Schema, k reflect.Kind) (lo, hi **int) {
	switch k {
	case reflect.String:
		return &c.MinLength, &c.MaxLength
	case reflect.Map:
		return &c.MinProperties, &c.MaxProperties
	}
	return &c.MinItems, &c.MaxItems
}

// oneofValues splits a oneof parameter the validator's way: spaces
// separate values, single quotes keep spaces inside one.
func oneofValues(p string) []string {
	var out []string
	for p != "" {
		p = strings.TrimLeft(p, " ")
		if p == "" {
			break
		}
		if p[0] == '\'' {
			end := strings.IndexByte(p[1:], '\'')
			if end >= 0 {
				out = append(out, p[1:end+1])
				p = p[end+2:]
				continue
			}
		}
		v, rest, _ := strings.Cut(p, " ")
		out = append(out, v)
		p = rest
	}
	return out
}
