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
	// rank orders entries by precedence, the most specific first.
	rank int
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

// table is the immutable mapping the dispatcher serves from once built:
// a tree of path segments, one node per position, holding every template
// whatever its method. Spring lets /book/list sit next to /book/{id} and
// picks the most specific template that matches; the tree follows both
// branches where they meet and keeps the best answer, so no template is
// ever refused.
type table struct {
	root node
	// maxParams is the most variables any template has: the size of the
	// lookup's scratch space.
	maxParams int
}

// node is one position in the tree: the path so far has matched the
// segments leading here.
type node struct {
	seg string // the literal segment that leads here from the parent
	// keys holds the first byte of each literal child's segment, in the
	// order of lits, so finding a child compares bytes before strings.
	keys  string
	lits  []*node
	empty *node // the child for an empty segment: a trailing slash
	param *node // the child for a {var} segment
	catch *entry
	end   *entry
	// minRank is the best (lowest) rank at or below this node, so a
	// lookup that already holds a better answer skips the branch.
	minRank int
}

func newTable(entries []*entry) (*table, error) {
	t := &table{root: node{minRank: noRank}}
	sorted := slices.Clone(entries)
	for _, e := range sorted {
		e.seal()
	}
	// Rank is precedence: fewer catch-alls, fewer variables, more literal
	// bytes; registration order between equals.
	sort.SliceStable(sorted, func(i, j int) bool { return moreSpecific(sorted[i].tmpl, sorted[j].tmpl) })
	for i, e := range sorted {
		e.rank = i
		t.maxParams = max(t.maxParams, len(e.tmpl.params))
		if err := t.root.insert(e); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// noRank is the rank of no entry: every real one is lower.
const noRank = int(^uint(0) >> 1)

func (n *node) insert(e *entry) error {
	for _, seg := range e.tmpl.segs {
		n.minRank = min(n.minRank, e.rank)
		switch {
		case strings.HasPrefix(seg, "*"):
			if n.catch != nil {
				return fmt.Errorf("route %s: its catch-all collides with %s", e.tmpl.spring, n.catch.tmpl.spring)
			}
			n.catch = e
			return nil
		case strings.HasPrefix(seg, ":"):
			if n.param == nil {
				n.param = &node{minRank: noRank}
			}
			n = n.param
		case seg == "":
			if n.empty == nil {
				n.empty = &node{minRank: noRank}
			}
			n = n.empty
		default:
			n = n.literal(seg)
		}
	}
	n.minRank = min(n.minRank, e.rank)
	if n.end != nil {
		// Shapes are unique per entry, so this is a bug, not bad input.
		return fmt.Errorf("route %s: its path shape is stored twice", e.tmpl.spring)
	}
	n.end = e
	return nil
}

func (n *node) literal(seg string) *node {
	for i, c := range n.lits {
		if n.keys[i] == seg[0] && c.seg == seg {
			return c
		}
	}
	c := &node{seg: seg, minRank: noRank}
	n.keys += seg[:1]
	n.lits = append(n.lits, c)
	return c
}

// child returns the literal child for a non-empty segment.
func (n *node) child(seg string) *node {
	k := seg[0]
	for i := 0; i < len(n.keys); i++ {
		if n.keys[i] == k && n.lits[i].seg == seg {
			return n.lits[i]
		}
	}
	return nil
}

// search is one lookup's state. It lives on the caller's stack.
type search struct {
	path   string // the whole path, for catch-all values
	method string
	// vals are the variables bound on the branch being walked, as
	// [start, end) offsets into path: no pointers, so the scratch space
	// stays on the stack and costs no write barriers.
	vals []span
	// best is the most specific entry serving method found so far, with
	// the variables it bound.
	best     *entry
	bestRank int
	bestVals []span
	nVals    int
	// other is an entry that matched but serves another method, and
	// others counts them, for the Allow header of a 405.
	other  *entry
	others int
	// collect, when set, receives every matching entry (the 405 pass).
	collect *[]*entry
}

// walk matches rest, the path after a '/', from n with np variables bound.
func (s *search) walk(n *node, rest string, np int) {
	for {
		if n.minRank >= s.bestRank {
			return
		}
		if n.catch != nil {
			// The catch-all's value starts at the slash before rest, as
			// httprouter's did: "/files/{*p}" gives "/a/b" for /files/a/b.
			s.vals[np] = span{len(s.path) - len(rest) - 1, len(s.path)}
			s.offer(n.catch, np+1)
		}
		seg, next, more := rest, "", false
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			seg, next, more = rest[:i], rest[i+1:], true
		}
		var lit, param *node
		if seg == "" {
			lit = n.empty
		} else {
			if len(n.keys) > 0 {
				lit = n.child(seg)
			}
			param = n.param
		}
		switch {
		case lit == nil && param == nil:
			return
		case lit != nil && param != nil:
			// Both ways on match; the literal one first, since it is the
			// more specific where they end alike.
			if !more {
				if lit.end != nil {
					s.offer(lit.end, np)
				}
			} else {
				s.walk(lit, next, np)
			}
			n = param
			s.vals[np] = s.bind(rest, seg)
			np++
		case lit != nil:
			n = lit
		default:
			n = param
			s.vals[np] = s.bind(rest, seg)
			np++
		}
		if !more {
			if n.end != nil {
				s.offer(n.end, np)
			}
			return
		}
		rest = next
	}
}

// span is a variable's place in the path.
type span struct{ start, end int }

// bind returns the span of seg, the segment rest starts with.
func (s *search) bind(rest, seg string) span {
	i := len(s.path) - len(rest)
	return span{i, i + len(seg)}
}

func (s *search) offer(e *entry, np int) {
	if e.rank >= s.bestRank {
		return
	}
	if s.collect != nil {
		*s.collect = append(*s.collect, e)
		return
	}
	if e.route(s.method) == nil {
		if s.other == nil {
			s.other = e
		}
		s.others++
		return
	}
	s.best, s.bestRank, s.nVals = e, e.rank, np
	copy(s.bestVals, s.vals[:np])
}

// lookup maps a request. Variables are taken from ps, the writer's slab,
// so a route with variables allocates once per many requests, not once per
// request; a slab is never reused, so Params a handler keeps stay its own.
func (t *table) lookup(w *responseWriter, method, path string) match {
	var scratch [2 * inlineParams]span
	s := search{path: path, method: method, bestRank: noRank, vals: scratch[:inlineParams], bestVals: scratch[inlineParams:]}
	if t.maxParams > inlineParams {
		s.vals, s.bestVals = make([]span, t.maxParams), make([]span, t.maxParams)
	}
	if path == "" || path[0] != '/' {
		return match{}
	}
	s.walk(&t.root, path[1:], 0)
	if s.best != nil {
		rt := s.best.route(method)
		return match{rt: rt, params: w.params(rt.tmpl.params, path, s.bestVals[:s.nVals])}
	}
	switch {
	case s.others == 1:
		return match{allow: s.other.allow}
	case s.others > 1:
		var all []*entry
		s = search{path: path, bestRank: noRank, vals: s.vals, bestVals: s.bestVals, collect: &all}
		s.walk(&t.root, path[1:], 0)
		allow := make([]string, len(all))
		for i, e := range all {
			allow[i] = e.allow
		}
		return match{allow: mergeAllow(allow)}
	}
	return match{}
}

// inlineParams is how many variables a lookup binds without allocating
// its scratch space.
const inlineParams = 8

// redirectsSlash reports whether path with its trailing slash added or
// removed would be mapped, for the 301 of RedirectTrailingSlash.
func (t *table) redirectsSlash(path string) bool {
	if p, ok := strings.CutSuffix(path, "/"); ok {
		path = p
	} else {
		path += "/"
	}
	if path == "" {
		return false
	}
	var all []*entry
	var scratch [2 * inlineParams]span
	s := search{path: path, bestRank: noRank, vals: scratch[:inlineParams], bestVals: scratch[inlineParams:], collect: &all}
	if t.maxParams > inlineParams {
		s.vals, s.bestVals = make([]span, t.maxParams), make([]span, t.maxParams)
	}
	s.walk(&t.root, path[1:], 0)
	return len(all) > 0
}

// match is the outcome of mapping one request.
type match struct {
	rt     *route
	params httprouter.Params
	allow  string // set when the path exists but not for the method
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
