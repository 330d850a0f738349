// Command example-app is Portico's example application.
package main

import (
	"flag"
	"net/http"
	"os"

	"go.uber.org/fx"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
)

func main() {
	addr := flag.String("addr", envOr("APP_ADDR", "127.0.0.1:8080"), "listen address")
	flag.Parse()
	fx.New(
		portico.Module,
		fx.Supply(&portico.Config{Addr: *addr}),
		fx.Provide(portico.AsRegistrar(func() portico.RegistrarFunc {
			return func(d *dispatcher.Dispatcher) error {
				return d.GET("/", handler.Function(func(r handler.Request) (*handler.Response, error) {
					return handler.NewResponse(http.StatusOK, map[string]string{"message": "Hello from Portico"}), nil
				}))
			}
		})),
	).Run()
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
