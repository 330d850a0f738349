package registry

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// ErrInvalidPattern is wrapped by every PatternError, so callers can test
// for a bad pattern with errors.Is without caring about the details.
var ErrInvalidPattern = errors.New("invalid path pattern")

// PatternError reports a pattern that cannot be parsed, and where.
type PatternError struct {
	// Pattern is the pattern as it was given.
	Pattern string
	// Offset is the byte offset in Pattern where the problem was found.
	Offset int
	// Msg describes the problem.
	Msg string
	// Err is the underlying cause (a regexp error), or nil.
	Err error
}

// Error formats the pattern, the problem and its byte offset.
func (e *PatternError) Error() string {
	s := fmt.Sprintf("pattern %q: %s at offset %d", e.Pattern, e.Msg, e.Offset)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap lets errors.Is find ErrInvalidPattern and the regexp cause.
func (e *PatternError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrInvalidPattern, e.Err}
	}
	return []error{ErrInvalidPattern}
}

// PatternOption configures ParsePattern.
type PatternOption func(*patternConfig)

type patternConfig struct {
	fold bool
}

// CaseInsensitive makes the pattern's literals, wildcards and regular
// expressions match regardless of case (Unicode simple folding).
// Spring matches case-sensitively by default, and so does Portico: the
// router is case-sensitive, and an interceptor must judge the same path the
// router served.
func CaseInsensitive() PatternOption {
	return func(c *patternConfig) { c.fold = true }
}

type segKind uint8

const (
	segLiteral segKind = iota // exact text
	segGlob                   // text with ? and *, no variables
	segVar                    // {name}: any non-empty segment
	segRegex                  // {name:re}, or a segment mixing variables with text
	segAny                    // **: zero or more segments
	segRest                   // {*name}: the rest of the path, zero or more segments
)

// segment is one '/'-separated element of a compiled pattern.
type segment struct {
	kind segKind
	text string         // segLiteral, segGlob: the source text
	re   *regexp.Regexp // segRegex
	// names are the variables the segment captures: one for segVar and
	// segRest; for segRegex, the variable of each capture group in groups.
	names  []string
	groups []int // segRegex: submatch index of each name
	// whole reports a segRegex that is exactly {name:re}, so the whole
	// segment is the value and must be non-empty.
	whole bool
	// oneStar reports a segGlob of the form pre*suf, the usual "*.js",
	// which needs no backtracking.
	oneStar  bool
	pre, suf string
}

// Pattern is a compiled Spring path pattern. It is immutable and safe for
// concurrent use.
type Pattern struct {
	src     string // normalized source, always starting with '/'
	segs    []segment
	fold    bool
	literal bool // no wildcards or variables: Match is a string comparison
	vars    int
}

// String returns the pattern's source, with the leading '/' that
// ParsePattern adds when it is missing. It parses back to the same pattern.
func (p *Pattern) String() string { return p.src }

// ParsePattern compiles a Spring path pattern:
//
//	?           one character, not '/'
//	*           zero or more characters within one segment
//	**          zero or more whole segments, anywhere, as often as needed
//	{name}      one non-empty segment, captured as name
//	{name:re}   a segment matching the regular expression re, captured
//	{*name}     the rest of the path (zero or more segments), captured with
//	            its leading '/'; only as the last segment
//
// A pattern without a leading '/' is read as if it had one ("admin/**" is
// "/admin/**"), because a pattern that silently matched nothing is how login
// checks fail open. Patterns must be clean: an empty segment ("//"), "." and
// ".." are errors, as are unbalanced braces, bad names or regular
// expressions, a variable captured twice, and "**" inside a segment. Every
// error is a *PatternError naming the pattern and the byte offset.
func ParsePattern(pattern string, opts ...PatternOption) (*Pattern, error) {
	var cfg patternConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	ps := parser{orig: pattern, fold: cfg.fold}
	return ps.parse()
}

type parser struct {
	orig  string
	src   string
	shift int // 1 when a leading '/' was added to orig
	fold  bool
	seen  map[string]bool
}

func (ps *parser) errorf(off int, err error, format string, args ...any) *PatternError {
	off -= ps.shift
	if off < 0 {
		off = 0
	}
	return &PatternError{Pattern: ps.orig, Offset: off, Msg: fmt.Sprintf(format, args...), Err: err}
}

