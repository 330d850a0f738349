// Package adapter holds Spring's HandlerAdapter for Portico and the
// adapters the dispatcher ships with.
//
// The dispatcher picks an adapter for each route once, at registration, by
// asking each adapter in order whether it Supports the handler; a handler no
// adapter supports is a startup error, never a 500 per request. Every kind
// except a raw http.Handler returns its result to the dispatcher instead of
// writing it, so PostHandle interceptors can still change it.
package adapter
