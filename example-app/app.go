package main

import (
	"log/slog"
	"net/http"

	"go.uber.org/fx"

	"github.com/portico-go/portico"
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
		fx.Supply(cfg, log, &portico.Config{
			Addr:    cfg.Addr,
			Filters: []func(http.Handler) http.Handler{securityHeaders, withClientIP},
		}),
		dataModule(),
		securityModule(),
		webModule(),
		apiDocsModule(),
	)
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
			portico.AsRegistrar(newBookController),
			portico.AsRegistrar(newPageController),
			portico.AsInterceptor(accessLogRegistration),
			portico.AsInterceptor(loginRegistration),
			portico.AsInterceptor(modelTimeRegistration),
			portico.AsOption(viewOption),
			portico.AsOption(errorOption),
		),
	)
}

// viewOption renders ModelAndViews with the embedded templates.
func viewOption(v *view.Templates) dispatcher.Option { return dispatcher.WithViewResolver(v) }

// errorOption gives errors the {code, message, data} envelope of the
// success responses.
func errorOption() dispatcher.Option {
	return dispatcher.WithErrorRenderer(dispatcher.JSONErrors{Data: true})
}
