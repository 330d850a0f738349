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
	// single is the only tree when there is one and no static map, which
	// most route sets come to; its lookup skips the merging of answers.
	single *httprouter.Router
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
	// shapes[i] mirrors trees[i] segment by segment, so a template
	// httprouter would refuse is recognised without touching the tree:
	// start-up stays linear in the number of routes.
	var shapes []*shapeTree
	for _, e := range sorted {
		placed := false
		for i := range t.trees {
			if !shapes[i].accepts(e.tmpl) {
				continue
			}
			if insert(t.trees[i], e) {
				shapes[i].add(e.tmpl)
				t.treeEntries[i] = append(t.treeEntries[i], e)
				placed = true
				break
			}
			// httprouter refused what the mirror accepted; the refused
			// insert may have left nodes behind, so the tree is rebuilt
			// from what it held. This is the rare path, not the loop.
			r, ok := buildTree(t.treeEntries[i])
			if !ok {
				return nil, fmt.Errorf("route %s: routing tree %d cannot be rebuilt", e.tmpl.spring, i)
			}
			t.trees[i] = r
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
			sh := newShapeTree()
			sh.add(e.tmpl)
			t.trees = append(t.trees, r)
			t.treeEntries = append(t.treeEntries, []*entry{e})
			shapes = append(shapes, sh)
		}
	}
	if len(t.trees) == 1 && len(t.static) == 0 {
		t.single = t.trees[0]
	}
	// An entry is final when no entry of a later tree overlaps it and is
	// more specific. Trees are walked from the last, each checked against
	// an index of the ones after it.
	later := newOverlapIndex()
	for i := len(t.treeEntries) - 1; i >= 0; i-- {
		for _, e := range t.treeEntries[i] {
			e.final = !later.anyMoreSpecific(&later.root, e.tmpl, 0)
		}
		for _, e := range t.treeEntries[i] {
			later.add(e)
		}
	}
	return t, nil
}

// shapeNode mirrors one httprouter tree, one node per segment, to predict
// the conflicts httprouter panics on: at one position a variable cannot
// sit next to literal segments or another variable's name, and a
// catch-all cannot share its position with anything. It may refuse what
// httprouter would take, which only moves a template to a later tree.
type shapeNode struct {
	statics   int // literal children, the empty one included
	empty     bool
	param     *shapeNode
	paramName string
	catch     bool
}

// shapeTree is the mirror of one tree. Literal children live in one map
// for the whole tree, not one map per node, which keeps start-up
// allocations per route small.
type shapeTree struct {
	root shapeNode
	kids map[childKey]*shapeNode
}

type childKey struct {
	parent any // *shapeNode or *overlapNode
	seg    string
}

func newShapeTree() *shapeTree { return &shapeTree{kids: map[childKey]*shapeNode{}} }

func (st *shapeTree) accepts(t *template) bool {
	n := &st.root
	for i, seg := range t.segs {
		if n.catch {
			return false
		}
		switch {
		case strings.HasPrefix(seg, "*"):
			// httprouter also refuses a catch-all under a segment root
			// that has a handle ("/src/" with "/src/*path").
			return n.statics == 0 && n.param == nil
		case strings.HasPrefix(seg, ":"):
			if n.param != nil {
				if n.paramName != seg {
					return false
				}
				n = n.param
				continue
			}
			// The empty last segment of "/book/" is the node's own
			// handle, which a variable child may share.
			empty := 0
			if n.empty {
				empty = 1
			}
			return n.statics == empty
		default:
			if n.param != nil && (seg != "" || i != len(t.segs)-1) {
				return false
			}
			next := st.kids[childKey{n, seg}]
			if next == nil {
				return true
			}
			n = next
		}
	}
	return true
}

func (st *shapeTree) add(t *template) {
	n := &st.root
	for _, seg := range t.segs {
		switch {
		case strings.HasPrefix(seg, "*"):
			n.catch = true
			return
		case strings.HasPrefix(seg, ":"):
			if n.param == nil {
				n.param, n.paramName = &shapeNode{}, seg
			}
			n = n.param
		default:
			k := childKey{n, seg}
			next := st.kids[k]
			if next == nil {
				next = &shapeNode{}
				st.kids[k] = next
				n.statics++
				n.empty = n.empty || seg == ""
			}
			n = next
		}
	}
}

