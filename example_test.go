package portico_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"go.uber.org/fx"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
	"github.com/portico-go/portico/registry"
)

// BookController is a controller contributed through fx.
type BookController struct{}

// RegisterRoutes maps the controller's handlers.
func (BookController) RegisterRoutes(d *dispatcher.Dispatcher) error {
	type in struct {
		ID int `path:"id" validate:"min=1"`
	}
	return d.GET("/book/{id}", handler.Typed(func(ctx context.Context, in in) (map[string]any, error) {
		return map[string]any{"id": in.ID, "title": "Go in Action"}, nil
	}))
}

func Example() {
	var srv *portico.Server
	app := fx.New(
		fx.NopLogger,
		portico.Module,
		fx.Supply(&portico.Config{Addr: "127.0.0.1:0"}),
		fx.Provide(
			portico.AsRegistrar(func() BookController { return BookController{} }),
			portico.AsInterceptor(func() *registry.Registration {
				stamp := interceptor.Funcs{Pre: func(w http.ResponseWriter, r *http.Request, rt *handler.Route) (bool, error) {
					w.Header().Set("X-Route", rt.Path)
					return true, nil
				}}
				return registry.NewRegistration(stamp).AddPathPatterns("/book/**")
			}),
		),
		fx.Populate(&srv),
	)
	if err := app.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	defer app.Stop(context.Background())

	resp, err := http.Get("http://" + srv.Addr() + "/book/7")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, resp.Header.Get("X-Route"))
	fmt.Print(string(body))
	// Output:
	// 200 /book/{id}
	// {"id":7,"title":"Go in Action"}
}
