package binding

import (
	"errors"
	"net/http"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"

	"github.com/portico-go/portico/handler"
)

// validationError turns the validator's error into a 400 naming each field
// as the client knows it. t is the struct type validated.
func validationError(err error, t reflect.Type, p *plan, formBody bool) error {
	verrs, ok := errors.AsType[validator.ValidationErrors](err)
	if !ok {
		// InvalidValidationError: Bind passed something the validator
		// does not take, a bug rather than a bad request.
		return &handler.Error{Status: http.StatusInternalServerError, Message: http.StatusText(http.StatusInternalServerError), Err: err}
	}
	fields := make([]handler.FieldError, 0, len(verrs))
	for _, fe := range verrs {
		fields = append(fields, handler.FieldError{
			Field:   clientPath(t, fe.StructNamespace(), p, formBody),
			Message: validationMessage(fe),
		})
	}
	return &handler.Error{Status: http.StatusBadRequest, Message: "validation failed", Fields: fields, Err: err}
}

// clientPath rewrites the validator's Go path of a field ("In.Author.Name",
// "In.Items[0].Title") into the client's ("author.name", "items[0].title"):
// JSON names for body fields, source names for tagged ones, embedded
// structs flattened as encoding/json flattens them, the body field dropped
// because the client sent its content as the whole body. The validator's
// RegisterTagNameFunc could name fields too, but only by changing a
// validator the application may share, and it cannot flatten embedding.
func clientPath(t reflect.Type, ns string, p *plan, formBody bool) string {
	if name := t.Name(); name != "" {
		ns = strings.TrimPrefix(ns, name+".")
	}
	var out strings.Builder
	cur := t
	top := true
	for ns != "" {
		// One segment: a Go identifier, then any number of [index] or
		// [key] parts.
		end := strings.IndexAny(ns, ".[")
		if end < 0 {
			end = len(ns)
		}
		name := ns[:end]
		ns = ns[end:]
		var brackets string
		for strings.HasPrefix(ns, "[") {
			n := closingBracket(ns)
			brackets += ns[:n]
			ns = ns[n:]
		}
		ns = strings.TrimPrefix(ns, ".")

		seg := name
		var next reflect.Type
		if cur != nil {
			for cur.Kind() == reflect.Pointer {
				cur = cur.Elem()
			}
		}
		if cur != nil && cur.Kind() == reflect.Struct {
			if f, ok := cur.FieldByName(name); ok && len(f.Index) == 1 {
				seg = clientName(f, top && p.body != nil && f.Index[0] == p.body[0], formBody)
				next = f.Type
				for range strings.Count(brackets, "[") {
					for next.Kind() == reflect.Pointer {
						next = next.Elem()
					}
					if k := next.Kind(); k == reflect.Slice || k == reflect.Array || k == reflect.Map {
						next = next.Elem()
					}
				}
			}
		}
		cur = next
		top = false
		if seg == "" {
			// Flattened: an embedded struct or the body field.
			if brackets != "" {
				out.WriteString(brackets)
			}
			continue
		}
		if out.Len() > 0 && !strings.HasSuffix(out.String(), ".") {
			out.WriteByte('.')
		}
		out.WriteString(seg)
		out.WriteString(brackets)
	}
	return out.String()
}

// closingBracket returns the length of the bracket part starting s: up to
// the "]" followed by ".", "[" or the end, since map keys may hold "]".
func closingBracket(s string) int {
	for i := 1; i < len(s); i++ {
		if s[i] == ']' && (i+1 == len(s) || s[i+1] == '.' || s[i+1] == '[') {
			return i + 1
		}
	}
	return len(s)
}

// clientName is the name the client uses for f: its source name, or its JSON
// name; "" for a field whose content the client sends flattened.
func clientName(f reflect.StructField, isBody, formBody bool) string {
	if isBody {
		return ""
	}
	if src, name, err := sourceTag(f.Tag); err == nil && src != 0 && (src != fromForm || formBody) {
		return name
	}
	tag, hasTag := f.Tag.Lookup("json")
	name, _, _ := strings.Cut(tag, ",")
	if f.Anonymous && (!hasTag || name == "") && f.Type.Kind() != reflect.Interface {
		return ""
	}
	if name == "" || tag == "-" {
		return f.Name
	}
	return name
}

