package view_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/portico-go/portico/view"
)

// discard is a ResponseWriter that keeps nothing, so the benchmark
// measures rendering.
type discard struct{ h http.Header }

func (d discard) Header() http.Header       { return d.h }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

func BenchmarkRenderWithLayout(b *testing.B) {
	views, err := view.NewTemplates(site(), view.Prefix("templates/"),
		view.Layout("templates/layout.html"), view.Partials("templates/partials/*.html"))
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	model := map[string]any{"User": "ann", "Books": []string{"Dune", "Emma", "Ulysses"}}
	w := discard{http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		v, err := views.ResolveView("books/list")
		if err != nil {
			b.Fatal(err)
		}
		if err := v.Render(w, r, model); err != nil {
			b.Fatal(err)
		}
	}
}
