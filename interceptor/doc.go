// Package interceptor defines Spring's HandlerInterceptor for Portico and
// the interceptors the framework ships: an access log and the login
// interceptor's building blocks.
//
// The dispatcher runs a route's interceptors as a handler execution chain
// with Spring's exact rules: PreHandle in order, PostHandle in reverse after
// a successful handler, AfterCompletion in reverse for every interceptor
// whose PreHandle returned true, always, with the original error.
//
// An interceptor that sets or reads request-scoped values (handler.Key,
// handler.SetValue) needs nothing more: its routes carry a request scope.
// One that does not, such as a timer or a header check, can say so with a
// UsesRequestState method returning false (handler.StateUser), which spares
// its routes the *http.Request copy a scope costs.
package interceptor
