package dispatcher

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/julienschmidt/httprouter"
	"github.com/portico-go/portico/firewall"
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
	// fw is the dispatcher's firewall, which judges variables' segments
	// during the walk; nil for none.
	fw *firewall.Firewall
}

// node is one position in the tree: the path so far has matched the
// segments leading here.
type node struct {
	// keys holds the first byte of each literal child's segment and segs
	// the segments, in the order of lits, so finding a child compares
	// bytes before strings and reads no child.
	keys  string
	segs  []string
	lits  []*node
	// heads and masks hold each literal child's first eight bytes as a
	// word, and which bytes of the word count, so most segments are
	// compared with one load and no call.
	heads, masks []uint64
	empty *node // the child for an empty segment: a trailing slash
	// first, for a node with many literal children, sorted by first
	// byte, gives the children starting with byte c as lits[first[c]:
	// first[c+1]], so a scan reads only those.
	first *[257]uint16
	// index finds a literal child by segment where even the children
	// sharing a first byte are too many to scan.
	index map[string]*node
	param *node // the child for a {var} segment
	catch *entry
	end   *entry
	// minRank is the best (lowest) rank at or below this node, so a
	// lookup that already holds a better answer skips the branch.
	minRank int
}

func newTable(entries []*entry, fw *firewall.Firewall) (*table, error) {
	t := &table{root: node{minRank: noRank}, fw: fw}
	sorted := slices.Clone(entries)
	for _, e := range sorted {
		e.seal()
	}
	// Rank is precedence: fewer catch-alls, fewer variables, more literal
	// bytes; registration order between equals.
	sort.SliceStable(sorted, func(i, j int) bool { return moreSpecific(sorted[i].tmpl, sorted[j].tmpl) })
	b := builder{kids: map[kidKey]*node{}}
	for i, e := range sorted {
		e.rank = i
		t.maxParams = max(t.maxParams, len(e.tmpl.params))
		if err := b.insert(&t.root, e); err != nil {
			return nil, err
		}
	}
	b.index(&t.root)
	return t, nil
}

// builder finds a node's literal child by segment while the tree is built,
// so start-up stays linear however many children a node has.
type builder struct {
	kids map[kidKey]*node
}

type kidKey struct {
	parent *node
	seg    string
}

// A node with more than scanLimit literal children has them sorted by
// first byte, so a lookup scans only those sharing the segment's; with more
// than bucketLimit sharing one, they are mapped instead.
const (
	scanLimit   = 3
	bucketLimit = 8
)

func (b *builder) index(n *node) {
	if len(n.lits) > scanLimit {
		n.bucket()
	}
	for _, c := range n.lits {
		b.index(c)
	}
	for _, c := range []*node{n.empty, n.param} {
		if c != nil {
			b.index(c)
		}
	}
}

// noRank is the rank of no entry: every real one is lower.
const noRank = int(^uint(0) >> 1)

func (b *builder) insert(n *node, e *entry) error {
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
			n = b.literal(n, seg)
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

func (b *builder) literal(n *node, seg string) *node {
	k := kidKey{n, seg}
	if c := b.kids[k]; c != nil {
		return c
	}
	c := &node{minRank: noRank}
	b.kids[k] = c
	n.keys += seg[:1]
	n.segs = append(n.segs, seg)
	n.lits = append(n.lits, c)
	n.heads = append(n.heads, head(seg))
	n.masks = append(n.masks, ^uint64(0)>>(64-8*min(len(seg), 8)))
	return c
}

// bucket sorts n's literal children by first byte and indexes them, or
// maps them when too many share a first byte for a scan.
func (n *node) bucket() {
	order := make([]int, len(n.lits))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return n.keys[order[i]] < n.keys[order[j]] })
	keys, segs, lits := make([]byte, len(order)), make([]string, len(order)), make([]*node, len(order))
	heads, masks := make([]uint64, len(order)), make([]uint64, len(order))
	for i, o := range order {
		keys[i], segs[i], lits[i], heads[i], masks[i] = n.keys[o], n.segs[o], n.lits[o], n.heads[o], n.masks[o]
	}
	n.keys, n.segs, n.lits, n.heads, n.masks = string(keys), segs, lits, heads, masks
	mapped := len(keys) > 1<<16-1
	var first [257]uint16
	for _, k := range keys {
		first[int(k)+1]++
		mapped = mapped || first[int(k)+1] > bucketLimit
	}
	if mapped {
		n.index = make(map[string]*node, len(lits))
		for i, c := range lits {
			n.index[segs[i]] = c
		}
		return
	}
	for c := 1; c <= 256; c++ {
		first[c] += first[c-1]
	}
	n.first = &first
}

// child returns the literal child whose segment rest starts with (a whole
// segment: rest ends or has a '/' after it) and the segment's length.
func (n *node) child(rest string) (*node, int) {
	if n.index != nil {
		seg := rest
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			seg = rest[:i]
		}
		return n.index[seg], len(seg)
	}
	lo, hi := 0, len(n.heads)
	if n.first != nil {
		k := rest[0]
		lo, hi = int(n.first[k]), int(n.first[int(k)+1])
	}
	w := head(rest)
	for i := lo; i < hi; i++ {
		if w&n.masks[i] != n.heads[i] {
			continue
		}
		seg := n.segs[i]
		l := len(seg)
		if len(rest) >= l && (len(rest) == l || rest[l] == '/') && (l <= 8 || rest[8:l] == seg[8:]) {
			return n.lits[i], l
		}
	}
	return nil, 0
}

