package bench

import (
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/julienschmidt/httprouter"
	"github.com/labstack/echo/v4"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
)

// A router under test: how to build it from a route set. Every handler does
// nothing, as in go-http-routing-benchmark, so the numbers are the router's.
type router struct {
	name  string
	build func(testing.TB, []route) http.Handler
}

// quietLog keeps Portico's startup warnings out of benchmark output.
var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func routers() []router {
	return []router{
		{"httprouter", buildHTTPRouter},
		// Portico with an httprouter-shaped handler, the like-for-like
		// counterpart of httprouter.Handle: adapter.HTTP passes the params
		// straight through, with no r.SetPathValue.
		{"portico-params", buildPortico(func(http.ResponseWriter, *http.Request, handler.Params) {})},
		// Portico with a raw net/http handler, the counterpart of
		// httprouter.Handle: its adapter copies path variables into
		// r.SetPathValue, which allocates a map per request with variables.
		{"portico-raw", buildPortico(func(w http.ResponseWriter, r *http.Request) {})},
		// Portico with a functional handler, which reads variables from
		// handler.Request.Params and needs no r.SetPathValue.
		{"portico-func", buildPortico(handler.Function(func(handler.Request) (*handler.Response, error) { return nil, nil }))},
		{"gin", buildGin},
		{"echo", buildEcho},
		{"chi", buildChi},
	}
}

func buildHTTPRouter(_ testing.TB, rs []route) http.Handler {
	r := httprouter.New()
	h := func(http.ResponseWriter, *http.Request, httprouter.Params) {}
	for _, rt := range rs {
		r.Handle(rt.method, rt.path, h)
	}
	return r
}

func buildPortico(h any) func(testing.TB, []route) http.Handler {
	return func(tb testing.TB, rs []route) http.Handler {
		d := dispatcher.New(dispatcher.WithLogger(quietLog))
		for _, rt := range rs {
			if err := d.Handle(rt.method, springPath(rt.path), h); err != nil {
				tb.Fatal(err)
			}
		}
		if err := d.Build(); err != nil {
			tb.Fatal(err)
		}
		return d
	}
}

func buildGin(_ testing.TB, rs []route) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	g := gin.New()
	h := func(*gin.Context) {}
	for _, rt := range rs {
		g.Handle(rt.method, rt.path, h)
	}
	return g
}

func buildEcho(_ testing.TB, rs []route) http.Handler {
	e := echo.New()
	h := func(echo.Context) error { return nil }
	for _, rt := range rs {
		e.Add(rt.method, rt.path, h)
	}
	return e
}

func buildChi(_ testing.TB, rs []route) http.Handler {
	r := chi.NewRouter()
	h := func(http.ResponseWriter, *http.Request) {}
	for _, rt := range rs {
		r.MethodFunc(rt.method, springPath(rt.path), h)
	}
	return r
}

// routingCase is a route set and the requests replayed against it; one
// benchmark op serves all of them.
type routingCase struct {
	name   string
	routes []route
	reqs   func() *reqs
}

func routingCases() []routingCase {
	gh := githubRoutes()
	return []routingCase{
		{"github-all", gh, func() *reqs {
			rs := &reqs{}
			for _, rt := range gh {
				rs.add(rt.method, requestPath(rt.path))
			}
			return rs
		}},
		{"static", []route{{"GET", "/user/repos"}}, func() *reqs { return newReqs("GET", "/user/repos") }},
		{"param1", []route{{"GET", "/user/:name"}}, func() *reqs { return newReqs("GET", "/user/gordon") }},
		{"param5", []route{{"GET", "/:a/:b/:c/:d/:e"}}, func() *reqs { return newReqs("GET", "/test/test/test/test/test") }},
	}
}

// TestRoutersServeEveryRequest makes sure no router answers a benchmark
// request with 404 or 405, which would be fast and meaningless.
func TestRoutersServeEveryRequest(t *testing.T) {
	for _, c := range routingCases() {
		for _, rtr := range routers() {
			h := rtr.build(t, c.routes)
			rs := c.reqs()
			for _, r := range rs.rs {
				w := newWriter()
				h.ServeHTTP(w, r)
				if w.status >= 300 {
					t.Errorf("%s %s: %s %s answered %d", c.name, rtr.name, r.Method, r.URL.Path, w.status)
				}
			}
		}
	}
}

// BenchmarkRouting is route lookup and dispatch with no middleware: one op
// serves every request of the case (203 for github-all).
func BenchmarkRouting(b *testing.B) {
	for _, c := range routingCases() {
		for _, rtr := range routers() {
			b.Run("case="+c.name+"/impl="+rtr.name, func(b *testing.B) {
				h := rtr.build(b, c.routes)
				rs := c.reqs()
				w := newWriter()
				b.ReportAllocs()
				for b.Loop() {
					rs.serve(h, w)
				}
			})
		}
	}
}
