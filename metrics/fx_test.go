package metrics_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/fx"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/metrics"
)

func TestModule(t *testing.T) {
	var srv *portico.Server
	var obs auth.Observer
	app := fx.New(
		fx.NopLogger, portico.Module, metrics.Module,
		fx.Supply(&portico.Config{Addr: "127.0.0.1:0"}),
		fx.Provide(portico.AsRegistrar(func() portico.Registrar {
			return portico.RegistrarFunc(func(d *dispatcher.Dispatcher) error {
				return d.GET("/book/{id}", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			})
		})),
		fx.Populate(&srv, &obs),
	)
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Stop(context.Background())
	obs.LoginOutcome("success")
	for _, p := range []string{"/book/1", "/wp-admin", "/metrics"} {
		resp, err := http.Get("http://" + srv.Addr() + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if p != "/metrics" {
			continue
		}
		for _, want := range []string{
			`http_server_request_duration_seconds_count{method="GET",route="/book/{id}",status="200"} 1`,
			`http_server_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1`,
			`portico_auth_logins_total{outcome="success"} 1`,
		} {
			if !strings.Contains(string(body), want) {
				t.Errorf("/metrics lacks %q", want)
			}
		}
	}
}
