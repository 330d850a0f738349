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
		ri := RouteInfo{Method: rt.info.Method, Path: rt.info.Path, Handler: rt.info.Name, Adapter: fmt.Sprintf("%T", rt.adapter)}
		for _, l := range rt.chain {
			li := LinkInfo{Name: l.Name}
			if l.Cond != nil {
				li.PerRequest = true
				li.Cond = fmt.Sprint(l.Cond)
			}
			ri.Chain = append(ri.Chain, li)
		}
		out = append(out, ri)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out, nil
}

// PrintRoutes writes the route table to w: one line per route with its
// chain; interceptors decided per request are marked with '?' and their
// condition.
func PrintRoutes(w io.Writer, routes []RouteInfo) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "METHOD\tPATH\tHANDLER\tINTERCEPTORS")
	for _, r := range routes {
		links := make([]string, 0, len(r.Chain))
		for _, l := range r.Chain {
			if l.PerRequest {
				links = append(links, l.Name+"?("+l.Cond+")")
			} else {
				links = append(links, l.Name)
			}
		}
		chain := strings.Join(links, " -> ")
		if chain == "" {
			chain = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Method, r.Path, r.Handler, chain)
	}
	return tw.Flush()
}
