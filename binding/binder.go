package binding

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"
	"github.com/go-playground/validator/v10/non-standard/validators"

	"github.com/portico-go/portico/handler"
)

// DefaultMaxBodySize is the body limit of a Binder made without
// MaxBodySize: large enough for API payloads, small enough that a client
// cannot make the server buffer much.
const DefaultMaxBodySize = 1 << 20

// Binder binds and validates typed handler inputs; it implements
// handler.Binder. Make one with New and share it: it caches a plan per
// input type and is safe for concurrent use.
type Binder struct {
	maxBody         int64
	disallowUnknown bool
	validate        *validator.Validate

	plans sync.Map // reflect.Type → *planEntry
	bufs  sync.Pool
}

// planEntry is what the plan cache holds: a plan or why there is none.
type planEntry struct {
	p   *plan
	err error
}

// Option configures a Binder.
type Option func(*Binder)

// MaxBodySize limits request bodies to n bytes; a larger body is answered
// 413. A limit of zero or less restores DefaultMaxBodySize.
func MaxBodySize(n int64) Option {
	return func(b *Binder) {
		if n <= 0 {
			n = DefaultMaxBodySize
		}
		b.maxBody = n
	}
}

// DisallowUnknownFields makes a JSON body with a key that no field accepts
// a 400, so a client's typo is reported instead of ignored.
func DisallowUnknownFields() Option {
	return func(b *Binder) { b.disallowUnknown = true }
}

// Validator makes the Binder validate with v instead of its own instance,
// so that custom validations and aliases registered on v apply. The Binder
// does not change v, so the notblank tag works only if v registers it
// (validators.NotBlank from the validator's non-standard package). A nil v
// turns validation off.
func Validator(v *validator.Validate) Option {
	return func(b *Binder) { b.validate = v }
}

// New returns a Binder with the options applied. Its own validator knows
// the validator's standard tags plus notblank: "required" accepts "   ",
// which a person calls empty, and an application that trims afterwards
// can only report it once every other field is valid.
func New(opts ...Option) *Binder {
	v := validator.New(validator.WithRequiredStructEnabled())
	// Registering a well-formed tag on a fresh instance cannot fail.
	_ = v.RegisterValidation("notblank", validators.NotBlank)
	b := &Binder{
		maxBody:  DefaultMaxBodySize,
		validate: v,
	}
	for _, o := range opts {
		o(b)
	}
	return b
}

// Check reports whether values of type t can be bound: t is the input type
// of a typed handler (a struct, a pointer to one, or a type decoded from
// the JSON body alone). The error names the type and the field at fault:
// an unknown conversion, a malformed or misplaced binding tag, or a
// validate tag the validator refuses. The plan it builds is cached, so the
// first request pays nothing extra.
func (b *Binder) Check(t reflect.Type) error {
	_, err := b.plan(t)
	return err
}

func (b *Binder) plan(t reflect.Type) (*plan, error) {
	if e, ok := b.plans.Load(t); ok {
		e := e.(*planEntry)
		return e.p, e.err
	}
	p, err := newPlan(t)
	if err == nil && p.isStruct && b.validate != nil {
		err = probeValidator(b.validate, t)
	}
	e, _ := b.plans.LoadOrStore(t, &planEntry{p, err})
	pe := e.(*planEntry)
	return pe.p, pe.err
}

// probeValidator validates a zero value of t so that a malformed validate
// tag is reported now. The validator panics on malformed tags and has no
// other way to check them; the recover is confined to this probe so that
// Bind itself never meets the panic (the plan cache keeps the error).
func probeValidator(v *validator.Validate, t reflect.Type) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("binding: %v: validate tag: %v", t, r)
		}
	}()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	_ = v.Struct(reflect.New(t).Interface())
	return nil
}

