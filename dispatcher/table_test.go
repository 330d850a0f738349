package dispatcher_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
)

// TestTableAgainstBruteForce registers random template sets (literal
// segments next to variables, catch-alls and trailing slashes, under
// several methods, each route naming its variables its own way) and checks
// every request against a brute-force matcher: the answer must come from a
// matching template serving the method that no other such template is more
// specific than, with the variables that template binds; 405 with every
// matching template's methods when none serves it; a redirect when only
// the path with its trailing slash toggled matches; 404 otherwise.
func TestTableAgainstBruteForce(t *testing.T) {
	lits := []string{"a", "b", "c", "abcdefghij"}
	methods := []string{"GET", "PUT", "DELETE"}
	for seed := range uint64(400) {
		rng := rand.New(rand.NewPCG(seed, 7))
		type reg struct{ tmpl, method string }
		var regs []reg
		seen := map[string]bool{}
		d := dispatcher.New(dispatcher.RedirectTrailingSlash())
		for range 2 + rng.IntN(14) {
			n := 1 + rng.IntN(3)
			var segs []string
			for i := range n {
				switch k := rng.IntN(8); {
				case k == 0 && i == n-1:
					segs = append(segs, "{*rest"+string(rune('a'+rng.IntN(2)))+"}")
				case k == 1 && i == n-1:
					segs = append(segs, "")
				case k <= 4:
					segs = append(segs, "{"+[]string{"x", "y"}[rng.IntN(2)]+string(rune('0'+i))+"}")
				default:
					segs = append(segs, lits[rng.IntN(len(lits))])
				}
			}
			tmpl := "/" + strings.Join(segs, "/")
			method := methods[rng.IntN(len(methods))]
			if seen[method+shapeOf(tmpl)] {
				continue
			}
			seen[method+shapeOf(tmpl)] = true
			regs = append(regs, reg{tmpl, method})
			must(t, d.Handle(method, tmpl, func(w http.ResponseWriter, _ *http.Request, ps handler.Params) {
				io.WriteString(w, tmpl+" "+fmt.Sprint(ps))
			}))
		}
		must(t, d.Build())
		for range 60 {
			var segs []string
			for range 1 + rng.IntN(4) {
				segs = append(segs, []string{"a", "b", "c", "z", "abcdefghij", "abcdefghik"}[rng.IntN(6)])
			}
			path := "/" + strings.Join(segs, "/")
			if rng.IntN(4) == 0 {
				path += "/"
			}
			method := methods[rng.IntN(len(methods))]
			var serving, all []string
			allow := map[string]bool{}
			for _, r := range regs {
				if _, ok := matchScore(r.tmpl, path); ok {
					all = append(all, r.tmpl)
					allow[r.method] = true
					if r.method == method {
						serving = append(serving, r.tmpl)
					}
				}
			}
			w := serve(t, d, method, path)
			fail := func(want string) {
				t.Helper()
				t.Fatalf("seed %d: %v: %s %s = %d %q (Allow %q), want %s", seed, regs, method, path, w.Code, w.Body, w.Header().Get("Allow"), want)
			}
			switch {
			case len(serving) > 0:
				best := bestMatches(serving, path)
				tmpl, vals, _ := strings.Cut(w.Body.String(), " ")
				if w.Code != 200 || !best[tmpl] {
					fail(fmt.Sprintf("one of %v", best))
				}
				if want := fmt.Sprint(bindings(tmpl, path)); vals != want {
					fail(tmpl + " with " + want)
				}
			case len(all) > 0:
				if allow["GET"] {
					allow["HEAD"] = true
				}
				allow["OPTIONS"] = true
				var want []string
				for m := range allow {
					want = append(want, m)
				}
				sort.Strings(want)
				if w.Code != 405 || w.Header().Get("Allow") != strings.Join(want, ", ") {
					fail("405 with Allow " + strings.Join(want, ", "))
				}
			default:
				toggled := strings.TrimSuffix(path, "/")
				if toggled == path {
					toggled += "/"
				}
				redirect := false
				for _, r := range regs {
					if _, ok := matchScore(r.tmpl, toggled); ok && method == "GET" && toggled != "" {
						redirect = true
					}
				}
				switch {
				case redirect && (w.Code != 301 || w.Header().Get("Location") != toggled):
					fail("301 to " + toggled)
				case !redirect && w.Code != 404:
					fail("404")
				}
			}
		}
	}
}

// shapeOf is a template with its variables' names left out: two routes of
// one shape serve the same paths.
func shapeOf(tmpl string) string {
	segs := strings.Split(tmpl, "/")
	for i, s := range segs {
		switch {
		case strings.HasPrefix(s, "{*"):
			segs[i] = "{*}"
		case strings.HasPrefix(s, "{"):
			segs[i] = "{}"
		}
	}
	return strings.Join(segs, "/")
}

// bindings returns the variables tmpl binds for path, as httprouter's
// Params print: a catch-all's value starts with its slash.
func bindings(tmpl, path string) handler.Params {
	var ps handler.Params
	ts, segs := strings.Split(tmpl[1:], "/"), strings.Split(path[1:], "/")
	for i, seg := range ts {
		switch {
		case strings.HasPrefix(seg, "{*"):
			return append(ps, handler.Param{Key: seg[2 : len(seg)-1], Value: "/" + strings.Join(segs[i:], "/")})
		case strings.HasPrefix(seg, "{"):
			ps = append(ps, handler.Param{Key: seg[1 : len(seg)-1], Value: segs[i]})
		}
	}
	return ps
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

// TestManyVariables maps a template with more variables than the lookup
// keeps in the writer's own arrays, next to a shorter one sharing its
// start.
func TestManyVariables(t *testing.T) {
	var segs, want []string
	for i := range 12 {
		segs = append(segs, fmt.Sprintf("{v%d}", i))
		want = append(want, fmt.Sprintf("v%d=%d", i, i))
	}
	d := dispatcher.New()
	echo := func(w http.ResponseWriter, _ *http.Request, ps handler.Params) {
		var got []string
		for _, p := range ps {
			got = append(got, p.Key+"="+p.Value)
		}
		io.WriteString(w, strings.Join(got, ","))
	}
	must(t, d.GET("/"+strings.Join(segs, "/"), echo))
	must(t, d.GET("/{v0}/{v1}", echo))
	var path []string
	for i := range 12 {
		path = append(path, fmt.Sprint(i))
	}
	for range 3 { // the writer's scratch space, once grown, is reused
		if w := serve(t, d, "GET", "/"+strings.Join(path, "/")); w.Code != 200 || w.Body.String() != strings.Join(want, ",") {
			t.Fatalf("got %d %q, want %q", w.Code, w.Body, strings.Join(want, ","))
		}
		if w := serve(t, d, "GET", "/a/b"); w.Body.String() != "v0=a,v1=b" {
			t.Fatalf("short route: got %q", w.Body)
		}
	}
}
