package bench

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/labstack/echo/v4"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
)

// counter is the trivial work every interceptor and middleware does: one
// increment before the handler and two after it (Portico's PostHandle and
// AfterCompletion; a middleware's code after next).
type counter struct{ n int }

func (c *counter) PreHandle(http.ResponseWriter, *http.Request, *handler.Route) (bool, error) {
	c.n++
	return true, nil
}

func (c *counter) PostHandle(http.ResponseWriter, *http.Request, *handler.Route, *handler.Result) error {
	c.n++
	return nil
}

func (c *counter) AfterCompletion(http.ResponseWriter, *http.Request, *handler.Route, error) { c.n++ }

// passThrough is a counter that declares it uses no request state, as a
// timer or a header check would: its routes carry no request scope. A
// bare counter says nothing, so its routes get one (the Request copy).
type passThrough struct{ *counter }

func (passThrough) UsesRequestState() bool { return false }

// porticoChain builds Portico's side of the chain benchmark with n
// interceptors made by x.
func porticoChain(tb testing.TB, n int, x func() interceptor.HandlerInterceptor) http.Handler {
	d := dispatcher.New(dispatcher.WithLogger(quietLog))
	if err := d.GET("/book/{id}", handler.Function(func(r handler.Request) (*handler.Response, error) {
		sink = r.Param("id")
		return nil, nil
	})); err != nil {
		tb.Fatal(err)
	}
	for range n {
		d.Interceptors().AddInterceptor(x()).AddPathPatterns("/book/**")
	}
	if err := d.Build(); err != nil {
		tb.Fatal(err)
	}
	return d
}

// sink keeps handlers' reads of the path variable from being optimised
// away; it is a benchmark fixture, written from one goroutine at a time.
var sink string

// chainImpls build a router with route GET /book/{id} behind n
// interceptors or middlewares. Every handler reads the id, so each
// framework's parameter access is part of the work.
var chainImpls = []struct {
	name  string
	build func(tb testing.TB, n int) http.Handler
}{
	{"portico", func(tb testing.TB, n int) http.Handler {
		return porticoChain(tb, n, func() interceptor.HandlerInterceptor { return passThrough{&counter{}} })
	}},
	{"portico-scoped", func(tb testing.TB, n int) http.Handler {
		return porticoChain(tb, n, func() interceptor.HandlerInterceptor { return &counter{} })
	}},
	{"gin", func(_ testing.TB, n int) http.Handler {
		gin.SetMode(gin.ReleaseMode)
		g := gin.New()
		for range n {
			c := &counter{}
			g.Use(func(ctx *gin.Context) {
				c.n++
				ctx.Next()
				c.n++
				c.n++
			})
		}
		g.GET("/book/:id", func(c *gin.Context) { sink = c.Param("id") })
		return g
	}},
	{"echo", func(_ testing.TB, n int) http.Handler {
		e := echo.New()
		for range n {
			c := &counter{}
			e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
				return func(ctx echo.Context) error {
					c.n++
					err := next(ctx)
					c.n++
					c.n++
					return err
				}
			})
		}
		e.GET("/book/:id", func(c echo.Context) error { sink = c.Param("id"); return nil })
		return e
	}},
	{"chi", func(_ testing.TB, n int) http.Handler {
		r := chi.NewRouter()
		for range n {
			c := &counter{}
			r.Use(func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					c.n++
					next.ServeHTTP(w, r)
					c.n++
					c.n++
				})
			})
		}
		r.Get("/book/{id}", func(w http.ResponseWriter, r *http.Request) { sink = chi.URLParam(r, "id") })
		return r
	}},
}

// chainSizes are the interceptor counts measured; 0 shows what the first
// one costs on its own.
var chainSizes = []int{0, 1, 3, 5, 10}

func TestChainsRunEveryHook(t *testing.T) {
	for _, impl := range chainImpls {
		for _, n := range chainSizes {
			h := impl.build(t, n)
			sink = ""
			w := newWriter()
			h.ServeHTTP(w, newReqs("GET", "/book/42").rs[0])
			if sink != "42" || w.status >= 300 {
				t.Errorf("%s n=%d: handler saw id %q, status %d", impl.name, n, sink, w.status)
			}
		}
	}
}

// BenchmarkChain is the cost of n interceptors (Portico) or middlewares
// (the peers) on a route with one path variable.
func BenchmarkChain(b *testing.B) {
	for _, n := range chainSizes {
		for _, impl := range chainImpls {
			b.Run(fmt.Sprintf("n=%02d/impl=%s", n, impl.name), func(b *testing.B) {
				h := impl.build(b, n)
				rs := newReqs("GET", "/book/42")
				w := newWriter()
				b.ReportAllocs()
				for b.Loop() {
					rs.serve(h, w)
				}
			})
		}
	}
}

// BenchmarkHookFloor is what the three hooks of n interceptors cost with
// no framework around them: three Go loops of interface calls that check
// what the calls return, as any chain with Spring's rules must. Its slope
// is the floor under Portico's cost per added interceptor on this
// machine; gin's and echo's middlewares make one call each instead.
func BenchmarkHookFloor(b *testing.B) {
	for _, n := range chainSizes {
		b.Run(fmt.Sprintf("n=%02d", n), func(b *testing.B) {
			hs := make([]interceptor.HandlerInterceptor, n)
			for i := range hs {
				hs[i] = passThrough{&counter{}}
			}
			w, r := newWriter(), newReqs("GET", "/book/42").rs[0]
			rt, res := &handler.Route{}, &handler.Result{}
			b.ReportAllocs()
			for b.Loop() {
				if err := runHooks(hs, w, r, rt, res); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// runHooks runs PreHandle in order, then PostHandle and AfterCompletion in
// reverse. It is kept out of line, as a dispatcher's would be.
//
//go:noinline
func runHooks(hs []interceptor.HandlerInterceptor, w http.ResponseWriter, r *http.Request, rt *handler.Route, res *handler.Result) error {
	for _, h := range hs {
		if ok, err := h.PreHandle(w, r, rt); err != nil || !ok {
			return fmt.Errorf("PreHandle stopped the chain: %v", err)
		}
	}
	var err error
	for i := len(hs) - 1; i >= 0; i-- {
		if err = hs[i].PostHandle(w, r, rt, res); err != nil {
			break
		}
	}
	for i := len(hs) - 1; i >= 0; i-- {
		hs[i].AfterCompletion(w, r, rt, err)
	}
	return err
}
