package dispatcher

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/julienschmidt/httprouter"
)

// TestMirrorNoLaxerThanHTTPRouter inserts random templates into a tree
// mirror and an httprouter tree side by side: whatever the mirror accepts,
// httprouter must take too, so newTable's rebuild-on-refusal path stays a
// safety net and start-up stays linear.
func TestMirrorNoLaxerThanHTTPRouter(t *testing.T) {
	for seed := range uint64(2000) {
		rng := rand.New(rand.NewPCG(seed, 3))
		st, r := newShapeTree(), httprouter.New()
		seen := map[string]bool{}
		for range 2 + rng.IntN(10) {
			n := 1 + rng.IntN(3)
			var segs []string
			for i := range n {
				switch k := rng.IntN(8); {
				case k == 0 && i == n-1:
					segs = append(segs, "{*rest}")
				case k == 1 && i == n-1:
					segs = append(segs, "")
				case k <= 4:
					segs = append(segs, "{"+[]string{"x", "y"}[rng.IntN(2)]+"}")
				default:
					segs = append(segs, []string{"a", "b", "ab"}[rng.IntN(3)])
				}
			}
			tmpl, err := parseTemplate("/" + strings.Join(segs, "/"))
			if err != nil || seen[tmpl.shape] {
				continue // a variable used twice, or a shape already in
			}
			seen[tmpl.shape] = true
			if !st.accepts(tmpl) {
				continue
			}
			if !insert(r, &entry{tmpl: tmpl}) {
				t.Fatalf("seed %d: the mirror accepted %s, httprouter refused it", seed, tmpl.spring)
			}
			st.add(tmpl)
		}
	}
}