func (ps *parser) parse() (*Pattern, error) {
	if ps.orig == "" {
		return nil, ps.errorf(0, nil, "empty pattern")
	}
	if !utf8.ValidString(ps.orig) {
		i := 0
		for i < len(ps.orig) {
			r, w := utf8.DecodeRuneInString(ps.orig[i:])
			if r == utf8.RuneError && w == 1 {
				break
			}
			i += w
		}
		return nil, ps.errorf(i, nil, "invalid UTF-8")
	}
	ps.src = ps.orig
	if ps.src[0] != '/' {
		ps.src = "/" + ps.src
		ps.shift = 1
	}
	p := &Pattern{src: ps.src, fold: ps.fold, literal: true}
	sawAny := -1
	for start := 1; start <= len(ps.src); {
		end, err := ps.segmentEnd(start)
		if err != nil {
			return nil, err
		}
		last := end == len(ps.src)
		seg, err := ps.segment(start, end, last)
		if err != nil {
			return nil, err
		}
		switch seg.kind {
		case segAny:
			sawAny = start
		case segRest:
			if sawAny >= 0 {
				return nil, ps.errorf(start, nil, "{*%s} cannot be combined with ** (at offset %d)", seg.names[0], max(sawAny-ps.shift, 0))
			}
		}
		if seg.kind != segLiteral {
			p.literal = false
		}
		p.vars += len(seg.names)
		p.segs = append(p.segs, seg)
		start = end + 1
	}
	return p, nil
}

// segmentEnd returns the offset of the '/' ending the segment that starts
// at start, or len(src). A '/' inside braces belongs to a regular
// expression, not to the path.
func (ps *parser) segmentEnd(start int) (int, error) {
	s := ps.src
	for i := start; i < len(s); i++ {
		switch s[i] {
		case '/':
			return i, nil
		case '{':
			j, err := ps.closeBrace(i)
			if err != nil {
				return 0, err
			}
			i = j
		case '}':
			return 0, ps.errorf(i, nil, "unmatched '}'")
		}
	}
	return len(s), nil
}

// closeBrace returns the offset of the '}' closing the '{' at open. In the
// regular expression of {name:re}, escapes, character classes and
// repetition braces such as \d{3} are skipped.
func (ps *parser) closeBrace(open int) (int, error) {
	s := ps.src
	inRegex, inClass, depth := false, false, 0
	for i := open + 1; i < len(s); i++ {
		c := s[i]
		if !inRegex {
			switch c {
			case '}':
				return i, nil
			case ':':
				inRegex = true
			case '{':
				return 0, ps.errorf(i, nil, "'{' inside variable name")
			}
			continue
		}
		switch {
		case c == '\\':
			i++ // the escaped character, whatever it is
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
			// A ']' right after '[' or '[^' is a literal member.
			if i+1 < len(s) && s[i+1] == '^' {
				i++
			}
			if i+1 < len(s) && s[i+1] == ']' {
				i++
			}
		case c == '{':
			depth++
		case c == '}':
			if depth == 0 {
				return i, nil
			}
			depth--
		}
	}
	return 0, ps.errorf(open, nil, "unclosed '{'")
}

func (ps *parser) segment(start, end int, last bool) (segment, error) {
	raw := ps.src[start:end]
	switch raw {
	case "":
		if !last {
			return segment{}, ps.errorf(start, nil, "empty segment (//)")
		}
		return segment{kind: segLiteral}, nil
	case ".", "..":
		return segment{}, ps.errorf(start, nil, "%q segment", raw)
	case "**":
		return segment{kind: segAny}, nil
	}
	hasBrace, hasWild := false, false
	for i := start; i < end; i++ {
		switch ps.src[i] {
		case '{':
			hasBrace = true
			j, _ := ps.closeBrace(i) // segmentEnd already proved it closes
			i = j
		case '*':
			if i+1 < end && ps.src[i+1] == '*' {
				return segment{}, ps.errorf(i, nil, "** must be a whole segment")
			}
			hasWild = true
		case '?':
			hasWild = true
		}
	}
	if !hasBrace {
		if hasWild {
			seg := segment{kind: segGlob, text: raw}
			if pre, suf, ok := strings.Cut(raw, "*"); ok && !strings.ContainsAny(suf, "*?") && !strings.Contains(pre, "?") {
				seg.oneStar, seg.pre, seg.suf = true, pre, suf
			}
			return seg, nil
		}
		return segment{kind: segLiteral, text: raw}, nil
	}
	if raw[0] == '{' {
		if j, _ := ps.closeBrace(start); j == end-1 {
			return ps.wholeVar(start, end, last)
		}
	}
	return ps.mixed(start, end)
}

