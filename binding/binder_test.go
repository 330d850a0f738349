package binding_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/portico-go/portico/binding"
	"github.com/portico-go/portico/handler"
)

type Pagination struct {
	Page int `query:"page" validate:"min=1"`
	Size int `query:"size" validate:"omitempty,max=100"`
}

type Author struct {
	Name  string `json:"name" validate:"required"`
	Email string `json:"email" validate:"omitempty,email"`
}

type CreateBook struct {
	Pagination
	Shelf   string         `path:"shelf"`
	ID      int64          `path:"id"`
	Tags    []string       `query:"tag"`
	Limit   *uint8         `query:"limit"`
	Ratio   float64        `query:"ratio"`
	Verbose bool           `query:"verbose"`
	Timeout time.Duration  `query:"timeout"`
	Since   *time.Time     `query:"since"`
	Addr    netip.Addr     `query:"addr"`
	Codes   []int          `query:"code"`
	TraceID string         `header:"X-Request-Id"`
	Accept  []string       `header:"accept"`
	Title   string         `json:"title" validate:"required,max=10"`
	Year    int            `json:"year" validate:"gte=1450"`
	Author  *Author        `json:"author" validate:"required"`
	Notes   []string       `json:"notes" validate:"max=2"`
	Extra   map[string]int `json:"extra,omitempty"`
}

