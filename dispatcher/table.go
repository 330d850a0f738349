package dispatcher

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/julienschmidt/httprouter"
)

// entry is one path shape with its routes per method.
type entry struct {
	tmpl   *template
	routes []*route // one per method
	allow  string   // the Allow header: declared methods, HEAD with GET, OPTIONS
	get    *route
	head   *route
	// final is set when no template in a later tree can match a path this
	// one matches and be more specific, so a lookup that finds this entry
	// can stop there.
	final bool
}

func (e *entry) route(method string) *route {
	switch method {
	case http.MethodGet:
		return e.get
	case http.MethodHead:
		if e.head != nil {
			return e.head
		}
		return e.get
	}
	for _, rt := range e.routes {
		if rt.info.Method == method {
			return rt
		}
	}
	return nil
}

func (e *entry) seal() {
	methods := []string{}
	for _, rt := range e.routes {
		methods = append(methods, rt.info.Method)
		switch rt.info.Method {
		case http.MethodGet:
			e.get = rt
		case http.MethodHead:
			e.head = rt
		}
	}
	if e.get != nil && !slices.Contains(methods, http.MethodHead) {
		methods = append(methods, http.MethodHead)
	}
	if !slices.Contains(methods, http.MethodOptions) {
		methods = append(methods, http.MethodOptions)
	}
	sort.Strings(methods)
	e.allow = strings.Join(methods, ", ")
}

// table is the immutable mapping the dispatcher serves from once built.
type table struct {
	// trees hold the templates, static ones included wherever httprouter
	// accepts them. httprouter refuses some pairs in one tree (/book/list
	// next to /book/{id}, /a/{x}/b next to /a/c/{y}); such a template goes
	// to the next tree, and lookups consult the trees in order until an
	// entry marked final answers.
	trees []*httprouter.Router
	// treeEntries[i] are the entries of trees[i], for rebuilding.
	treeEntries [][]*entry
	// static holds only static templates no tree would take; it is empty
	// for most route sets, and then costs nothing per request.
	static map[string]*entry
}

// probe is how a tree lookup names its entry without allocating: each
// tree handle stores its entry into the writer it is called with.
type probe interface {
	found(*entry)
}

func newTable(entries []*entry) (*table, error) {
	t := &table{static: map[string]*entry{}}
	sorted := slices.Clone(entries)
	for _, e := range sorted {
		e.seal()
	}
	// The most specific templates go in first, so the first tree holds
	// the static routes and what most requests hit.
	sort.SliceStable(sorted, func(i, j int) bool { return moreSpecific(sorted[i].tmpl, sorted[j].tmpl) })
	for _, e := range sorted {
		placed := false
		for i := range t.trees {
			if r, ok := buildTree(append(slices.Clone(t.treeEntries[i]), e)); ok {
				t.trees[i], t.treeEntries[i] = r, append(t.treeEntries[i], e)
				placed = true
				break
			}
		}
		switch {
		case placed:
		case len(e.tmpl.params) == 0 && len(t.trees) > 0:
			t.static[e.tmpl.spring] = e
		default:
			r, ok := buildTree([]*entry{e})
			if !ok {
				return nil, fmt.Errorf("route %s cannot be stored in a routing tree", e.tmpl.spring)
			}
			t.trees = append(t.trees, r)
			t.treeEntries = append(t.treeEntries, []*entry{e})
		}
	}
	for i, es := range t.treeEntries {
		for _, e := range es {
			e.final = true
			for _, later := range t.treeEntries[i+1:] {
				for _, f := range later {
					if moreSpecific(f.tmpl, e.tmpl) && overlap(e.tmpl, f.tmpl) {
						e.final = false
					}
				}
			}
		}
	}
	return t, nil
}

// overlap reports whether some path could match both templates. It may
// answer true when unsure, which only costs a lookup in a later tree.
func overlap(a, b *template) bool {
	as, bs := strings.Split(a.spring, "/"), strings.Split(b.spring, "/")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, y := as[i], bs[i]
		if strings.HasPrefix(x, "{*") || strings.HasPrefix(y, "{*") {
			return true
		}
		if !strings.HasPrefix(x, "{") && !strings.HasPrefix(y, "{") && x != y {
			return false
		}
	}
	return len(as) == len(bs)
}

// buildTree builds a fresh tree from entries, reporting false instead of
// the panic httprouter raises for conflicting templates. Rebuilding from
// scratch keeps a failed insert from leaving a half-changed tree behind.
func buildTree(entries []*entry) (r *httprouter.Router, ok bool) {
	defer func() {
		if recover() != nil {
			r, ok = nil, false
		}
	}()
	r = httprouter.New()
	for _, e := range entries {
		e := e
		r.Handle(http.MethodGet, e.tmpl.router, func(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
			w.(probe).found(e)
		})
	}
	return r, true
}

// match is the outcome of mapping one request.
type match struct {
	rt     *route
	params httprouter.Params
	allow  string // set when the path exists but not for the method
	tsr    bool   // the path with or without a trailing slash exists
}

// lookup maps method and path.
func (t *table) lookup(w *responseWriter, method, path string) match {
	var m match
	var allow []string
	var best *entry
	var bestParams httprouter.Params
	if len(t.static) > 0 {
		if e := t.static[path]; e != nil {
			if rt := e.route(method); rt != nil {
				return match{rt: rt}
			}
			allow = append(allow, e.allow)
		}
	}
	for _, tr := range t.trees {
		h, ps, tsr := tr.Lookup(http.MethodGet, path)
		if h == nil {
			m.tsr = m.tsr || tsr
			continue
		}
		w.matched = nil
		h(w, nil, nil)
		e := w.matched
		if e == nil {
			continue
		}
		if e.route(method) == nil {
			// A less specific template in a later tree may serve the
			// method (PUT /book/list by /book/{id}), and Allow lists
			// every template's methods, as in Spring.
			allow = append(allow, e.allow)
			continue
		}
		if best == nil || moreSpecific(e.tmpl, best.tmpl) {
			best, bestParams = e, ps
		}
		if best.final {
			break
		}
	}
	if best != nil {
		rt := best.route(method)
		return match{rt: rt, params: rt.renameParams(bestParams)}
	}
	switch len(allow) {
	case 0:
	case 1:
		m.allow = allow[0]
	default:
		m.allow = mergeAllow(allow)
	}
	if !m.tsr && len(t.static) > 0 {
		if strings.HasSuffix(path, "/") {
			_, m.tsr = t.static[path[:len(path)-1]]
		} else {
			_, m.tsr = t.static[path+"/"]
		}
	}
	return m
}

func mergeAllow(lists []string) string {
	var all []string
	for _, l := range lists {
		for _, m := range strings.Split(l, ", ") {
			if !slices.Contains(all, m) {
				all = append(all, m)
			}
		}
	}
	sort.Strings(all)
	return strings.Join(all, ", ")
}