// Bind fills the value dst points to from r and ps, then validates it.
// Every error is a *handler.Error: 400, 413 or 415 for a bad request (see
// the package documentation), 500 when dst cannot be bound at all.
func (b *Binder) Bind(r *http.Request, ps handler.Params, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &handler.Error{
			Status:  http.StatusInternalServerError,
			Message: http.StatusText(http.StatusInternalServerError),
			Err:     fmt.Errorf("binding: Bind needs a non-nil pointer, got %T", dst),
		}
	}
	p, err := b.plan(rv.Type().Elem())
	if err != nil {
		return &handler.Error{Status: http.StatusInternalServerError, Message: http.StatusText(http.StatusInternalServerError), Err: err}
	}
	v := rv.Elem()
	if v.Kind() == reflect.Pointer {
		// A typed handler whose input is *T: give it a T to fill.
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}

	// A field the JSON body or a conversion got wrong is reported together
	// with every validation error of the other fields, so a client fixes
	// its input in one round instead of one field at a time.
	form, formBody, err := b.decodeBody(r, p, v)
	var bad []handler.FieldError
	if err != nil {
		he, ok := errors.AsType[*handler.Error](err)
		if !ok || he.Status != http.StatusBadRequest || len(he.Fields) == 0 || !p.isStruct {
			return err
		}
		bad = he.Fields
	}
	if !p.isStruct {
		return nil
	}
	var buf [4]string // holds a field's values without allocating, mostly
	for i := range p.fields {
		f := &p.fields[i]
		var vals []string
		switch f.src {
		case fromPath:
			for _, pr := range ps {
				if pr.Key == f.key {
					vals = append(buf[:0], pr.Value)
					break
				}
			}
		case fromQuery:
			vals = queryValues(buf[:0], r.URL.RawQuery, f.key)
		case fromHeader:
			vals = r.Header[f.key]
		case fromForm:
			if !formBody {
				// A JSON body (or none) filled the field by its JSON name.
				continue
			}
			vals = form[f.key]
		}
		if msg, ok := f.conv.set(v.FieldByIndex(f.index), vals); !ok {
			bad = append(bad, handler.FieldError{Field: f.name, Message: msg})
		}
	}
	if b.validate != nil {
		if err := b.validate.StructCtx(r.Context(), v.Addr().Interface()); err != nil {
			verr := validationError(err, v.Type(), p, formBody)
			if bad == nil {
				return verr
			}
			he, ok := errors.AsType[*handler.Error](verr)
			if !ok || he.Status != http.StatusBadRequest {
				return verr
			}
			bad = mergeFieldErrors(bad, he.Fields)
		}
	}
	if bad != nil {
		return &handler.Error{Status: http.StatusBadRequest, Message: "bad request", Fields: bad, Err: err}
	}
	return nil
}

// mergeFieldErrors appends the validation errors of the fields that
// binding did not already report: a value that failed to convert was left
// at its zero value, so "is required" about it would only mislead. Paths
// are compared without indices, which encoding/json does not report.
func mergeFieldErrors(bad, validated []handler.FieldError) []handler.FieldError {
	seen := make(map[string]bool, len(bad))
	for _, fe := range bad {
		seen[withoutIndices(fe.Field)] = true
	}
	for _, fe := range validated {
		if !seen[withoutIndices(fe.Field)] {
			bad = append(bad, fe)
		}
	}
	return bad
}

// withoutIndices drops the [index] parts of a field path: "[0].name" and
// "items[2].title" become "name" and "items.title".
func withoutIndices(path string) string {
	var out strings.Builder
	for path != "" {
		if path[0] == '[' {
			n := closingBracket(path)
			path = path[n:]
			continue
		}
		out.WriteByte(path[0])
		path = path[1:]
	}
	return strings.TrimPrefix(out.String(), ".")
}

// decodeBody reads the body, if the request has one, into v (or its body
// field). A form body is returned instead, with formBody set.
func (b *Binder) decodeBody(r *http.Request, p *plan, v reflect.Value) (form url.Values, formBody bool, err error) {
	if !hasBody(r) {
		return nil, false, nil
	}
	buf := b.buffer()
	defer b.release(buf)
	// Without the ResponseWriter the server cannot be told to close the
	// connection; it still refuses to drain an oversized body.
	if _, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, b.maxBody)); err != nil {
		if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, false, &handler.Error{
				Status:  http.StatusRequestEntityTooLarge,
				Message: fmt.Sprintf("request body exceeds %d bytes", mbe.Limit),
				Err:     err,
			}
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			// The server's read deadline (portico.Config.ReadTimeout)
			// passed: the client was too slow, the request was not bad.
			return nil, false, &handler.Error{Status: http.StatusRequestTimeout, Message: "request body not received in time", Err: err}
		}
		return nil, false, &handler.Error{Status: http.StatusBadRequest, Message: "could not read request body", Err: err}
	}
	data := buf.Bytes()
	if len(data) == 0 {
		return nil, false, nil
	}
	switch mediaType(r.Header.Get("Content-Type")) {
	case mediaJSON:
		target := v
		if p.body != nil {
			target = v.FieldByIndex(p.body)
		}
		return nil, false, b.decodeJSON(data, target)
	case mediaForm:
		if p.hasForm {
			form, err := url.ParseQuery(string(data))
			if err != nil {
				return nil, false, &handler.Error{Status: http.StatusBadRequest, Message: "malformed form body", Err: err}
			}
			return form, true, nil
		}
	}
	return nil, false, &handler.Error{
		Status:  http.StatusUnsupportedMediaType,
		Message: "unsupported media type",
		Err:     fmt.Errorf("binding: body with Content-Type %q", r.Header.Get("Content-Type")),
	}
}