// wholeVar compiles a segment that is exactly one {…} group.
func (ps *parser) wholeVar(start, end int, last bool) (segment, error) {
	body := ps.src[start+1 : end-1]
	if strings.HasPrefix(body, "*") {
		name := body[1:]
		if err := ps.name(name, start+2, start); err != nil {
			return segment{}, err
		}
		if !last {
			return segment{}, ps.errorf(start, nil, "{*%s} must be the last segment", name)
		}
		return segment{kind: segRest, names: []string{name}}, nil
	}
	name, re, hasRe := strings.Cut(body, ":")
	if err := ps.name(name, start+1, start); err != nil {
		return segment{}, err
	}
	if !hasRe {
		return segment{kind: segVar, names: []string{name}}, nil
	}
	reOff := start + 1 + len(name) + 1
	if _, err := ps.checkRegex(re, reOff); err != nil {
		return segment{}, err
	}
	c, err := ps.compile("(" + re + ")")
	if err != nil {
		return segment{}, ps.errorf(reOff, err, "bad regular expression")
	}
	return segment{kind: segRegex, re: c, names: []string{name}, groups: []int{1}, whole: true}, nil
}

// mixed compiles a segment mixing variables with text, such as
// {name}.{ext} or file-{id:\d+}.txt, into one anchored regular expression,
// as Spring's RegexPathElement does.
func (ps *parser) mixed(start, end int) (segment, error) {
	var b strings.Builder
	seg := segment{kind: segRegex}
	group := 1
	lit := start
	flush := func(to int) {
		for _, r := range ps.src[lit:to] {
			switch r {
			case '*':
				b.WriteString(`[^/]*`)
			case '?':
				b.WriteString(`[^/]`)
			default:
				b.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
	}
	for i := start; i < end; i++ {
		if ps.src[i] != '{' {
			continue
		}
		flush(i)
		j, _ := ps.closeBrace(i)
		body := ps.src[i+1 : j]
		if strings.HasPrefix(body, "*") {
			return segment{}, ps.errorf(i, nil, "{%s} must be a whole segment", body)
		}
		name, re, hasRe := strings.Cut(body, ":")
		if err := ps.name(name, i+1, i); err != nil {
			return segment{}, err
		}
		seg.names = append(seg.names, name)
		seg.groups = append(seg.groups, group)
		if hasRe {
			n, err := ps.checkRegex(re, i+2+len(name))
			if err != nil {
				return segment{}, err
			}
			b.WriteString("(" + re + ")")
			group += 1 + n
		} else {
			b.WriteString(`([^/]+)`)
			group++
		}
		i = j
		lit = j + 1
	}
	flush(end)
	c, err := ps.compile(b.String())
	if err != nil {
		return segment{}, ps.errorf(start, err, "bad regular expression")
	}
	seg.re = c
	return seg, nil
}

// checkRegex parses a user's regular expression on its own before it is
// embedded, so that an unbalanced ')' can never break out of its group and
// unanchor the whole expression. It returns the number of capture groups.
func (ps *parser) checkRegex(re string, off int) (int, error) {
	if re == "" {
		return 0, ps.errorf(off, nil, "empty regular expression")
	}
	t, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return 0, ps.errorf(off, err, "bad regular expression")
	}
	return t.MaxCap(), nil
}

// compile anchors expr to the whole segment. (?s) lets '.' match a
// newline: a decoded %0a must not slip past a rule (CVE-2022-22978).
func (ps *parser) compile(expr string) (*regexp.Regexp, error) {
	flags := "(?s)"
	if ps.fold {
		flags = "(?si)"
	}
	return regexp.Compile(`^` + flags + `(?:` + expr + `)$`)
}

// name validates a variable name at offset off; brace is the offset of its
// '{', reported for a duplicate.
func (ps *parser) name(name string, off, brace int) error {
	if name == "" {
		return ps.errorf(off, nil, "empty variable name")
	}
	for i, r := range name {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return ps.errorf(off+i, nil, "variable name %q: character %q not allowed (use letters, digits, '_' or '-')", name, r)
		}
	}
	if ps.seen[name] {
		return ps.errorf(brace, nil, "variable %q captured twice", name)
	}
	if ps.seen == nil {
		ps.seen = make(map[string]bool)
	}
	ps.seen[name] = true
	return nil
}

