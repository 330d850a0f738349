package dispatcher_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
)

func TestGroupSharesPrefixAndResolvers(t *testing.T) {
	type tag string
	errGone := errors.New("gone")
	d := dispatcher.New()
	books := d.Group("/book", dispatcher.WithMeta(tag("books")), dispatcher.WithExceptionResolver(
		dispatcher.ResolverFunc(func(r *http.Request, rt *handler.Route, err error) *handler.Result {
			if errors.Is(err, errGone) {
				return &handler.Result{Status: http.StatusGone, Body: handler.NewError(http.StatusGone, "book withdrawn")}
			}
			return nil
		})))
	fail := handler.Function(func(handler.Request) (*handler.Response, error) { return nil, errGone })
	must(t, books.GET("/{id}", fail))
	must(t, books.Group("/admin").DELETE("/{id}", fail))
	must(t, d.GET("/other", fail))
	for path, want := range map[string]int{"/book/1": 410, "/other": 500} {
		if w := serve(t, d, "GET", path); w.Code != want {
			t.Errorf("GET %s = %d, want %d", path, w.Code, want)
		}
	}
	if w := serve(t, d, "DELETE", "/book/admin/1"); w.Code != 410 {
		t.Errorf("nested group: %d", w.Code)
	}
	routes, err := d.Routes()
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) != 3 || routes[0].Path != "/book/admin/{id}" {
		t.Errorf("routes = %+v", routes)
	}
}
