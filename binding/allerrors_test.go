package binding_test

import (
	"reflect"
	"testing"

	"github.com/portico-go/portico/binding"
	"github.com/portico-go/portico/handler"
)

type bookForm struct {
	Title string `json:"title" form:"title" validate:"notblank,max=10"`
	Year  int    `json:"year" form:"year" validate:"omitempty,min=1,max=2100"`
	Page  int    `query:"page" validate:"omitempty,min=1"`
}

// TestBindReportsEveryField: a value that fails to decode or convert is
// reported together with the validation errors of the other fields, and a
// blank title is refused by the validator, not left to the handler.
func TestBindReportsEveryField(t *testing.T) {
	tests := []struct {
		name, target, ct, body string
		want                   []handler.FieldError
	}{
		{"blank title with a bad year", "/", "application/json", `{"title":"   ","year":3000}`,
			[]handler.FieldError{{Field: "title", Message: "must not be blank"}, {Field: "year", Message: "must be at most 2100"}}},
		{"JSON type error and a blank title", "/", "application/json", `{"title":" ","year":"abc"}`,
			[]handler.FieldError{{Field: "year", Message: "must be an integer"}, {Field: "title", Message: "must not be blank"}}},
		{"form conversion error and a blank title", "/", "application/x-www-form-urlencoded", `title=&year=abc`,
			[]handler.FieldError{{Field: "year", Message: "must be a valid integer"}, {Field: "title", Message: "must not be blank"}}},
		{"query conversion error and a long title", "/?page=x", "application/json", `{"title":"12345678901"}`,
			[]handler.FieldError{{Field: "page", Message: "must be a valid integer"}, {Field: "title", Message: "must have at most 10 characters"}}},
		{"type error on a valid rest", "/", "application/json", `{"title":"ok","year":"abc"}`,
			[]handler.FieldError{{Field: "year", Message: "must be an integer"}}},
	}
	b := binding.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in bookForm
			err := b.Bind(newRequest("POST", tt.target, tt.ct, tt.body), nil, &in)
			if got := fieldsOf(err); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fields = %v, want %v (error %v)", got, tt.want, err)
			}
		})
	}
	if err := b.Bind(newRequest("POST", "/", "application/json", `{"title":"Dune","year":1965}`), nil, &bookForm{}); err != nil {
		t.Errorf("valid input: %v", err)
	}
}