// overlapIndex indexes templates by segment to answer, for one template,
// whether a template some path could match too is more specific. It may
// answer true when unsure, which only costs a lookup in a later tree.
type overlapIndex struct {
	root overlapNode
	kids map[childKey]*overlapNode
}

type overlapNode struct {
	statics []*overlapNode // literal children, for variables to try them all
	param   *overlapNode
	ends    []*entry // templates ending here
	catch   []*entry // templates whose catch-all starts here
}

func newOverlapIndex() *overlapIndex { return &overlapIndex{kids: map[childKey]*overlapNode{}} }

func (x *overlapIndex) add(e *entry) {
	n := &x.root
	for _, seg := range e.tmpl.segs {
		switch {
		case strings.HasPrefix(seg, "*"):
			n.catch = append(n.catch, e)
			return
		case strings.HasPrefix(seg, ":"):
			if n.param == nil {
				n.param = &overlapNode{}
			}
			n = n.param
		default:
			k := childKey{n, seg}
			next := x.kids[k]
			if next == nil {
				next = &overlapNode{}
				x.kids[k] = next
				n.statics = append(n.statics, next)
			}
			n = next
		}
	}
	n.ends = append(n.ends, e)
}

func (x *overlapIndex) anyMoreSpecific(n *overlapNode, t *template, i int) bool {
	if n == nil {
		return false
	}
	if i == len(t.segs) {
		return anyMoreSpecific(n.ends, t)
	}
	if anyMoreSpecific(n.catch, t) {
		return true
	}
	switch seg := t.segs[i]; {
	case strings.HasPrefix(seg, "*"):
		// Every template longer than this position overlaps. Only
		// catch-all templates ask, and few of them.
		return n.param.anyBelow(t) || slices.ContainsFunc(n.statics, func(c *overlapNode) bool { return c.anyBelow(t) })
	case strings.HasPrefix(seg, ":"):
		for _, next := range n.statics {
			if x.anyMoreSpecific(next, t, i+1) {
				return true
			}
		}
	default:
		if x.anyMoreSpecific(x.kids[childKey{n, seg}], t, i+1) {
			return true
		}
	}
	return x.anyMoreSpecific(n.param, t, i+1)
}

// anyBelow reports whether a template at n or below is more specific than t.
func (n *overlapNode) anyBelow(t *template) bool {
	if n == nil {
		return false
	}
	if anyMoreSpecific(n.ends, t) || anyMoreSpecific(n.catch, t) || n.param.anyBelow(t) {
		return true
	}
	return slices.ContainsFunc(n.statics, func(c *overlapNode) bool { return c.anyBelow(t) })
}

func anyMoreSpecific(es []*entry, t *template) bool {
	for _, f := range es {
		if moreSpecific(f.tmpl, t) {
			return true
		}
	}
	return false
}

// insert adds e to r, reporting false instead of the panic httprouter
// raises for a conflicting template.
func insert(r *httprouter.Router, e *entry) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	// A tree lookup names its entry without allocating: the handle
	// stores it into the writer the lookup calls it with. The assertion
	// is to the concrete type, one pointer compare.
	r.Handle(http.MethodGet, e.tmpl.router, func(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
		w.(*responseWriter).matched = e
	})
	return true
}

// buildTree builds a fresh tree from entries, reporting false instead of
// the panic httprouter raises for conflicting templates.
func buildTree(entries []*entry) (*httprouter.Router, bool) {
	r := httprouter.New()
	for _, e := range entries {
		if !insert(r, e) {
			return nil, false
		}
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
	if t.single != nil {
		return lookupOne(t.single, w, method, path)
	}
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

// lookupOne is lookup for a table of one tree and no static map: the
// first answer is the only one.
func lookupOne(tr *httprouter.Router, w *responseWriter, method, path string) match {
	h, ps, tsr := tr.Lookup(http.MethodGet, path)
	if h == nil {
		return match{tsr: tsr}
	}
	w.matched = nil
	h(w, nil, nil)
	e := w.matched
	if e == nil {
		return match{}
	}
	if rt := e.route(method); rt != nil {
		return match{rt: rt, params: rt.renameParams(ps)}
	}
	return match{allow: e.allow}
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
