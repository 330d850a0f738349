package handler

import "github.com/julienschmidt/httprouter"

// Route describes a registered handler: what a HandlerInterceptor receives in
// the place where Spring passes its handler object. Routes are built once at
// registration and shared by every request; treat them as read-only.
type Route struct {
	// Method is the HTTP method the route was registered for.
	Method string
	// Path is the route's template in Spring syntax, e.g. "/book/{id}" or
	// "/files/{*path}", whichever syntax it was registered with.
	Path string
	// Name identifies the handler in logs and introspection, e.g.
	// "main.(*BookController).Get".
	Name string
	// Handler is the value that was registered.
	Handler any
	// Meta holds route metadata given at registration, Portico's stand-in
	// for Spring's handler annotations (see MetaOf).
	Meta []any
}

// MetaOf returns the first metadata value of type T attached to rt.
func MetaOf[T any](rt *Route) (T, bool) {
	if rt != nil {
		for _, m := range rt.Meta {
			if v, ok := m.(T); ok {
				return v, true
			}
		}
	}
	var zero T
	return zero, false
}

// Param is one path variable captured by the route.
type Param = httprouter.Param

// Params are the path variables of a request, in the order they appear in
// the route template. They are httprouter's own type, so the values its
// tree lookup returns reach handlers without a copy; Params.ByName reads one.
type Params = httprouter.Params
