package cors_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/cors"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
	"github.com/portico-go/portico/registry"
)

// TestModule: through fx, a preflight for a route behind a login-style
// interceptor is answered by the filter; the actual request still meets
// the interceptor, and gets the CORS headers on its 401.
func TestModule(t *testing.T) {
	var srv *portico.Server
	app := fxtest.New(t,
		portico.Module,
		cors.Module,
		fx.Supply(&portico.Config{Addr: "127.0.0.1:0"}),
		fx.Provide(
			func() *cors.Registry {
				reg := cors.NewRegistry()
				reg.AddMapping("/api/**").AllowedOrigins("https://app.test").AllowedMethods("GET", "PUT").AllowCredentials(true)
				return reg
			},
			portico.AsInterceptor(func() *registry.Registration {
				return registry.NewRegistration(interceptor.Funcs{
					Pre: func(w http.ResponseWriter, r *http.Request, _ *handler.Route) (bool, error) {
						if r.Header.Get("Authorization") == "" {
							return false, handler.NewError(http.StatusUnauthorized, "login required")
						}
						return true, nil
					},
				}).AddPathPatterns("/**")
			}),
			portico.AsRegistrar(func() portico.Registrar {
				return portico.RegistrarFunc(func(d *dispatcher.Dispatcher) error {
					return d.PUT("/api/books/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
				})
			}),
		),
		fx.Populate(&srv),
	)
	app.RequireStart()
	defer app.RequireStop()

	do := func(method string, h map[string]string) *http.Response {
		req, _ := http.NewRequestWithContext(context.Background(), method, "http://"+srv.Addr()+"/api/books/1", nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := do("OPTIONS", map[string]string{"Origin": "https://app.test", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "Authorization"})
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.test" {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	resp = do("PUT", map[string]string{"Origin": "https://app.test"})
	if resp.StatusCode != 401 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.test" ||
		!strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "New-Token") {
		t.Errorf("actual: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestModuleRejectsWildcardWithCredentials(t *testing.T) {
	app := fx.New(
		portico.Module,
		cors.Module,
		fx.Supply(&portico.Config{Addr: "127.0.0.1:0"}),
		fx.Provide(func() *cors.Registry {
			reg := cors.NewRegistry()
			reg.AddMapping("/api/**").AllowCredentials(true)
			return reg
		}),
		fx.NopLogger,
	)
	if err := app.Err(); err == nil || !strings.Contains(err.Error(), `"/api/**"`) {
		t.Fatalf("start-up error %v, want one naming the mapping", err)
	}
}
