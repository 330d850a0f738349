package dispatcher

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// RouteInfo describes one route for introspection.
type RouteInfo struct {
	Method  string
	Path    string
	Handler string
	Adapter string
	// Chain lists the route's interceptors in order.
	Chain []LinkInfo
}

// LinkInfo describes one interceptor in a route's chain.
type LinkInfo struct {
	Name string
	// PerRequest is set when the registry could not decide at startup
	// whether the interceptor applies to every path the route serves; the
	// condition is then checked per request.
	PerRequest bool
	Cond       string
}

// Routes builds the dispatcher if needed and lists every route with its
// interceptor chain, sorted by path then method.
func (d *Dispatcher) Routes() ([]RouteInfo, error) {
	if err := d.Build(); err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]RouteInfo, 0, len(d.routes))
	for _, rt := range d.routes {
		out = append(out, rt.describe())
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out, nil
}

func (rt *route) describe() RouteInfo {
	ri := RouteInfo{Method: rt.info.Method, Path: rt.info.Path, Handler: rt.info.Name, Adapter: fmt.Sprintf("%T", rt.adapter)}
	for _, l := range rt.chain {
		li := LinkInfo{Name: l.Name}
		if l.Cond != nil {
			li.PerRequest = true
			li.Cond = fmt.Sprint(l.Cond)
		}
		ri.Chain = append(ri.Chain, li)
	}
	return ri
}

// RouteFor reports the route a request with method and path maps to, as
// serving would map it, with its chain; false when none does (404, 405,
// automatic OPTIONS). It builds the dispatcher if needed and is meant for
// tools and test kits (porticotest prints the chain of a failed request),
// not for the request path: it allocates.
func (d *Dispatcher) RouteFor(method, path string) (RouteInfo, bool) {
	if d.Build() != nil {
		return RouteInfo{}, false
	}
	rt, _, _ := d.table.Load().lookup(&responseWriter{}, method, path)
	if rt == nil {
		return RouteInfo{}, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return rt.describe(), true
}

// PrintRoutes writes the route table to w: one line per route with its
// chain; interceptors decided per request are marked with '?' and their
// condition.
func PrintRoutes(w io.Writer, routes []RouteInfo) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "METHOD\tPATH\tHANDLER\tINTERCEPTORS")
	for _, r := range routes {
		chain := r.ChainText()
		if chain == "" {
			chain = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Method, r.Path, r.Handler, chain)
	}
	return tw.Flush()
}

// ChainText is the route's interceptor chain as PrintRoutes shows it:
// names in order joined by " -> ", a link decided per request followed by
// its condition, as in "login?(exclude /**/*.html)". It is empty for a
// route without interceptors.
func (r RouteInfo) ChainText() string {
	links := make([]string, 0, len(r.Chain))
	for _, l := range r.Chain {
		if l.PerRequest {
			links = append(links, l.Name+"?("+l.Cond+")")
		} else {
			links = append(links, l.Name)
		}
	}
	return strings.Join(links, " -> ")
}
