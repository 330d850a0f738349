package dispatcher_test

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
)

func TestRouteDetails(t *testing.T) {
	d := dispatcher.New(dispatcher.WithErrorRenderer(dispatcher.ProblemErrors{}))
	typed := handler.Typed(func(context.Context, handler.Empty) (int, error) { return 1, nil })
	if err := d.GET("/b/{id}", typed, dispatcher.WithMeta("m")); err != nil {
		t.Fatal(err)
	}
	if err := d.POST("/a", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})); err != nil {
		t.Fatal(err)
	}
	ic := interceptor.Funcs{}
	d.Interceptors().AddInterceptor(ic).AddPathPatterns("/b/**").Name("only-b")
	rds, err := d.RouteDetails()
	if err != nil {
		t.Fatal(err)
	}
	if len(rds) != 2 || rds[0].Route.Path != "/a" || rds[1].Route.Path != "/b/{id}" {
		t.Fatalf("routes %+v", rds)
	}
	if len(rds[0].Chain) != 0 || len(rds[1].Chain) != 1 || rds[1].Chain[0].Name != "only-b" || rds[1].Chain[0].Cond != nil {
		t.Errorf("chains: %+v / %+v", rds[0].Chain, rds[1].Chain)
	}
	if m, ok := handler.MetaOf[string](rds[1].Route); !ok || m != "m" {
		t.Errorf("meta %v", rds[1].Route.Meta)
	}
	th, ok := rds[1].Route.Handler.(interface{ OutputType() reflect.Type })
	if !ok || th.OutputType() != reflect.TypeFor[int]() {
		t.Errorf("typed handler output type not exposed")
	}
	if _, ok := d.ErrorRenderer().(dispatcher.ProblemErrors); !ok {
		t.Errorf("ErrorRenderer %T", d.ErrorRenderer())
	}
}