// validationMessage says in a few words what the validator found wrong.
func validationMessage(fe validator.FieldError) string {
	param := fe.Param()
	var unit string
	switch fe.Kind() {
	case reflect.String:
		unit = " characters"
	case reflect.Slice, reflect.Array, reflect.Map:
		unit = " items"
	}
	switch tag := fe.Tag(); tag {
	case "required", "required_if", "required_unless", "required_with", "required_with_all",
		"required_without", "required_without_all":
		return "is required"
	case "notblank":
		return "must not be blank"
	case "min", "gte":
		if param == "" {
			return "is too small"
		}
		if unit != "" {
			return "must have at least " + param + unit
		}
		return "must be at least " + param
	case "max", "lte":
		if param == "" {
			return "is too large"
		}
		if unit != "" {
			return "must have at most " + param + unit
		}
		return "must be at most " + param
	case "gt":
		if unit != "" {
			return "must have more than " + param + unit
		}
		return "must be greater than " + param
	case "lt":
		if unit != "" {
			return "must have fewer than " + param + unit
		}
		return "must be less than " + param
	case "len":
		if unit != "" {
			return "must have exactly " + param + unit
		}
		return "must be " + param
	case "eq":
		return "must be " + param
	case "ne":
		return "must not be " + param
	case "oneof":
		return "must be one of: " + strings.Join(strings.Fields(param), ", ")
	case "email":
		return "must be a valid email address"
	case "url", "http_url", "https_url", "uri":
		return "must be a valid URL"
	case "uuid", "uuid3", "uuid4", "uuid5", "uuid_rfc4122", "uuid4_rfc4122":
		return "must be a valid UUID"
	case "ip", "ipv4", "ipv6":
		return "must be a valid IP address"
	case "hostname", "hostname_rfc1123", "fqdn":
		return "must be a valid host name"
	case "alpha":
		return "must contain only letters"
	case "alphanum":
		return "must contain only letters and digits"
	case "numeric", "number":
		return "must be numeric"
	case "boolean":
		return "must be true or false"
	case "datetime":
		return "must be a date in the layout " + param
	case "e164":
		return "must be a phone number in E.164 format"
	case "unique":
		return "must not contain duplicates"
	default:
		if param != "" {
			return "is invalid (" + tag + "=" + param + ")"
		}
		return "is invalid (" + tag + ")"
	}
}

// jsonPath rewrites the path encoding/json gives in UnmarshalTypeError.Field,
// which names embedded structs by their Go type ("Author.name"), into the
// one the client wrote ("name"). t is the type decoded into.
func jsonPath(t reflect.Type, path string) string {
	var out []string
	rest := path
	for rest != "" {
		t = elemType(t)
		if t == nil || t.Kind() != reflect.Struct {
			break
		}
		next, seg, n := jsonStep(t, rest)
		if n == 0 {
			break
		}
		if seg != "" {
			out = append(out, seg)
		}
		t, rest = next, strings.TrimPrefix(rest[n:], ".")
	}
	if rest != "" {
		out = append(out, rest)
	}
	return strings.Join(out, ".")
}

// jsonStep matches the start of path against struct t's fields: an
// embedded struct by Go name (seg "", flattened) or a field by JSON name.
// It returns the field's type, the segment to keep and the bytes consumed.
func jsonStep(t reflect.Type, path string) (reflect.Type, string, int) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && tag == "" {
			if strings.HasPrefix(path, f.Name+".") {
				return f.Type, "", len(f.Name)
			}
			continue
		}
		name := tag
		if name == "" {
			name = f.Name
		}
		if rest, ok := strings.CutPrefix(path, name); ok && (rest == "" || rest[0] == '.') {
			return f.Type, name, len(name)
		}
	}
	return nil, "", 0
}

// elemType strips the pointers, slices, arrays and maps encoding/json
// looks through between one struct and the next.
func elemType(t reflect.Type) reflect.Type {
	for t != nil {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
		default:
			return t
		}
	}
	return nil
}
