package portico_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/dispatcher"
)

func mark(name string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("X-Order", name)
			next.ServeHTTP(w, r)
		})
	}
}

func TestFiltersRunByOrder(t *testing.T) {
	var srv *portico.Server
	app := fxtest.New(t,
		portico.Module,
		fx.Supply(&portico.Config{Addr: "127.0.0.1:0", Filters: []func(http.Handler) http.Handler{mark("plain")}}),
		fx.Provide(
			portico.AsFilter(func() portico.Filter { return portico.Filter{Name: "late", Order: 300, Wrap: mark("late")} }),
			portico.AsFilter(func() portico.Filter { return portico.Filter{Name: "early", Order: 100, Wrap: mark("early")} }),
			portico.AsFilter(func() portico.Filter { return portico.Filter{Name: "a-tie", Order: 300, Wrap: mark("a-tie")} }),
			portico.AsRegistrar(func() portico.Registrar {
				return portico.RegistrarFunc(func(d *dispatcher.Dispatcher) error {
					return d.GET("/x", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "x") }))
				})
			}),
		),
		fx.Populate(&srv),
	)
	app.RequireStart()
	defer app.RequireStop()

	for _, path := range []string{"/x", "/missing"} {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://"+srv.Addr()+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got := strings.Join(resp.Header.Values("X-Order"), ",")
		if want := "early,a-tie,late,plain"; got != want {
			t.Errorf("%s: filters ran as %q, want %q", path, got, want)
		}
	}
}

func TestFilterWithoutWrapFailsStart(t *testing.T) {
	app := fx.New(
		portico.Module,
		fx.Supply(&portico.Config{Addr: "127.0.0.1:0"}),
		fx.Provide(portico.AsFilter(func() portico.Filter { return portico.Filter{Name: "broken", Order: 1} })),
		fx.NopLogger,
	)
	err := app.Err()
	if err == nil || !strings.Contains(err.Error(), `filter "broken"`) {
		t.Fatalf("start-up error = %v, want one naming the filter", err)
	}
}
