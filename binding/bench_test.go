package binding_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portico-go/portico/binding"
	"github.com/portico-go/portico/handler"
)

type benchInput struct {
	ID    int64    `path:"id"`
	Page  int      `query:"page" validate:"min=1"`
	Tags  []string `query:"tag"`
	Title string   `json:"title" validate:"required,max=100"`
	Year  int      `json:"year" validate:"gte=0"`
}

// body is a reusable request body, so the benchmark measures Bind and not
// the request's construction.
type body struct{ *strings.Reader }

func (body) Close() error { return nil }

func benchmarkBind(b *testing.B, binder *binding.Binder) {
	const payload = `{"title":"The Left Hand of Darkness","year":1969}`
	r := httptest.NewRequest("POST", "/books/42?page=2&tag=sf&tag=classic", nil)
	r.Header.Set("Content-Type", "application/json")
	rd := strings.NewReader(payload)
	r.Body, r.ContentLength = body{rd}, int64(len(payload))
	ps := handler.Params{{Key: "id", Value: "42"}}
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(payload)
		var in benchInput
		if err := binder.Bind(r, ps, &in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBind binds a small struct from a path variable, two query
// parameters and a JSON body, then validates it.
func BenchmarkBind(b *testing.B) {
	benchmarkBind(b, binding.New())
}

// BenchmarkBindNoValidation isolates binding from validation.
func BenchmarkBindNoValidation(b *testing.B) {
	benchmarkBind(b, binding.New(binding.Validator(nil)))
}
