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
	// byRank holds the entries in precedence order: entry i has rank i.
	byRank []*entry
}

// node is one position in the tree: the path so far has matched the
// segments leading here.
type node struct {
	kids  []kid // the literal children
	empty *node // the child for an empty segment: a trailing slash
	// first, for a node with many literal children sorted by first byte,
	// gives those starting with byte c as kids[first[c]:first[c+1]], so a
	// scan reads only them.
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

// kid is a literal child. head holds its segment's first eight bytes as a
// little-endian word and mask the bytes of the word that count, so most
// segments are compared with one load and no call.
type kid struct {
	head, mask uint64
	seg        string
	node       *node
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
	t.byRank = sorted
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
	if len(n.kids) > scanLimit {
		n.bucket()
	}
	for _, k := range n.kids {
		b.index(k.node)
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
	n.kids = append(n.kids, kid{head: head(seg), mask: ^uint64(0) >> (64 - 8*min(len(seg), 8)), seg: seg, node: c})
	return c
}

// bucket sorts n's literal children by first byte and indexes them, or
// maps them when too many share a first byte for a scan.
func (n *node) bucket() {
	slices.SortStableFunc(n.kids, func(a, b kid) int { return int(a.seg[0]) - int(b.seg[0]) })
	mapped := len(n.kids) > 1<<16-1
	var first [257]uint16
	for _, k := range n.kids {
		first[int(k.seg[0])+1]++
		mapped = mapped || first[int(k.seg[0])+1] > bucketLimit
	}
	if mapped {
		n.index = make(map[string]*node, len(n.kids))
		for _, k := range n.kids {
			n.index[k.seg] = k.node
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
	kids := n.kids
	if n.first != nil {
		c := rest[0]
		kids = kids[n.first[c]:n.first[int(c)+1]]
	}
	w := head(rest)
	for i := range kids {
		k := &kids[i]
		if w&k.mask != k.head {
			continue
		}
		l := len(k.seg)
		if len(rest) >= l && (len(rest) == l || rest[l] == '/') && (l <= 8 || rest[8:l] == k.seg[8:]) {
			return k.node, l
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
	return headShort(s)
}

// headShort is head for a segment shorter than eight bytes, often the
// last one of a path: two overlapping loads, the bytes they share being
// the same, instead of a loop over the bytes.
func headShort(s string) uint64 {
	switch n := len(s); {
	case n >= 4:
		lo := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24
		hi := uint64(s[n-4]) | uint64(s[n-3])<<8 | uint64(s[n-2])<<16 | uint64(s[n-1])<<24
		return lo | hi<<(8*(n-4))
	case n >= 2:
		lo := uint64(s[0]) | uint64(s[1])<<8
		hi := uint64(s[n-2]) | uint64(s[n-1])<<8
		return lo | hi<<(8*(n-2))
	case n == 1:
		return uint64(s[0])
	}
	return 0
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
	// bestRank names the most specific entry serving method found so far
	// (noRank for none), and nVals the variables it bound. A rank, not a
	// pointer, so recording it costs no write barrier. The variables are
	// in vals while fresh, and moved to bestVals only before vals is
	// written again, which most lookups never do.
	bestRank int
	nVals    int
	fresh    bool
	bestVals []span
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
			s.keep(np)
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
		if len(n.kids) > 0 {
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
		s.keep(np)
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

// keep moves the best answer's variables out of vals before vals[i] is
// overwritten, if they are still there and include it.
func (s *search) keep(i int) {
	if s.fresh && i < s.nVals {
		copy(s.bestVals, s.vals[:s.nVals])
		s.fresh = false
	}
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
	s.bestRank, s.nVals, s.fresh = e.rank, np, true
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
		if t.maxParams <= inlineVars {
			w.vals, w.bestVals = w.valsBuf[:], w.bestBuf[:]
		} else {
			w.vals, w.bestVals = make([]span, t.maxParams), make([]span, t.maxParams)
		}
	}
	// The search is on the stack and its scratch space in the pooled
	// writer: nothing to allocate, and no pointer stored into the heap.
	s := search{path: path, method: method, fw: t.fw, bestRank: noRank, vals: w.vals, bestVals: w.bestVals}
	s.walk(&t.root, path[1:], 0)
	if s.bestRank == noRank {
		return nil, nil, false
	}
	rt = t.byRank[s.bestRank].route(method)
	vals := s.bestVals
	if s.fresh {
		vals = s.vals
	}
	ps, varsOK = w.params(rt.tmpl.params, path, vals[:s.nVals])
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
