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
	static map[string]*entry
	// trees hold the templates with variables. httprouter refuses some
	// pairs in one tree (/a/{x}/b next to /a/c/{y}); such templates go to
	// the next tree, and every tree is consulted.
	trees []*httprouter.Router
	// treeEntries[i] are the entries of trees[i], for rebuilding.
	treeEntries [][]*entry
}

// probe is how a tree lookup names its entry without allocating: each
// tree handle stores its entry into the writer it is called with.
type probe interface {
	found(*entry)
}

func newTable(entries []*entry) (*table, error) {
	t := &table{static: map[string]*entry{}}
	var dynamic []*entry
	for _, e := range entries {
		e.seal()
		if len(e.tmpl.params) == 0 {
			t.static[e.tmpl.spring] = e
			continue
		}
		dynamic = append(dynamic, e)
	}
	// The most specific templates go in first, so the first tree holds
	// what most requests hit.
	sort.SliceStable(dynamic, func(i, j int) bool { return moreSpecific(dynamic[i].tmpl, dynamic[j].tmpl) })
	for _, e := range dynamic {
		placed := false
		for i := range t.trees {
			if r, ok := buildTree(append(slices.Clone(t.treeEntries[i]), e)); ok {
				t.trees[i], t.treeEntries[i] = r, append(t.treeEntries[i], e)
				placed = true
				break
			}
		}
		if !placed {
			r, ok := buildTree([]*entry{e})
			if !ok {
				return nil, fmt.Errorf("route %s cannot be stored in a routing tree", e.tmpl.spring)
			}
			t.trees = append(t.trees, r)
			t.treeEntries = append(t.treeEntries, []*entry{e})
		}
	}
	return t, nil
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

// lookup maps method and path. static is the exact-match entry, if any,
// already found by the caller.
func (t *table) lookup(w *responseWriter, method, path string, static *entry) match {
	var m match
	var allow []string
	if static != nil {
		if rt := static.route(method); rt != nil {
			return match{rt: rt}
		}
		allow = append(allow, static.allow)
	}
	var best *entry
	var bestParams httprouter.Params
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
			allow = append(allow, e.allow)
			continue
		}
		if best == nil || moreSpecific(e.tmpl, best.tmpl) {
			best, bestParams = e, ps
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
	if static == nil && !m.tsr {
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
