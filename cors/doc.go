// Package cors is Spring's CorsRegistry for Portico: CORS rules by path
// pattern, applied by a portico.Filter around the whole dispatcher.
//
//	reg := cors.NewRegistry()
//	reg.AddMapping("/api/**").
//		AllowedOrigins("https://app.example.com").
//		AllowedMethods("GET", "POST", "PUT", "DELETE").
//		AllowCredentials(true).
//		MaxAge(time.Hour)
//	h, err := cors.New(reg)   // plain: h.Wrap(next)
//
// or, with fx, provide the *Registry and add cors.Module.
//
// The semantics are Spring's DefaultCorsProcessor: the first mapping whose
// pattern matches the request path applies; every response on a mapped
// path varies by Origin, Access-Control-Request-Method and
// Access-Control-Request-Headers; a preflight (OPTIONS with Origin and
// Access-Control-Request-Method) is answered by the filter itself, before
// the dispatcher and so before any interceptor (the login interceptor
// never sees one); a request from an origin, or a preflight for a method or
// header, the mapping does not allow is refused with 403 "Invalid CORS
// request". Same-origin requests pass untouched.
//
// A mapping starts from Spring's permissive defaults (any origin, GET, HEAD
// and POST, any request header, a max age of 30 minutes, no credentials),
// and always exposes the New-Token header the login interceptor renews
// access tokens in. A mapping that allows credentials together with the
// wildcard origin is a start-up error naming the mapping: browsers refuse
// that combination, and echoing every origin instead would hand any site
// the user's session.
package cors
