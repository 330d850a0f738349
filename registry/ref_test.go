package registry

import (
	"math/rand/v2"
	"regexp"
	"strings"
)

// refMatch is an oracle written independently of the matcher: it splits
// both strings, tries every split for ** by memoized recursion, and
// matches each segment with a regular expression translated from the
// pattern segment. It assumes pattern parsed without error.
func refMatch(pattern, path string, fold bool) bool {
	if !strings.HasPrefix(pattern, "/") {
		pattern = "/" + pattern
	}
	if !strings.HasPrefix(path, "/") {
		return false
	}
	ps := refSplit(pattern[1:])
	segs := strings.Split(path[1:], "/")
	memo := make(map[[2]int]bool)
	var rec func(i, j int) bool
	rec = func(i, j int) bool {
		key := [2]int{i, j}
		if v, ok := memo[key]; ok {
			return v
		}
		var ok bool
		switch {
		case i == len(ps):
			ok = j == len(segs)
		case ps[i] == "**":
			for k := j; k <= len(segs) && !ok; k++ {
				ok = rec(i+1, k)
			}
		case strings.HasPrefix(ps[i], "{*"):
			ok = true
		case j == len(segs):
			ok = false
		default:
			ok = refSegment(ps[i], segs[j], fold) && rec(i+1, j+1)
		}
		memo[key] = ok
		return ok
	}
	return rec(0, 0)
}

// refSplit splits a pattern on the '/' that are outside braces.
func refSplit(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if depth > 0 {
				i++
			}
		case '[':
			if depth > 0 {
				i = refSkipClass(s, i)
			}
		case '{':
			depth++
		case '}':
			depth--
		case '/':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// refSkipClass returns the offset of the ']' closing the class at i.
func refSkipClass(s string, i int) int {
	j := i + 1
	if j < len(s) && s[j] == '^' {
		j++
	}
	if j < len(s) && s[j] == ']' {
		j++
	}
	for ; j < len(s); j++ {
		if s[j] == '\\' {
			j++
			continue
		}
		if s[j] == ']' {
			return j
		}
	}
	return len(s)
}

func refSegment(pseg, seg string, fold bool) bool {
	var b strings.Builder
	whole := strings.HasPrefix(pseg, "{") && refClose(pseg, 0) == len(pseg)-1
	for i := 0; i < len(pseg); {
		switch c := pseg[i]; c {
		case '*':
			b.WriteString(".*")
			i++
		case '?':
			b.WriteString(".")
			i++
		case '{':
			j := refClose(pseg, i)
			body := pseg[i+1 : j]
			if k := strings.IndexByte(body, ':'); k >= 0 {
				b.WriteString("(?:" + body[k+1:] + ")")
			} else {
				b.WriteString(".+")
			}
			i = j + 1
		default:
			k := i + 1
			for k < len(pseg) && !strings.ContainsRune("*?{", rune(pseg[k])) {
				k++
			}
			b.WriteString(regexp.QuoteMeta(pseg[i:k]))
			i = k
		}
	}
	flags := "(?s)"
	if fold {
		flags = "(?si)"
	}
	re := regexp.MustCompile("^" + flags + "(?:" + b.String() + ")$")
	if whole && seg == "" {
		return false
	}
	return re.MatchString(seg)
}

// refClose returns the offset of the '}' closing the '{' at i.
func refClose(s string, i int) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '[':
			if strings.Contains(s[i:j], ":") {
				j = refSkipClass(s, j)
			}
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(s) - 1
}

// gen builds random patterns, templates and paths from a small alphabet,
// so that literals collide often.
type gen struct{ r *rand.Rand }

func (g gen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }

func (g gen) pattern() string {
	n := g.r.IntN(5)
	var segs []string
	rest := false
	for i := 0; i < n; i++ {
		switch g.r.IntN(10) {
		case 0, 1, 2:
			segs = append(segs, g.pick("a", "b", "ab", "1", "a.js", "A"))
		case 3:
			segs = append(segs, g.pick("*", "?", "a*", "*.js", "?b", "a?", "*?", "?*", "**"))
		case 4, 5:
			segs = append(segs, "**")
		case 6:
			segs = append(segs, "{v"+string(rune('0'+i))+"}")
		case 7:
			segs = append(segs, g.pick("{n"+string(rune('0'+i))+":[0-9]+}", "{r"+string(rune('0'+i))+":a.*}", "{m"+string(rune('0'+i))+"}.js"))
		case 8:
			segs = append(segs, "*")
		case 9:
			if i == n-1 {
				rest = true
			} else {
				segs = append(segs, g.pick("a", "*"))
			}
		}
	}
	p := "/" + strings.Join(segs, "/")
	switch {
	case rest:
		if !strings.Contains(p, "**") {
			if p != "/" {
				p += "/"
			}
			p += "{*rest}"
		}
	case len(segs) > 0 && g.r.IntN(8) == 0:
		p += "/"
	}
	return p
}

func (g gen) template() string {
	n := g.r.IntN(4)
	var segs []string
	for i := 0; i < n; i++ {
		if g.r.IntN(3) == 0 {
			segs = append(segs, "{p"+string(rune('0'+i))+"}")
		} else {
			segs = append(segs, g.pick("a", "b", "ab", "1", "a.js"))
		}
	}
	t := "/" + strings.Join(segs, "/")
	switch g.r.IntN(6) {
	case 0, 1:
		if t != "/" {
			t += "/"
		}
		t += "{*path}"
	case 2:
		if t != "/" {
			t += "/"
		}
	}
	return t
}

func (g gen) value() string {
	return g.pick("a", "b", "ab", "1", "12", "a.js", "x.html", "A", "é", "a b", "a\nb")
}

// path instantiates a route template with random values; a catch-all gets
// one to three segments, possibly empty.
func (g gen) path(template string) string {
	var b strings.Builder
	for _, part := range strings.Split(template[1:], "/") {
		b.WriteByte('/')
		switch {
		case strings.HasPrefix(part, "{*"):
			n := 1 + g.r.IntN(3)
			for i := 0; i < n; i++ {
				if i > 0 {
					b.WriteByte('/')
				}
				if g.r.IntN(4) > 0 {
					b.WriteString(g.value())
				}
			}
		case strings.HasPrefix(part, "{"):
			b.WriteString(g.value())
		default:
			b.WriteString(part)
		}
	}
	return b.String()
}

func newGen(seed uint64) gen { return gen{rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} }
