package registry

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidTemplate is wrapped by the errors for route templates the
// registry cannot read.
var ErrInvalidTemplate = errors.New("invalid route template")

// Decision is what a pattern does to the concrete paths a route serves,
// decided once at startup.
type Decision uint8

const (
	// MatchesSome means the pattern matches some of the route's paths, or the
	// registry could not prove ALL or NONE; it is checked per request.
	MatchesSome Decision = iota
	// MatchesAll means the pattern matches every path the route can serve.
	MatchesAll
	// MatchesNone means the pattern matches no path the route can serve.
	MatchesNone
)

// String returns "ALL", "NONE" or "SOME".
func (d Decision) String() string {
	switch d {
	case MatchesAll:
		return "ALL"
	case MatchesNone:
		return "NONE"
	}
	return "SOME"
}

type tKind uint8

const (
	tLiteral tKind = iota // exact text
	tParam                // {name}: one non-empty segment, any characters but '/'
	tAny                  // one segment of a catch-all: any characters but '/', maybe none
)

type tSeg struct {
	kind tKind
	text string
}

// template is a parsed route template: fixed segments, then, when
// catchAll, one or more tAny segments.
type template struct {
	src      string
	segs     []tSeg
	catchAll bool
	static   bool
}

// parseTemplate reads a route template in the dispatcher's Spring syntax:
// literal segments, {name} as a whole segment, and a final {*name}, which
// serves the prefix followed by '/' and anything (httprouter's catch-all:
// "/files/{*path}" serves "/files/" and "/files/a/b", not "/files").
func parseTemplate(src string) (*template, error) {
	if src == "" || src[0] != '/' {
		return nil, fmt.Errorf("%w %q: must start with '/'", ErrInvalidTemplate, src)
	}
	t := &template{src: src, static: true}
	parts := strings.Split(src[1:], "/")
	off := 1
	for i, part := range parts {
		switch {
		case strings.HasPrefix(part, "{*") && strings.HasSuffix(part, "}"):
			if i != len(parts)-1 {
				return nil, fmt.Errorf("%w %q: %s must be the last segment (offset %d)", ErrInvalidTemplate, src, part, off)
			}
			if len(part) == 3 {
				return nil, fmt.Errorf("%w %q: empty variable name at offset %d", ErrInvalidTemplate, src, off)
			}
			t.catchAll, t.static = true, false
		case strings.HasPrefix(part, "{") && strings.HasSuffix(part, "}") && len(part) > 2 &&
			!strings.ContainsAny(part[1:len(part)-1], "{}:*"):
			t.segs = append(t.segs, tSeg{kind: tParam})
			t.static = false
		case strings.ContainsAny(part, "{}"):
			return nil, fmt.Errorf("%w %q: segment %q at offset %d: variables must be whole segments, {name} or a final {*name}", ErrInvalidTemplate, src, part, off)
		default:
			t.segs = append(t.segs, tSeg{kind: tLiteral, text: part})
		}
		off += len(part) + 1
	}
	return t, nil
}

// Decide reports whether p matches all, none or only some of the concrete
// paths the route template can serve. A static template is simply matched.
// MatchesSome is the safe answer when neither ALL nor NONE can be proved;
// it only costs a check per request. The answer is exact for any path the
// route serves, including ones a request firewall would reject.
func (p *Pattern) Decide(routeTemplate string) (Decision, error) {
	t, err := parseTemplate(routeTemplate)
	if err != nil {
		return MatchesSome, err
	}
	return p.decide(t), nil
}

// rel is how one pattern element relates to every value a template
// segment can take.
func (e *segment) rel(t tSeg, fold bool) Decision {
	if t.kind == tLiteral {
		if e.matchSegment(t.text, fold) {
			return MatchesAll
		}
		return MatchesNone
	}
	nonEmpty := t.kind == tParam
	switch e.kind {
	case segLiteral:
		if e.text == "" && nonEmpty {
			return MatchesNone
		}
	case segVar:
		if nonEmpty {
			return MatchesAll
		}
	case segGlob:
		// Only a glob of '*' and at most one '?' (none for a catch-all
		// segment, which may be empty) takes every value.
		if q, star, ok := globOnlyStars(e.text); ok && star && (q == 0 || q == 1 && nonEmpty) {
			return MatchesAll
		}
	}
	return MatchesSome
}

// decide runs the pattern and the template side by side as a product of
// two automata over segments. NONE: no run reaches the end even when every
// SOME step is allowed (an over-approximation, so NONE is sound). ALL: one
// run reaches the end using ALL steps only, which works for every
// instantiation at once (an under-approximation, so ALL is sound).
func (p *Pattern) decide(t *template) Decision {
	if t.static {
		if p.Match(t.src) {
			return MatchesAll
		}
		return MatchesNone
	}
	possible := p.reach(t, func(d Decision) bool { return d != MatchesNone })
	always := p.reach(t, func(d Decision) bool { return d == MatchesAll })
	n := len(p.segs)
	if !t.catchAll {
		switch {
		case always[n]:
			return MatchesAll
		case !possible[n]:
			return MatchesNone
		}
		return MatchesSome
	}
	// The catch-all adds one or more segments of any content.
	anyOK := false
	for j, ok := range possible {
		if ok && p.restCanTake(j) {
			anyOK = true
			break
		}
	}
	if !anyOK {
		return MatchesNone
	}
	for j, ok := range always {
		if ok && p.restTakesAll(j) {
			return MatchesAll
		}
	}
	return MatchesSome
}

// reach returns, after the template's fixed segments, which pattern
// positions a run can be at when only steps allowed by ok are taken.
func (p *Pattern) reach(t *template, ok func(Decision) bool) []bool {
	n := len(p.segs)
	cur := make([]bool, n+1)
	next := make([]bool, n+1)
	cur[0] = true
	p.closure(cur)
	for _, ts := range t.segs {
		clear(next)
		for j := 0; j < n; j++ {
			if !cur[j] {
				continue
			}
			e := &p.segs[j]
			if e.isMulti() {
				next[j] = true // ** swallows the segment, whatever it is
			} else if ok(e.rel(ts, p.fold)) {
				next[j+1] = true
			}
		}
		p.closure(next)
		cur, next = next, cur
	}
	return cur
}

// closure adds the positions reachable by letting a ** match nothing.
func (p *Pattern) closure(set []bool) {
	for j := 0; j < len(p.segs); j++ {
		if set[j] && p.segs[j].isMulti() {
			set[j+1] = true
		}
	}
}

func (e *segment) isMulti() bool { return e.kind == segAny || e.kind == segRest }

// restCanTake reports whether the pattern from position j can match at
// least one sequence of one or more catch-all segments.
func (p *Pattern) restCanTake(j int) bool {
	if j == len(p.segs) {
		return false
	}
	for k := j; k < len(p.segs); k++ {
		e := &p.segs[k]
		if !e.isMulti() && e.rel(tSeg{kind: tAny}, p.fold) == MatchesNone {
			return false
		}
	}
	return true
}

// restTakesAll reports whether the pattern from position j matches every
// sequence of one or more catch-all segments: it needs a ** for the
// unbounded length and at most one single-segment element, which must take
// any segment (a sequence of one segment must still match).
func (p *Pattern) restTakesAll(j int) bool {
	multi, singles, allSingles := false, 0, true
	for k := j; k < len(p.segs); k++ {
		e := &p.segs[k]
		if e.isMulti() {
			multi = true
			continue
		}
		singles++
		if e.rel(tSeg{kind: tAny}, p.fold) != MatchesAll {
			allSingles = false
		}
	}
	return multi && (singles == 0 || singles == 1 && allSingles)
}