// Match reports whether path matches the pattern. The path is the decoded
// URL path the router matched; it must start with '/'. Match is exact on
// any input and does not allocate unless a segment needs a regular
// expression.
func (p *Pattern) Match(path string) bool {
	if len(path) == 0 || path[0] != '/' {
		return false
	}
	if p.literal {
		if p.fold {
			return foldEqual(p.src, path)
		}
		return p.src == path
	}
	return p.match(path, nil)
}

// MatchVars is Match that also returns the captured variables: {name} and
// {name:re} capture their segment (or part of it), {*name} the rest of the
// path with its leading '/' ("" when nothing is left). ** captures nothing.
func (p *Pattern) MatchVars(path string) (map[string]string, bool) {
	if len(path) == 0 || path[0] != '/' {
		return nil, false
	}
	spans := make([]int, 2*len(p.segs))
	if !p.match(path, spans) {
		return nil, false
	}
	vars := make(map[string]string, p.vars)
	for k := range p.segs {
		s := &p.segs[k]
		lo, hi := spans[2*k], spans[2*k+1]
		switch s.kind {
		case segVar:
			vars[s.names[0]] = path[lo:hi]
		case segRest:
			vars[s.names[0]] = path[lo:hi]
		case segRegex:
			m := s.re.FindStringSubmatch(path[lo:hi])
			for i, name := range s.names {
				if g := s.groups[i]; m != nil && g < len(m) {
					vars[name] = m[g]
				}
			}
		}
	}
	return vars, true
}

// match runs the classic wildcard algorithm at the level of segments: each
// non-** element consumes exactly one segment and decides on it alone, so
// backtracking only to the last ** is complete and the cost stays
// O(segments × elements) even with several **. When spans is non-nil it
// receives, per element, the byte range of the path it matched.
func (p *Pattern) match(path string, spans []int) bool {
	segs := p.segs
	n := len(segs)
	pi, s := 0, 1 // element index, offset of the current path segment
	starPi, starS := -1, 0
	for s <= len(path) {
		if pi < n {
			e := &segs[pi]
			switch e.kind {
			case segAny:
				starPi, starS = pi, s
				pi++
				continue
			case segRest:
				if spans != nil {
					spans[2*pi], spans[2*pi+1] = s-1, len(path)
				}
				return true
			default:
				end := segEnd(path, s)
				if e.matchSegment(path[s:end], p.fold) {
					if spans != nil {
						spans[2*pi], spans[2*pi+1] = s, end
					}
					pi++
					s = end + 1
					continue
				}
			}
		}
		if starPi < 0 {
			return false
		}
		// Let the last ** swallow one more segment and retry after it.
		starS = segEnd(path, starS) + 1
		pi, s = starPi+1, starS
	}
	// The path is used up: what is left of the pattern must match nothing.
	for ; pi < n; pi++ {
		switch segs[pi].kind {
		case segAny:
		case segRest:
			if spans != nil {
				spans[2*pi], spans[2*pi+1] = len(path), len(path)
			}
		default:
			return false
		}
	}
	return true
}

// segEnd returns the offset of the '/' after the segment starting at s, or
// len(path).
func segEnd(path string, s int) int {
	if i := strings.IndexByte(path[s:], '/'); i >= 0 {
		return s + i
	}
	return len(path)
}

// matchSegment reports whether one path segment (no '/') matches e.
func (e *segment) matchSegment(seg string, fold bool) bool {
	switch e.kind {
	case segLiteral:
		if fold {
			return foldEqual(e.text, seg)
		}
		return e.text == seg
	case segGlob:
		if e.oneStar && !fold {
			return len(seg) >= len(e.pre)+len(e.suf) && strings.HasPrefix(seg, e.pre) && strings.HasSuffix(seg, e.suf)
		}
		return globMatch(e.text, seg, fold)
	case segVar:
		return seg != ""
	case segRegex:
		if e.whole && seg == "" {
			return false
		}
		return e.re.MatchString(seg)
	}
	return false
}
