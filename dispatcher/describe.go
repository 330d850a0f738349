package dispatcher

import (
	"sort"

	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
)

// RouteDetail is one route with what Build decided for it, for tools that
// describe the application from its routes, such as API document
// generators. Unlike RouteInfo it carries the registered values
// themselves: the handler, its metadata and the chain's interceptors.
type RouteDetail struct {
	// Route is the route as interceptors see it; treat it as read-only.
	Route *handler.Route
	// Chain is the route's interceptor chain; a link with a Cond is
	// decided per request.
	Chain interceptor.Chain
}

// RouteDetails builds the dispatcher if needed and returns every route
// with its chain, sorted by path then method.
func (d *Dispatcher) RouteDetails() ([]RouteDetail, error) {
	if err := d.Build(); err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]RouteDetail, 0, len(d.routes))
	for _, rt := range d.routes {
		out = append(out, RouteDetail{Route: &rt.info, Chain: append(interceptor.Chain(nil), rt.chain...)})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Route.Path != out[j].Route.Path {
			return out[i].Route.Path < out[j].Route.Path
		}
		return out[i].Route.Method < out[j].Route.Method
	})
	return out, nil
}

// ErrorRenderer returns the renderer errors are written with, so a
// document generator can describe the error shape the application answers
// in.
func (d *Dispatcher) ErrorRenderer() ErrorRenderer { return d.errors }