// hasBody reports whether r may carry a body Bind should read. A
// Content-Length of -1 means unknown (chunked, or HTTP/2 without the
// header): the body is read and an empty one counts as none.
func hasBody(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return false
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodConnect:
		return false
	}
	return true
}

type media uint8

const (
	mediaOther media = iota
	mediaJSON
	mediaForm
)

// mediaType classifies a Content-Type without mime.ParseMediaType, which
// allocates a map per call.
func mediaType(ct string) media {
	ct, _, _ = strings.Cut(ct, ";")
	ct = strings.TrimSpace(ct)
	if strings.EqualFold(ct, "application/x-www-form-urlencoded") {
		return mediaForm
	}
	typ, sub, ok := strings.Cut(ct, "/")
	if !ok || !strings.EqualFold(typ, "application") || strings.ContainsAny(sub, " \t/") {
		return mediaOther
	}
	if strings.EqualFold(sub, "json") || len(sub) > len("+json") && strings.EqualFold(sub[len(sub)-len("+json"):], "+json") {
		return mediaJSON
	}
	return mediaOther
}

func (b *Binder) decodeJSON(data []byte, target reflect.Value) error {
	dst := target.Addr().Interface()
	var err error
	if b.disallowUnknown {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		err = dec.Decode(dst)
		if err == nil && len(bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")) > 0 {
			return &handler.Error{Status: http.StatusBadRequest, Message: "unexpected data after the JSON value"}
		}
	} else {
		err = json.Unmarshal(data, dst)
	}
	if err == nil {
		return nil
	}
	return jsonError(err, target.Type())
}

const maxPooledBuffer = 64 << 10

func (b *Binder) buffer() *bytes.Buffer {
	if buf, ok := b.bufs.Get().(*bytes.Buffer); ok {
		return buf
	}
	return new(bytes.Buffer)
}

func (b *Binder) release(buf *bytes.Buffer) {
	// Keep big buffers out of the pool: one large request would otherwise
	// pin its memory for good.
	if buf.Cap() > maxPooledBuffer {
		return
	}
	buf.Reset()
	b.bufs.Put(buf)
}

// jsonTypeName says what a client calls the JSON type a Go type decodes
// from.
func jsonTypeName(t reflect.Type) string {
	if t == nil {
		return "a valid value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a valid value"
}

func jsonError(err error, t reflect.Type) error {
	if e, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		msg := "must be " + jsonTypeName(e.Type)
		if strings.HasPrefix(e.Value, "number") && jsonTypeName(e.Type) == "an integer" {
			// "number 1.5" or "number 300" into an int8: the type is right
			// but the value is not.
			msg = "must be an integer in range"
		}
		if e.Field == "" {
			return &handler.Error{Status: http.StatusBadRequest, Message: "request body " + msg, Err: err}
		}
		return &handler.Error{
			Status:  http.StatusBadRequest,
			Message: "bad request",
			Fields:  []handler.FieldError{{Field: jsonPath(t, e.Field), Message: msg}},
			Err:     err,
		}
	}
	if _, ok := errors.AsType[*json.SyntaxError](err); ok || errors.Is(err, io.ErrUnexpectedEOF) {
		msg := "malformed JSON"
		if strings.Contains(err.Error(), "after top-level value") {
			msg = "unexpected data after the JSON value"
		}
		return &handler.Error{Status: http.StatusBadRequest, Message: msg, Err: err}
	}
	// encoding/json reports unknown fields with an unexported error type.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if n, qerr := strconv.Unquote(name); qerr == nil {
			name = n
		}
		if name == "" {
			// {"": 1}: there is no name to report the field by.
			return &handler.Error{Status: http.StatusBadRequest, Message: "request body has a key that is not a known field", Err: err}
		}
		return &handler.Error{
			Status:  http.StatusBadRequest,
			Message: "bad request",
			Fields:  []handler.FieldError{{Field: name, Message: "is not a known field"}},
			Err:     err,
		}
	}
	// An UnmarshalJSON or UnmarshalText method failed; its text is not
	// known to be safe to show.
	return &handler.Error{Status: http.StatusBadRequest, Message: "invalid JSON value", Err: err}
}
