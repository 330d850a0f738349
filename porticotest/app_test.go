package porticotest_test

import (
	"net/http"
	"testing"

	"go.uber.org/fx"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor/login"
	"github.com/portico-go/portico/porticotest"
	"github.com/portico-go/portico/registry"
)

// wrapped is a filter's writer that hides the server's behind Unwrap, as
// compression or metrics filters do.
type wrapped struct{ http.ResponseWriter }

func (w wrapped) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func header(name string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("X-Filters", name)
			next.ServeHTTP(wrapped{w}, r)
		})
	}
}

// TestNewApp serves an fx application exactly as its server does: the
// group filters and Config.Filters around the dispatcher, the app's own
// login interceptor and auth.Manager.
func TestNewApp(t *testing.T) {
	app := fx.Options(
		portico.Module,
		fx.Supply(&portico.Config{Addr: "127.0.0.1:0", Filters: []func(http.Handler) http.Handler{header("plain")}}),
		fx.Provide(
			porticotest.NewAuthorities,
			func(t *testing.T) *auth.Manager { return porticotest.NewAuthManager(t) },
			func(m *auth.Manager, a *porticotest.Authorities) (*login.Interceptor, error) {
				return login.New(m, login.WithAuthorizer(a))
			},
			portico.AsFilter(func() portico.Filter { return portico.Filter{Name: "outer", Order: 100, Wrap: header("outer")} }),
			portico.AsInterceptor(func(li *login.Interceptor) *registry.Registration {
				return registry.NewRegistration(li).AddPathPatterns("/admin/**")
			}),
			portico.AsRegistrar(func() portico.Registrar {
				return portico.RegistrarFunc(func(d *dispatcher.Dispatcher) error {
					return d.GET("/admin/page", handler.ControllerFunc(func(http.ResponseWriter, *http.Request) (*handler.ModelAndView, error) {
						return handler.NewModelAndView("redirect:/done").AddObject("who", "admin"), nil
					}), dispatcher.WithMeta(login.RequireRoles(login.All, "admin")))
				})
			}),
		),
		fx.Supply(t),
	)
	kit := porticotest.NewApp(t, app)
	kit.GET("/admin/page").Do().Status(http.StatusUnauthorized).Reason("missing_token").
		HasHeader("X-Filters", "outer")
	r := kit.GET("/admin/page").As(porticotest.User{ID: "root", Roles: []string{"admin"}}).Do().
		Status(http.StatusFound).HasHeader("Location", "/done").View("redirect:/done").Model("who", "admin")
	if got := r.Header.Values("X-Filters"); len(got) != 2 || got[0] != "outer" || got[1] != "plain" {
		t.Errorf("filters ran as %q, want outer then plain", got)
	}
	kit.GET("/admin/page").As(porticotest.User{ID: "eve"}).Do().Status(http.StatusForbidden).Reason("forbidden")
}
