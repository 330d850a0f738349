package bench

import (
	"fmt"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
)

// buildApp registers services*3 routes, three per service in the shapes
// that force httprouter to split them over trees (a static next to a
// variable), and one path-scoped interceptor, then builds.
func buildApp(tb testing.TB, services int) *dispatcher.Dispatcher {
	d := dispatcher.New(dispatcher.WithLogger(quietLog))
	h := func(r handler.Request) (*handler.Response, error) { return nil, nil }
	for i := range services {
		for _, p := range []string{"/svc%d/items/list", "/svc%d/items/{id}", "/svc%d/items/{id}/parts/{part}"} {
			if err := d.GET(fmt.Sprintf(p, i), handler.Function(h)); err != nil {
				tb.Fatal(err)
			}
		}
	}
	d.Interceptors().AddInterceptor(&counter{}).AddPathPatterns("/**").ExcludePathPatterns("/svc0/**")
	if err := d.Build(); err != nil {
		tb.Fatal(err)
	}
	return d
}

func TestBuildServesEveryShape(t *testing.T) {
	d := buildApp(t, 50)
	for _, path := range []string{"/svc49/items/list", "/svc7/items/3", "/svc0/items/3/parts/x"} {
		w := newWriter()
		d.ServeHTTP(w, newReqs("GET", path).rs[0])
		if w.status != 204 {
			t.Errorf("GET %s: %d", path, w.status)
		}
	}
}

// BenchmarkBuild is start-up: registering and building n routes. Linear
// growth means routes=12000 costs about ten times routes=01200.
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{1200, 12000} {
		b.Run(fmt.Sprintf("routes=%05d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				buildApp(b, n/3)
			}
		})
	}
}
