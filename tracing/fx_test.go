package tracing_test

import (
	"context"
	"net/http"
	"testing"

	"go.opentelemetry.io/otel/trace"
	"go.uber.org/fx"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/tracing"
)

func TestModule(t *testing.T) {
	for _, on := range []bool{true, false} {
		sr, tp := recorderProvider(t)
		opts := []fx.Option{
			fx.NopLogger, portico.Module, tracing.Module,
			fx.Supply(&portico.Config{Addr: "127.0.0.1:0"}),
			fx.Provide(portico.AsRegistrar(func() portico.Registrar {
				return portico.RegistrarFunc(func(d *dispatcher.Dispatcher) error {
					return d.GET("/book/{id}", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
				})
			})),
		}
		if on {
			opts = append(opts, fx.Supply(fx.Annotate(tp, fx.As(new(trace.TracerProvider)))))
		}
		var srv *portico.Server
		app := fx.New(append(opts, fx.Populate(&srv))...)
		if err := app.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get("http://" + srv.Addr() + "/book/3")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if err := app.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, s := range sr.Ended() {
			names[s.Name()] = true
		}
		if on && (!names["GET /book/{id}"] || !names["handle /book/{id}"]) {
			t.Errorf("with a provider: spans %v", names)
		}
		if !on && len(names) != 0 {
			t.Errorf("without a provider: spans %v", names)
		}
	}
}