func newRequest(method, target, contentType, body string) *http.Request {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

var bookParams = handler.Params{{Key: "shelf", Value: "fiction"}, {Key: "id", Value: "42"}}

func ptr[T any](v T) *T { return &v }

func TestBindAllSources(t *testing.T) {
	r := newRequest("POST", "/shelves/fiction/books/42?page=2&tag=a&tag=b&limit=7&ratio=0.5&verbose=true&timeout=1m30s&since=2024-05-01T10:00:00Z&addr=10.0.0.1&code=1&code=&code=3",
		"application/json; charset=utf-8",
		`{"title":"Dune","year":1965,"author":{"name":"Frank Herbert"},"notes":["classic"],"id":7,"page":9}`)
	r.Header.Set("X-Request-Id", "abc")
	r.Header.Add("Accept", "text/html")
	r.Header.Add("Accept", "application/json")

	var got CreateBook
	if err := binding.New().Bind(r, bookParams, &got); err != nil {
		t.Fatalf("Bind: %v", err)
	}
	want := CreateBook{
		Pagination: Pagination{Page: 2},
		Shelf:      "fiction",
		ID:         42, // the path wins over the body's "id"
		Tags:       []string{"a", "b"},
		Limit:      ptr(uint8(7)),
		Ratio:      0.5,
		Verbose:    true,
		Timeout:    90 * time.Second,
		Since:      ptr(time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)),
		Addr:       netip.MustParseAddr("10.0.0.1"),
		Codes:      []int{1, 3},
		TraceID:    "abc",
		Accept:     []string{"text/html", "application/json"},
		Title:      "Dune",
		Year:       1965,
		Author:     &Author{Name: "Frank Herbert"},
		Notes:      []string{"classic"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Bind:\n got %+v\nwant %+v", got, want)
	}
}

func TestBindAbsentAndEmpty(t *testing.T) {
	r := newRequest("GET", "/x?page=1&limit=&ratio=&verbose=", "", "")
	var got CreateBook
	err := binding.New(binding.Validator(nil)).Bind(r, nil, &got)
	if err != nil {
		t.Fatalf("Bind: %v", err)
	}
	if got.Limit != nil || got.Ratio != 0 || got.Verbose || got.Tags != nil || got.Since != nil {
		t.Errorf("absent or empty values did not leave zero values: %+v", got)
	}
}

func TestBindErrors(t *testing.T) {
	const validBody = `{"title":"Dune","year":1965,"author":{"name":"F"}}`
	tests := []struct {
		name        string
		opts        []binding.Option
		method      string
		target      string
		contentType string
		body        string
		status      int
		message     string
		fields      []handler.FieldError
	}{
		{
			name: "conversion", method: "POST",
			target:      "/x?page=x&limit=300&ratio=NaN&verbose=maybe&timeout=5&since=yesterday&addr=nope&code=1&code=two",
			contentType: "application/json", body: validBody,
			status: 400, message: "bad request",
			fields: []handler.FieldError{
				{Field: "page", Message: "must be a valid integer"},
				{Field: "limit", Message: "is out of range"},
				{Field: "ratio", Message: "must be a valid number"},
				{Field: "verbose", Message: "must be true or false"},
				{Field: "timeout", Message: "must be a duration such as 1m30s"},
				{Field: "since", Message: "must be an RFC 3339 time"},
				{Field: "addr", Message: "is invalid"},
				{Field: "code", Message: "must be a valid integer"},
			},
		},
		{
			name: "validation", method: "POST", target: "/x?page=0&size=101",
			contentType: "application/json",
			body:        `{"title":"A very long title","year":1000,"author":{"email":"nope"},"notes":["a","b","c"]}`,
			status:      400, message: "validation failed",
			fields: []handler.FieldError{
				{Field: "page", Message: "must be at least 1"},
				{Field: "size", Message: "must be at most 100"},
				{Field: "title", Message: "must have at most 10 characters"},
				{Field: "year", Message: "must be at least 1450"},
				{Field: "author.name", Message: "is required"},
				{Field: "author.email", Message: "must be a valid email address"},
				{Field: "notes", Message: "must have at most 2 items"},
			},
		},
		{
			name: "required nested struct", method: "POST", target: "/x?page=1",
			contentType: "application/json", body: `{"title":"T","year":2000}`,
			status: 400, message: "validation failed",
			fields: []handler.FieldError{{Field: "author", Message: "is required"}},
		},
		{
			name: "no body", method: "POST", target: "/x?page=1",
			status: 400, message: "validation failed",
			fields: []handler.FieldError{
				{Field: "title", Message: "is required"},
				{Field: "year", Message: "must be at least 1450"},
				{Field: "author", Message: "is required"},
			},
		},
		{
			name: "malformed JSON", method: "POST", target: "/x?page=1",
			contentType: "application/json", body: `{"title":`,
			status: 400, message: "malformed JSON",
		},
		{
			name: "trailing data", method: "POST", target: "/x?page=1",
			contentType: "application/json", body: validBody + ` {}`,
			status: 400, message: "unexpected data after the JSON value",
		},
		{
			name: "trailing data, strict decoder", opts: []binding.Option{binding.DisallowUnknownFields()},
			method: "POST", target: "/x?page=1",
			contentType: "application/json", body: validBody + ` x`,
			status: 400, message: "unexpected data after the JSON value",
		},
		{
			name: "wrong JSON type", method: "POST", target: "/x?page=1",
			contentType: "application/json", body: `{"title":"T","year":"1965","author":{"name":"F"}}`,
			status: 400, message: "bad request",
			fields: []handler.FieldError{{Field: "year", Message: "must be an integer"}},
		},
		{
			name: "wrong nested JSON type", method: "POST", target: "/x?page=1",
			contentType: "application/json", body: `{"title":"T","year":1965,"author":{"name":5}}`,
			status: 400, message: "bad request",
			fields: []handler.FieldError{{Field: "author.name", Message: "must be a string"}},
		},
		{
			name: "fraction into integer", method: "POST", target: "/x?page=1",
			contentType: "application/json", body: `{"title":"T","year":1965.5,"author":{"name":"F"}}`,
			status: 400, message: "bad request",
			fields: []handler.FieldError{{Field: "year", Message: "must be an integer in range"}},
		},
		{
			name: "array body for a struct", method: "POST", target: "/x?page=1",
			contentType: "application/json", body: `[1,2]`,
			status: 400, message: "request body must be an object",
		},
		{
			name: "unknown field allowed", method: "POST", target: "/x?page=1",
			contentType: "application/json", body: `{"title":"T","year":1965,"author":{"name":"F"},"colour":"red"}`,
			status: 0,
		},
		{
			name: "unknown field refused", opts: []binding.Option{binding.DisallowUnknownFields()},
			method: "POST", target: "/x?page=1",
			contentType: "application/json", body: `{"title":"T","year":1965,"author":{"name":"F"},"colour":"red"}`,
			status: 400, message: "bad request",
			fields: []handler.FieldError{{Field: "colour", Message: "is not a known field"}},
		},
		{
			name: "unknown empty key", opts: []binding.Option{binding.DisallowUnknownFields()},
			method: "POST", target: "/x?page=1",
			contentType: "application/json", body: `{"":0}`,
			status: 400, message: "request body has a key that is not a known field",
		},
		{
			name: "too large", opts: []binding.Option{binding.MaxBodySize(16)},
			method: "POST", target: "/x?page=1",
			contentType: "application/json", body: validBody,
			status: 413, message: "request body exceeds 16 bytes",
		},
		{
			name: "exactly at the limit", opts: []binding.Option{binding.MaxBodySize(int64(len(validBody)))},
			method: "POST", target: "/x?page=1",
			contentType: "application/json", body: validBody,
			status: 0,
		},
		{
			name: "text/plain", method: "POST", target: "/x?page=1",
			contentType: "text/plain", body: validBody,
			status: 415, message: "unsupported media type",
		},
		{
			name: "missing Content-Type", method: "PUT", target: "/x?page=1",
			body:   validBody,
			status: 415, message: "unsupported media type",
		},
		{
			name: "form without form fields", method: "POST", target: "/x?page=1",
			contentType: "application/x-www-form-urlencoded", body: "title=T",
			status: 415, message: "unsupported media type",
		},
		{
			name: "json suffix type", method: "PATCH", target: "/x?page=1",
			contentType: "Application/Merge-Patch+JSON", body: validBody,
			status: 0,
		},
		{
			name: "jsonx is not json", method: "POST", target: "/x?page=1",
			contentType: "application/jsonx", body: validBody,
			status: 415, message: "unsupported media type",
		},
		{
			name: "GET body ignored", method: "GET", target: "/x?page=1",
			contentType: "text/plain", body: "not even JSON",
			status: 400, message: "validation failed",
			fields: []handler.FieldError{
				{Field: "title", Message: "is required"},
				{Field: "year", Message: "must be at least 1450"},
				{Field: "author", Message: "is required"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(tt.method, tt.target, tt.contentType, tt.body)
			var in CreateBook
			err := binding.New(tt.opts...).Bind(r, nil, &in)
			if tt.status == 0 {
				if err != nil {
					t.Fatalf("Bind: %v, want success", err)
				}
				return
			}
			he, ok := errors.AsType[*handler.Error](err)
			if !ok {
				t.Fatalf("Bind error = %v (%T), want *handler.Error", err, err)
			}
			if he.Status != tt.status || he.Message != tt.message {
				t.Errorf("Bind error = %d %q, want %d %q", he.Status, he.Message, tt.status, tt.message)
			}
			if !reflect.DeepEqual(he.Fields, tt.fields) {
				t.Errorf("Fields:\n got %v\nwant %v", he.Fields, tt.fields)
			}
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok != (tt.status == 413) {
				t.Errorf("error wraps *http.MaxBytesError: %v, want %v", ok, tt.status == 413)
			}
		})
	}
}

type ImportBooks struct {
	Shelf string   `path:"shelf"`
	Books []Author `body:"" validate:"min=1,dive"`
}

func TestBindBodyField(t *testing.T) {
	b := binding.New()
	r := newRequest("POST", "/", "application/json", `[{"name":"A"},{"name":"B"}]`)
	var in ImportBooks
	if err := b.Bind(r, handler.Params{{Key: "shelf", Value: "s"}}, &in); err != nil {
		t.Fatalf("Bind: %v", err)
	}
	want := ImportBooks{Shelf: "s", Books: []Author{{Name: "A"}, {Name: "B"}}}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("got %+v, want %+v", in, want)
	}

	r = newRequest("POST", "/", "application/json", `[{"name":"A"},{"email":"x"}]`)
	err := b.Bind(r, nil, &ImportBooks{})
	he, _ := errors.AsType[*handler.Error](err)
	want2 := []handler.FieldError{
		{Field: "[1].name", Message: "is required"},
		{Field: "[1].email", Message: "must be a valid email address"},
	}
	if he == nil || !reflect.DeepEqual(he.Fields, want2) {
		t.Errorf("Bind error = %v with fields %v, want fields %v", err, fieldsOf(err), want2)
	}

	r = newRequest("POST", "/", "application/json", `[{"name":1}]`)
	err = b.Bind(r, nil, &ImportBooks{})
	// encoding/json does not report indices in its paths.
	if got, want := fieldsOf(err), []handler.FieldError{{Field: "name", Message: "must be a string"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}
}

func fieldsOf(err error) []handler.FieldError {
	if he, ok := errors.AsType[*handler.Error](err); ok {
		return he.Fields
	}
	return nil
}

type SignUp struct {
	Email string   `form:"email" json:"email" validate:"required,email"`
	Name  string   `form:"name" json:"name"`
	Roles []string `form:"role" json:"roles"`
	Next  string   `query:"next"`
}

func TestBindForm(t *testing.T) {
	b := binding.New()
	r := newRequest("POST", "/signup?next=/home", "application/x-www-form-urlencoded", "email=a%40b.c&name=Ann&role=x&role=y")
	var in SignUp
	if err := b.Bind(r, nil, &in); err != nil {
		t.Fatalf("Bind: %v", err)
	}
	want := SignUp{Email: "a@b.c", Name: "Ann", Roles: []string{"x", "y"}, Next: "/home"}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("form: got %+v, want %+v", in, want)
	}

	// The same struct accepts JSON through its json names.
	r = newRequest("POST", "/signup", "application/json", `{"email":"a@b.c","name":"Ann","roles":["x"]}`)
	in = SignUp{}
	if err := b.Bind(r, nil, &in); err != nil {
		t.Fatalf("Bind JSON: %v", err)
	}
	if want := (SignUp{Email: "a@b.c", Name: "Ann", Roles: []string{"x"}}); !reflect.DeepEqual(in, want) {
		t.Errorf("JSON: got %+v, want %+v", in, want)
	}

	r = newRequest("POST", "/signup", "application/x-www-form-urlencoded", "email=nope")
	if got, want := fieldsOf(b.Bind(r, nil, &SignUp{})), []handler.FieldError{{Field: "email", Message: "must be a valid email address"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("form validation fields = %v, want %v", got, want)
	}

	r = newRequest("POST", "/signup", "application/x-www-form-urlencoded", "email=%zz")
	if he, _ := errors.AsType[*handler.Error](b.Bind(r, nil, &SignUp{})); he == nil || he.Status != 400 {
		t.Errorf("malformed form: got %v, want 400", he)
	}
}

type Renamed struct {
	Size int `json:"size,omitempty" validate:"max=3"`
	Raw  int `validate:"max=3"`
	Skip int `json:"-" validate:"max=3"`
	Wrap struct {
		Deep []map[string]Author `json:"deep" validate:"dive,dive"`
	} `json:"wrap"`
}

func TestValidationNames(t *testing.T) {
	r := newRequest("POST", "/", "application/json", `{"size":4,"Raw":4,"wrap":{"deep":[{"k.1]":{"name":""}}]}}`)
	in := Renamed{Skip: 0}
	err := binding.New().Bind(r, nil, &in)
	want := []handler.FieldError{
		{Field: "size", Message: "must be at most 3"},
		{Field: "Raw", Message: "must be at most 3"},
		{Field: "wrap.deep[0][k.1]].name", Message: "is required"},
	}
	if got := fieldsOf(err); !reflect.DeepEqual(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}
}

func TestBindPointerAndNonStructInputs(t *testing.T) {
	b := binding.New()
	var p *Author
	r := newRequest("POST", "/", "application/json", `{"name":"A"}`)
	if err := b.Bind(r, nil, &p); err != nil || p == nil || p.Name != "A" {
		t.Errorf("Bind(**Author) = %v, %+v", err, p)
	}

	var list []int
	r = newRequest("POST", "/", "application/json", `[1,2,3]`)
	if err := b.Bind(r, nil, &list); err != nil || !reflect.DeepEqual(list, []int{1, 2, 3}) {
		t.Errorf("Bind(*[]int) = %v, %v", err, list)
	}

	var e handler.Empty
	if err := b.Bind(newRequest("DELETE", "/", "", ""), nil, &e); err != nil {
		t.Errorf("Bind(Empty) = %v", err)
	}

	for _, dst := range []any{nil, Author{}, (*Author)(nil)} {
		err := b.Bind(newRequest("GET", "/", "", ""), nil, dst)
		if he, ok := errors.AsType[*handler.Error](err); !ok || he.Status != 500 {
			t.Errorf("Bind(%T) = %v, want a 500 *handler.Error", dst, err)
		}
	}
}

// chunked makes r look like a chunked request: no Content-Length.
type chunked struct{ io.Reader }

func (chunked) Close() error { return nil }

func TestBindUnknownLength(t *testing.T) {
	b := binding.New(binding.Validator(nil))
	for _, tc := range []struct {
		body string
		want string
	}{
		{"", ""},
		{`{"name":"A"}`, "A"},
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.Body, r.ContentLength = chunked{strings.NewReader(tc.body)}, -1
		r.TransferEncoding = []string{"chunked"}
		r.Header.Set("Content-Type", "application/json")
		var a Author
		if err := b.Bind(r, nil, &a); err != nil || a.Name != tc.want {
			t.Errorf("chunked body %q: Bind = %v, Name %q; want nil, %q", tc.body, err, a.Name, tc.want)
		}
	}
}

func TestCustomValidator(t *testing.T) {
	v := validator.New()
	if err := v.RegisterValidation("shelfcode", func(fl validator.FieldLevel) bool {
		return len(fl.Field().String()) == 13
	}); err != nil {
		t.Fatal(err)
	}
	type In struct {
		ISBN string `query:"isbn" validate:"shelfcode"`
	}
	b := binding.New(binding.Validator(v))
	if err := b.Check(reflect.TypeFor[In]()); err != nil {
		t.Fatalf("Check: %v", err)
	}
	err := b.Bind(newRequest("GET", "/?isbn=123", "", ""), nil, &In{})
	want := []handler.FieldError{{Field: "isbn", Message: "is invalid (shelfcode)"}}
	if got := fieldsOf(err); !reflect.DeepEqual(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}
	// Without the custom validation, the tag is refused at registration.
	if err := binding.New().Check(reflect.TypeFor[In]()); err == nil || !strings.Contains(err.Error(), "shelfcode") {
		t.Errorf("Check with the default validator = %v, want an error naming shelfcode", err)
	}
}

type Embedded struct{ ID chan int }

type badEmbeddedPtr struct {
	*Pagination
}

type hidden struct {
	Q string `query:"q"`
}

type goodUnexportedEmbed struct {
	hidden
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		typ  reflect.Type
		want string // substring of the error; "" for none
	}{
		{"struct", reflect.TypeFor[CreateBook](), ""},
		{"pointer to struct", reflect.TypeFor[*CreateBook](), ""},
		{"empty", reflect.TypeFor[handler.Empty](), ""},
		{"slice", reflect.TypeFor[[]Author](), ""},
		{"unexported embedded struct", reflect.TypeFor[goodUnexportedEmbed](), ""},
		{"nil", nil, "nil type"},
		{"pointer to pointer", reflect.TypeFor[**CreateBook](), "pointer to pointer"},
		{"func", reflect.TypeFor[func()](), "func inputs"},
		{"map field", reflect.TypeFor[struct {
			M map[string]int `query:"m"`
		}](), "field M: query tag: unsupported type map[string]int"},
		{"struct field", reflect.TypeFor[struct {
			A Author `header:"a"`
		}](), "field A: header tag: unsupported type binding_test.Author"},
		{"slice of pointers", reflect.TypeFor[struct {
			P []*int `query:"p"`
		}](), "field P: query tag: unsupported type []*int"},
		{"empty name", reflect.TypeFor[struct {
			P int `query:""`
		}](), `field P: query tag ""`},
		{"two sources", reflect.TypeFor[struct {
			P int `query:"p" path:"p"`
		}](), "both path and query tags"},
		{"unexported", reflect.TypeFor[struct {
			p int `query:"p"`
		}](), "field p: query tag on an unexported field"},
		{"nested tag", reflect.TypeFor[struct {
			Page Pagination
		}](), "field Page.Page: binding tags are only read on top-level and embedded fields"},
		{"embedded pointer", reflect.TypeFor[badEmbeddedPtr](), "field Pagination.Page: binding tags inside an embedded pointer"},
		{"two bodies", reflect.TypeFor[struct {
			A []int `body:""`
			B []int `body:""`
		}](), "field B: more than one field tagged body"},
		{"body and query", reflect.TypeFor[struct {
			A []int `body:"" query:"a"`
		}](), "field A: body tag cannot be combined with a query tag"},
		{"bad validate tag", reflect.TypeFor[struct {
			A int `validate:"nosuchrule"`
		}](), "validate tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := binding.New()
			err := b.Check(tt.typ)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Check = %v, want an error containing %q", err, tt.want)
			}
			if tt.typ == nil {
				return
			}
			// Bind reports the same problem as a 500 rather than panicking.
			dst := reflect.New(tt.typ).Interface()
			berr := b.Bind(newRequest("GET", "/", "", ""), nil, dst)
			if he, ok := errors.AsType[*handler.Error](berr); !ok || he.Status != 500 || !errors.Is(berr, err) && he.Err.Error() != err.Error() {
				t.Errorf("Bind = %v, want a 500 wrapping %v", berr, err)
			}
		})
	}
}