// head returns s's first eight bytes as a little-endian word, padded with
// zeros.
func head(s string) uint64 {
	if len(s) >= 8 {
		// The compiler makes this one load.
		return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	}
	var w uint64
	for i := len(s) - 1; i >= 0; i-- {
		w = w<<8 | uint64(s[i])
	}
	return w
}

// search is one lookup's state.
type search struct {
	path   string // the whole path, for catch-all values
	method string
	fw     *firewall.Firewall
	// vals are the variables bound on the branch being walked, as
	// [start, end) offsets into path: no pointers, so they keep no path
	// alive and cost no write barriers.
	vals []span
	// best is the most specific entry serving method found so far, with
	// the variables it bound.
	best     *entry
	bestRank int
	bestVals []span
	nVals    int
	// collect, when set, receives every matching entry (the 405 pass).
	collect *[]*entry
}

// walk matches rest, the path after a '/', from n with np variables bound.
// Literal children are matched against rest directly, so a segment's end
// is searched for only where a variable binds it.
func (s *search) walk(n *node, rest string, np int) {
	for {
		if n.minRank >= s.bestRank {
			return
		}
		if n.catch != nil {
			// The catch-all's value starts at the slash before rest, as
			// httprouter's did: "/files/{*p}" gives "/a/b" for /files/a/b.
			s.vals[np] = span{len(s.path) - len(rest) - 1, len(s.path), false}
			s.offer(n.catch, np+1)
		}
		if rest == "" || rest[0] == '/' {
			// An empty segment: only a trailing slash's literal can match
			// it, and nothing follows that in any template.
			if rest == "" && n.empty != nil && n.empty.end != nil {
				s.offer(n.empty.end, np)
			}
			return
		}
		var lit *node
		end := 0 // where the segment ends in rest, once known
		ok := false
		if len(n.keys) > 0 {
			lit, end = n.child(rest)
		}
		param := n.param
		switch {
		case lit != nil && param != nil:
			// Both ways on match; the literal one first, since it is
			// the more specific where they end alike.
			if end == len(rest) {
				if lit.end != nil {
					s.offer(lit.end, np)
				}
			} else {
				s.walk(lit, rest[end+1:], np)
			}
			n = param
			ok = s.fw != nil && s.fw.SegmentOK(rest[:end])
		case lit != nil:
			n = lit
			if end == len(rest) {
				if n.end != nil {
					s.offer(n.end, np)
				}
				return
			}
			rest = rest[end+1:]
			continue
		case param != nil:
			n = param
			// The firewall judges the variable's segment in the pass
			// that finds its end.
			if s.fw != nil {
				end, ok = s.fw.Segment(rest)
			} else {
				for end < len(rest) && rest[end] != '/' {
					end++
				}
			}
		default:
			return
		}
		// n is the variable's child; it binds rest[:end].
		i := len(s.path) - len(rest)
		s.vals[np] = span{i, i + end, ok}
		np++
		if end == len(rest) {
			if n.end != nil {
				s.offer(n.end, np)
			}
			return
		}
		rest = rest[end+1:]
	}
}

// span is a variable's place in the path.
type span struct {
	start, end int
	// ok says the firewall, if any, admits the segment (see dispatch).
	ok bool
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
		return
	}
	s.best, s.bestRank, s.nVals = e, e.rank, np
	copy(s.bestVals, s.vals[:np])
}

// lookup maps a request to its route and variables, or to nil (see
// allow). Variables are taken from the writer's slab, so a route with
// variables allocates once per many requests, not once per request; a
// slab is never reused, so Params a handler keeps stay its own.
//
// varsOK reports whether t's firewall admits the segment of every variable
// bound (false for a catch-all's).
func (t *table) lookup(w *responseWriter, method, path string) (rt *route, ps httprouter.Params, varsOK bool) {
	if path == "" || path[0] != '/' {
		return nil, nil, false
	}
	if len(w.vals) < t.maxParams {
		w.vals, w.bestVals = make([]span, t.maxParams), make([]span, t.maxParams)
	}
	// The search is on the stack and its scratch space in the pooled
	// writer: nothing to allocate, and no pointer stored into the heap.
	s := search{path: path, method: method, fw: t.fw, bestRank: noRank, vals: w.vals, bestVals: w.bestVals}
	s.walk(&t.root, path[1:], 0)
	if s.best == nil {
		return nil, nil, false
	}
	rt = s.best.route(method)
	ps, varsOK = w.params(rt.tmpl.params, path, s.bestVals[:s.nVals])
	return rt, ps, varsOK
}

// allow is the Allow header for a path lookup did not map: the methods of
// every template matching it, or "" when none does.
func (t *table) allow(path string) string {
	all := t.matching(path)
	switch len(all) {
	case 0:
		return ""
	case 1:
		return all[0].allow
	}
	allow := make([]string, len(all))
	for i, e := range all {
		allow[i] = e.allow
	}
	return mergeAllow(allow)
}

// matching returns every entry whose template matches path, whatever its
// methods. It allocates, for the answers to requests no route serves.
func (t *table) matching(path string) []*entry {
	if path == "" || path[0] != '/' {
		return nil
	}
	var all []*entry
	s := search{path: path, bestRank: noRank, vals: make([]span, t.maxParams+1), bestVals: make([]span, t.maxParams+1), collect: &all}
	s.walk(&t.root, path[1:], 0)
	return all
}

// redirectsSlash reports whether path with its trailing slash added or
// removed would be mapped, for the 301 of RedirectTrailingSlash.
func (t *table) redirectsSlash(path string) bool {
	if p, ok := strings.CutSuffix(path, "/"); ok {
		path = p
	} else {
		path += "/"
	}
	return len(t.matching(path)) > 0
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
