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
