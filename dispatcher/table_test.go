package dispatcher_test

import (
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/portico-go/portico/dispatcher"
)

// TestTableAgainstBruteForce registers random template sets (literal
// segments next to variables and catch-alls, which httprouter refuses in
// one tree) and checks every request against a brute-force matcher: the
// answer must be a matching template that no other matching template is
// more specific than, and 404 when none matches.
func TestTableAgainstBruteForce(t *testing.T) {
	lits := []string{"a", "b", "c"}
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 7))
		shapes := map[string]bool{}
		var tmpls []string
		d := dispatcher.New()
		for range 2 + rng.IntN(14) {
			n := 1 + rng.IntN(3)
			var segs, shape []string
			for i := range n {
				switch k := rng.IntN(6); {
				case k == 0 && i == n-1:
					segs, shape = append(segs, "{*rest}"), append(shape, "{*}")
				case k <= 2:
					name := []string{"{x", "{y"}[rng.IntN(2)] + string(rune('0'+i)) + "}"
					segs, shape = append(segs, name), append(shape, "{}")
				default:
					l := lits[rng.IntN(len(lits))]
					segs, shape = append(segs, l), append(shape, l)
				}
			}
			s := strings.Join(shape, "/")
			if shapes[s] {
				continue
			}
			shapes[s] = true
			tmpl := "/" + strings.Join(segs, "/")
			tmpls = append(tmpls, tmpl)
			must(t, d.GET(tmpl, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, tmpl) }))
		}
		must(t, d.Build())
		for range 40 {
			var segs []string
			for range 1 + rng.IntN(4) {
				segs = append(segs, []string{"a", "b", "c", "z"}[rng.IntN(4)])
			}
			path := "/" + strings.Join(segs, "/")
			best := bestMatches(tmpls, path)
			w := serve(t, d, "GET", path)
			switch {
			case len(best) == 0 && w.Code != http.StatusNotFound:
				t.Fatalf("seed %d: %v: GET %s = %d %q, want 404", seed, tmpls, path, w.Code, w.Body)
			case len(best) > 0 && (w.Code != 200 || !best[w.Body.String()]):
				t.Fatalf("seed %d: %v: GET %s = %d %q, want one of %v", seed, tmpls, path, w.Code, w.Body, best)
			}
		}
	}
}

// bestMatches returns the templates matching path that no other matching
// template beats on (fewer catch-alls, fewer variables, more literal
// bytes), the dispatcher's documented precedence.
func bestMatches(tmpls []string, path string) map[string]bool {
	type score struct{ catch, vars, lit int }
	var ms []string
	var ss []score
	for _, tm := range tmpls {
		if s, ok := matchScore(tm, path); ok {
			ms, ss = append(ms, tm), append(ss, score{s[0], s[1], s[2]})
		}
	}
	better := func(a, b score) bool {
		if a.catch != b.catch {
			return a.catch < b.catch
		}
		if a.vars != b.vars {
			return a.vars < b.vars
		}
		return a.lit > b.lit
	}
	out := map[string]bool{}
	for i := range ms {
		beaten := false
		for j := range ms {
			if better(ss[j], ss[i]) {
				beaten = true
			}
		}
		if !beaten {
			out[ms[i]] = true
		}
	}
	return out
}

func matchScore(tmpl, path string) ([3]int, bool) {
	var s [3]int
	ts, ps := strings.Split(tmpl[1:], "/"), strings.Split(path[1:], "/")
	for i, seg := range ts {
		switch {
		case strings.HasPrefix(seg, "{*"):
			s[0], s[1] = 1, s[1]+1
			return s, i < len(ps) // the rest, even empty after the slash
		case i >= len(ps):
			return s, false
		case strings.HasPrefix(seg, "{"):
			if ps[i] == "" {
				return s, false
			}
			s[1]++
		case seg != ps[i]:
			return s, false
		default:
			s[2] += len(seg) + 1
		}
	}
	return s, len(ts) == len(ps)
}
