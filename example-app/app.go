package main

import (
	"log/slog"
	"net/http"

	"go.uber.org/fx"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/cors"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/view"
)

// newApp is the whole application as one fx option: portico.Module (the
// registry, the dispatcher and the HTTP server) plus the app's own modules.
// main runs it; tests start it in-process with fx.Populate(&*portico.Server)
// to learn the address.
func newApp(cfg Config, log *slog.Logger) fx.Option {
	return fx.Options(
		portico.Module,
		fx.Supply(cfg, log, serverConfig(cfg)),
		dataModule(),
		securityModule(),
		webModule(),
		corsModule(cfg.CORSOrigins),
		// Request ids, access log, metrics, tracing and health probes
		// (observability.go).
		observabilityModule(cfg),
		// The OpenAPI document and Swagger UI (apidocs.go).
		apiDocsModule(),
	)
}

// corsModule lets scripts on the given origins call the JSON API (Spring's
// CorsRegistry through the cors package); with none, it adds nothing and
// browsers keep cross-origin scripts out. Tokens travel in the
// Authorization header, not in cookies, so credentials stay off.
func corsModule(origins []string) fx.Option {
	if len(origins) == 0 {
		return fx.Options()
	}
	return fx.Options(
		cors.Module,
		fx.Provide(func() *cors.Registry {
			reg := cors.NewRegistry()
			for _, p := range []string{"/user/**", "/api/**", "/book/**"} {
				reg.AddMapping(p).
					AllowedOrigins(origins...).
					AllowedMethods("GET", "POST", "PUT", "DELETE").
					AllowedHeaders("Authorization", "Content-Type")
			}
			return reg
		}),
	)
}

// serverConfig is the parsed server settings plus the app's filters.
func serverConfig(cfg Config) portico.Config {
	c := cfg.HTTP
	c.Addr = cfg.Addr
	c.Filters = []func(http.Handler) http.Handler{securityHeaders, withClientIP}
	return c
}

// The modules are functions rather than package variables so the package
// keeps no global state.

// dataModule is the SQLite store (users and books).
func dataModule() fx.Option {
	return fx.Module("data",
		fx.Provide(newStore),
	)
}

// securityModule is sessions, tokens, the failed-login limiter and the
// login interceptor.
func securityModule() fx.Option {
	return fx.Module("security",
		fx.Provide(newSessionStore, newAuthManager, newLimiter, newLoginInterceptor),
	)
}

// webModule is the MVC layer: controllers, interceptors, views and the
// dispatcher options.
func webModule() fx.Option {
	return fx.Module("web",
		fx.Provide(
			newViews,
			portico.AsRegistrar(newUserController),
			portico.AsRegistrar(newLoginAPI),
			portico.AsRegistrar(newBookController),
			portico.AsRegistrar(newPageController),
			portico.AsInterceptor(loginRegistration),
			portico.AsInterceptor(modelTimeRegistration),
			portico.AsOption(viewOption),
			portico.AsOption(errorOption),
		),
	)
}

// viewOption renders ModelAndViews with the embedded templates.
func viewOption(v *view.Templates) dispatcher.Option { return dispatcher.WithViewResolver(v) }

// errorOption answers API clients in the {code, message, data} envelope of
// the success responses and browsers with the error page (view "error");
// a browser refused with 401 goes to the login page.
func errorOption(v *view.Templates) dispatcher.Option {
	return dispatcher.WithErrorRenderer(dispatcher.NegotiatedErrors{
		JSON:     dispatcher.JSONErrors{Data: true},
		Views:    v,
		LoginURL: "/login.html",
	})
}
