// Package interceptor defines Spring's HandlerInterceptor for Portico and
// the interceptors the framework ships: an access log and the login
// interceptor's building blocks.
//
// The dispatcher runs a route's interceptors as a handler execution chain
// with Spring's exact rules: PreHandle in order, PostHandle in reverse after
// a successful handler, AfterCompletion in reverse for every interceptor
// whose PreHandle returned true, always, with the original error.
package interceptor
