package dispatcher_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
)

func TestBareTypedFunctionNamesTyped(t *testing.T) {
	d := dispatcher.New()
	err := d.GET("/x", func(context.Context, handler.Empty) (string, error) { return "", nil })
	if err == nil || !strings.Contains(err.Error(), "handler.Typed(fn)") {
		t.Fatalf("bare typed function: %v, want an error naming handler.Typed", err)
	}
	err = d.GET("/y", 42)
	if err == nil || strings.Contains(err.Error(), "handler.Typed") {
		t.Errorf("an int handler: %v, want the generic error", err)
	}
}

func preNamed(http.ResponseWriter, *http.Request, *handler.Route) (bool, error) { return true, nil }

func TestFuncsNamesInRoutes(t *testing.T) {
	d := dispatcher.New()
	d.Interceptors().AddInterceptor(interceptor.Funcs{Pre: preNamed})
	d.Interceptors().AddInterceptor(interceptor.Funcs{Name: "audit"})
	d.Interceptors().AddInterceptor(interceptor.Funcs{After: func(http.ResponseWriter, *http.Request, *handler.Route, error) {}})
	must(t, d.GET("/x", text("x")))
	routes, err := d.Routes()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range routes[0].Chain {
		names = append(names, l.Name)
	}
	want := []string{"dispatcher_test.preNamed", "audit", "dispatcher_test.TestFuncsNamesInRoutes.func1"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("chain names %q, want %q", names, want)
	}
}

func TestStatusOfInAfterCompletion(t *testing.T) {
	var got int
	d := dispatcher.New()
	d.Interceptors().AddInterceptor(interceptor.Funcs{After: func(w http.ResponseWriter, _ *http.Request, _ *handler.Route, _ error) {
		got = handler.StatusOf(w)
	}})
	must(t, d.GET("/x", handler.Function(func(handler.Request) (*handler.Response, error) {
		return handler.NewResponse(http.StatusAccepted, "ok"), nil
	})))
	serve(t, d, "GET", "/x")
	if got != http.StatusAccepted {
		t.Errorf("StatusOf = %d, want 202", got)
	}
	if s := handler.StatusOf(nil); s != 0 {
		t.Errorf("StatusOf(nil) = %d", s)
	}
}

func TestRouteFor(t *testing.T) {
	d := dispatcher.New()
	d.Interceptors().AddInterceptor(interceptor.Funcs{Name: "audit"}).AddPathPatterns("/book/**")
	must(t, d.GET("/book/list", text("list")))
	must(t, d.GET("/book/{id}", text("book")))
	for _, tt := range []struct{ method, path, want string }{
		{"GET", "/book/list", "/book/list"},
		{"GET", "/book/7", "/book/{id}"},
		{"HEAD", "/book/7", "/book/{id}"},
		{"POST", "/book/7", ""},
		{"GET", "/nope", ""},
	} {
		ri, ok := d.RouteFor(tt.method, tt.path)
		if ok != (tt.want != "") || ri.Path != tt.want {
			t.Errorf("RouteFor(%s %s) = %q %v, want %q", tt.method, tt.path, ri.Path, ok, tt.want)
		}
		if ok && (len(ri.Chain) != 1 || ri.Chain[0].Name != "audit") {
			t.Errorf("RouteFor(%s %s) chain %v", tt.method, tt.path, ri.Chain)
		}
	}
}