func TestConcurrentBind(t *testing.T) {
	b := binding.New()
	done := make(chan error)
	for range 8 {
		go func() {
			r := newRequest("POST", "/x?page=1", "application/json", `{"title":"T","year":2000,"author":{"name":"A"}}`)
			var in CreateBook
			done <- b.Bind(r, bookParams, &in)
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

type Contributor struct {
	Author
	Role string `json:"role"`
}

type Anthology struct {
	Editor  Contributor    `json:"editor"`
	Authors []*Contributor `json:"authors"`
	Dotted  struct {
		N int `json:"n"`
	} `json:"a.b"`
}

func TestJSONTypeErrorPaths(t *testing.T) {
	tests := []struct {
		body string
		want string
	}{
		{`{"editor":{"name":1}}`, "editor.name"},
		{`{"editor":{"role":1}}`, "editor.role"},
		{`{"authors":[{"name":true}]}`, "authors.name"},
		{`{"a.b":{"n":"x"}}`, "a.b.n"},
	}
	for _, tt := range tests {
		r := newRequest("POST", "/", "application/json", tt.body)
		err := binding.New(binding.Validator(nil)).Bind(r, nil, &Anthology{})
		fields := fieldsOf(err)
		if len(fields) != 1 || fields[0].Field != tt.want {
			t.Errorf("body %s: fields = %v, want one naming %q", tt.body, fields, tt.want)
		}
	}
}

func TestQueryParsing(t *testing.T) {
	type In struct {
		A []string `query:"a b"`
		C []string `query:"c"`
	}
	// The same values url.ParseQuery finds: escapes decoded, pairs with a
	// semicolon or a bad escape skipped.
	r := newRequest("GET", "/?a+b=1&a%20b=2%2B3&&c=x;y&c=%zz&c&c=ok&a+b=", "", "")
	var in In
	if err := binding.New().Bind(r, nil, &in); err != nil {
		t.Fatal(err)
	}
	want := In{A: []string{"1", "2+3", ""}, C: []string{"", "ok"}}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("got %q, want %q", in, want)
	}
}
