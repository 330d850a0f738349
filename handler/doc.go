// Package handler holds the types every other Portico package speaks:
// the route a request was mapped to, the handler kinds the built-in adapters
// run, the Result a handler returns to the dispatcher, the framework's error
// value, and request-scoped values carried in the request's context.
//
// It sits at the bottom of Portico's layers and imports none of them, so
// handlers, adapters and interceptors can share these types without cycles.
package handler
