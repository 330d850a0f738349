package main

import (
	"net/http"
	"time"

	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
	"github.com/portico-go/portico/interceptor/login"
	"github.com/portico-go/portico/registry"
)

// The registrations below are WebMvcConfigurer.addInterceptors, one
// constructor per interceptor, contributed to portico.Module through
// portico.AsInterceptor. Order makes the chain deterministic (fx value
// groups have no order): login, then the model time. The access log is a
// filter (observability.go), so it sees every request, 404s included.

// loginRegistration requires a token everywhere except the login and
// refresh endpoints and the public pages and assets (seed 004's
// WebConfig). The pages are excluded as "/*.html", top-level files only:
// seed 004's "/**/*.html" also matches /book/x.html, so the registry could
// only decide per request whether /book/{id} needs a login, and a request
// for /book/1.html would skip the check.
func loginRegistration(li *login.Interceptor) *registry.Registration {
	return registry.NewRegistration(li).
		AddPathPatterns("/**").
		ExcludePathPatterns("/user/login", "/user/refresh", "/", "/static/**", "/*.html", "/favicon.ico").
		Order(0)
}

// modelTimeKey is the model attribute the time interceptor sets.
const modelTimeKey = "now"

// modelTimeRegistration is seed 001's postHandle example: every
// ModelAndView gets the current time in its model
// (modelAndView.addObject("currentTime", ...)). JSON responses are left
// alone.
func modelTimeRegistration() *registry.Registration {
	return registry.NewRegistration(modelTime(time.Now)).
		AddPathPatterns("/**").
		Order(10).
		Name("modelTime")
}

// modelTime is the interceptor itself, with the clock passed in.
func modelTime(now func() time.Time) interceptor.HandlerInterceptor {
	return interceptor.Funcs{
		Post: func(_ http.ResponseWriter, _ *http.Request, _ *handler.Route, res *handler.Result) error {
			if res.View != nil {
				res.View.AddObject(modelTimeKey, now())
			}
			return nil
		},
	}
}
