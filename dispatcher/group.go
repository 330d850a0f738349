package dispatcher

import (
	"net/http"
	"strings"
)

// Group registers routes that share a path prefix and route options: the
// Go shape of a Spring @Controller with a class-level @RequestMapping, whose
// @ExceptionHandler methods (WithExceptionResolver) and annotations
// (WithMeta) apply to every route in it.
type Group struct {
	d      *Dispatcher
	prefix string
	opts   []RouteOption
}

// Group returns a group whose routes are registered under prefix (which
// must start with '/' and not end with one, or be empty) with opts applied
// before each route's own options.
func (d *Dispatcher) Group(prefix string, opts ...RouteOption) *Group {
	return &Group{d: d, prefix: strings.TrimSuffix(prefix, "/"), opts: opts}
}

// Group returns a nested group.
func (g *Group) Group(prefix string, opts ...RouteOption) *Group {
	return &Group{d: g.d, prefix: g.prefix + strings.TrimSuffix(prefix, "/"), opts: append(append([]RouteOption(nil), g.opts...), opts...)}
}

// Handle registers h for method and prefix+path.
func (g *Group) Handle(method, path string, h any, opts ...RouteOption) error {
	all := append(append([]RouteOption(nil), g.opts...), opts...)
	return g.d.handle(method, g.prefix+path, h, all)
}

// GET registers h for GET (and HEAD) requests to prefix+path.
func (g *Group) GET(path string, h any, opts ...RouteOption) error {
	return g.Handle(http.MethodGet, path, h, opts...)
}

// POST registers h for POST requests to prefix+path.
func (g *Group) POST(path string, h any, opts ...RouteOption) error {
	return g.Handle(http.MethodPost, path, h, opts...)
}

// PUT registers h for PUT requests to prefix+path.
func (g *Group) PUT(path string, h any, opts ...RouteOption) error {
	return g.Handle(http.MethodPut, path, h, opts...)
}

// PATCH registers h for PATCH requests to prefix+path.
func (g *Group) PATCH(path string, h any, opts ...RouteOption) error {
	return g.Handle(http.MethodPatch, path, h, opts...)
}

// DELETE registers h for DELETE requests to prefix+path.
func (g *Group) DELETE(path string, h any, opts ...RouteOption) error {
	return g.Handle(http.MethodDelete, path, h, opts...)
}
