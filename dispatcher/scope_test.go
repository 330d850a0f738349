package dispatcher_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
)

// stateless is an interceptor that declares it uses no request state.
type stateless struct{ interceptor.Funcs }

func (stateless) UsesRequestState() bool { return false }

// routeOf names what a handler sees through its context: the route's
// template and the variable id, or "none" without a request scope.
func routeOf(ctx context.Context) string {
	rt := handler.RouteOf(ctx)
	if rt == nil {
		return "none"
	}
	return rt.Path + " id=" + handler.PathParams(ctx).ByName("id")
}

type controllerFunc func(http.ResponseWriter, *http.Request) (*handler.ModelAndView, error)

func (f controllerFunc) HandleRequest(w http.ResponseWriter, r *http.Request) (*handler.ModelAndView, error) {
	return f(w, r)
}

func TestRouteOfOnEveryHandlerKind(t *testing.T) {
	kinds := []struct {
		name string
		h    any
		opts []dispatcher.RouteOption
		want string
	}{
		{"net/http func", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, routeOf(r.Context())) }, nil, "/k/{id} id=7"},
		{"http.Handler", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, routeOf(r.Context())) }), nil, "/k/{id} id=7"},
		{"controller", controllerFunc(func(w http.ResponseWriter, r *http.Request) (*handler.ModelAndView, error) {
			io.WriteString(w, routeOf(r.Context()))
			return nil, nil
		}), nil, "/k/{id} id=7"},
		{"typed", handler.Typed(func(ctx context.Context, _ handler.Empty) (string, error) { return routeOf(ctx), nil }), nil, "/k/{id} id=7"},
		{"function, WithRequestScope", handler.Function(func(r handler.Request) (*handler.Response, error) {
			return &handler.Response{Body: routeOf(r.Context())}, nil
		}), []dispatcher.RouteOption{dispatcher.WithRequestScope()}, "/k/{id} id=7"},
		{"params, WithRequestScope", func(w http.ResponseWriter, r *http.Request, _ handler.Params) {
			io.WriteString(w, routeOf(r.Context()))
		},
			[]dispatcher.RouteOption{dispatcher.WithRequestScope()}, "/k/{id} id=7"},
		// The documented exception: these kinds get their variables as
		// arguments and pay for a scope only when something asks for it.
		{"function, no scope", handler.Function(func(r handler.Request) (*handler.Response, error) {
			return &handler.Response{Body: routeOf(r.Context())}, nil
		}), nil, "none"},
		{"params, no scope", func(w http.ResponseWriter, r *http.Request, _ handler.Params) {
			io.WriteString(w, routeOf(r.Context()))
		}, nil, "none"},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			d := dispatcher.New()
			must(t, d.GET("/k/{id}", k.h, k.opts...))
			if w := serve(t, d, "GET", "/k/7"); w.Code != 200 || w.Body.String() != k.want {
				t.Fatalf("got %d %q, want %q", w.Code, w.Body, k.want)
			}
		})
	}
}

// TestScopeFollowsInterceptorDeclarations checks the Build decision: an
// interceptor that says nothing gets a scope for the route (its values are
// never lost); one that declares it uses none does not add one.
func TestScopeFollowsInterceptorDeclarations(t *testing.T) {
	fn := handler.Function(func(r handler.Request) (*handler.Response, error) {
		return &handler.Response{Body: routeOf(r.Context())}, nil
	})
	for _, tt := range []struct {
		name string
		x    interceptor.HandlerInterceptor
		want string
	}{
		{"undeclared", interceptor.Funcs{}, "/k/{id} id=7"},
		{"declared stateless", stateless{}, "none"},
		{"Funcs declared stateless", interceptor.Funcs{Stateless: true}, "none"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := dispatcher.New()
			must(t, d.GET("/k/{id}", fn))
			d.Interceptors().AddInterceptor(tt.x)
			if w := serve(t, d, "GET", "/k/7"); w.Body.String() != tt.want {
				t.Fatalf("got %q, want %q", w.Body, tt.want)
			}
		})
	}
}

// TestPatternVisibleToWrappingFilter: like net/http's ServeMux, the
// dispatcher records the matched template on the request it was handed,
// so a filter around it can label metrics and logs after the fact.
func TestPatternVisibleToWrappingFilter(t *testing.T) {
	d := dispatcher.New()
	must(t, d.GET("/book/{id}", text("book")))
	must(t, d.GET("/plain/{id}", func(w http.ResponseWriter, _ *http.Request, _ handler.Params) {}))
	d.Interceptors().AddInterceptor(interceptor.Funcs{}).AddPathPatterns("/book/**")
	for _, tt := range []struct{ method, path, want string }{
		{"GET", "/book/1", "/book/{id}"},   // scoped: the handler sees a copy
		{"GET", "/plain/1", "/plain/{id}"}, // no scope: no copy
		{"GET", "/nothing", ""},            // 404
		{"POST", "/book/1", ""},            // 405
		{"GET", "/book/%2e%2e/x", ""},      // refused by the firewall
	} {
		var pattern string
		filter := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			d.ServeHTTP(w, r)
			pattern = r.Pattern
		})
		filter.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tt.method, tt.path, nil))
		if pattern != tt.want {
			t.Errorf("%s %s: r.Pattern after ServeHTTP = %q, want %q", tt.method, tt.path, pattern, tt.want)
		}
	}
}

// TestKeptContextsKeepTheirOwnValues keeps every request's context past
// its request and reads it from other goroutines while later requests run
// (run it with -race): a kept context must show its own request's route,
// variables and values, never another's.
func TestKeptContextsKeepTheirOwnValues(t *testing.T) {
	user := handler.NewKey[string]("user")
	d := dispatcher.New()
	type kept struct {
		ctx  context.Context
		want string
	}
	keptc := make(chan kept, 1024)
	must(t, d.GET("/u/{id}", handler.Typed(func(ctx context.Context, _ handler.Empty) (string, error) {
		id := handler.PathParams(ctx).ByName("id")
		keptc <- kept{ctx, id}
		return id, nil
	})))
	must(t, d.GET("/v/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		keptc <- kept{r.Context(), id}
	}))
	d.Interceptors().AddInterceptor(interceptor.Funcs{Pre: func(_ http.ResponseWriter, r *http.Request, _ *handler.Route) (bool, error) {
		user.Set(r, r.URL.Path[3:])
		for i := range 6 { // more than the inline room
			handler.SetValue(r.Context(), i, r.URL.Path)
		}
		return true, nil
	}})

	var readers sync.WaitGroup
	check := func(k kept) {
		defer readers.Done()
		for range 3 {
			if got := handler.PathParams(k.ctx).ByName("id"); got != k.want {
				t.Errorf("kept context shows id %q, want %q", got, k.want)
			}
			if u, _ := user.Value(k.ctx); u != k.want {
				t.Errorf("kept context shows user %q, want %q", u, k.want)
			}
			if v, _ := k.ctx.Value(5).(string); v[3:] != k.want {
				t.Errorf("kept context shows value %q, want .../%s", v, k.want)
			}
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for k := range keptc {
			readers.Add(1)
			go check(k)
		}
	}()
	var clients sync.WaitGroup
	for c := range 4 {
		clients.Add(1)
		go func() {
			defer clients.Done()
			for i := range 200 {
				id := strconv.Itoa(c*1000 + i)
				path := []string{"/u/", "/v/"}[i%2] + id
				w := httptest.NewRecorder()
				d.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
				if w.Code != 200 {
					t.Errorf("%s: %d %s", path, w.Code, w.Body)
				}
			}
		}()
	}
	clients.Wait()
	close(keptc)
	<-done
	readers.Wait()
}

// TestScopeAllocations pins the allocation budget the Build decision buys:
// a route whose interceptors declare they use no state allocates what it
// does with none (httprouter's Params); a scoped route adds the Request
// copy and nothing per interceptor or per value set.
func TestScopeAllocations(t *testing.T) {
	if testing.Short() || race {
		t.Skip("allocation counts")
	}
	key := handler.NewKey[int]("n")
	build := func(n int, x func() interceptor.HandlerInterceptor) http.Handler {
		d := dispatcher.New()
		must(t, d.GET("/book/{id}", func(w http.ResponseWriter, _ *http.Request, ps handler.Params) { io.WriteString(w, ps.ByName("id")) }))
		for range n {
			d.Interceptors().AddInterceptor(x()).AddPathPatterns("/book/**")
		}
		must(t, d.Build())
		return d
	}
	setter := func() interceptor.HandlerInterceptor {
		return interceptor.Funcs{Pre: func(_ http.ResponseWriter, r *http.Request, _ *handler.Route) (bool, error) {
			key.Set(r, 1)
			return true, nil
		}}
	}
	free := func() interceptor.HandlerInterceptor { return stateless{} }
	allocs := func(h http.Handler) float64 {
		r := httptest.NewRequest("GET", "/book/42", nil)
		w := &nopWriter{h: http.Header{}}
		return testing.AllocsPerRun(200, func() { h.ServeHTTP(w, r) })
	}
	base := allocs(build(0, nil))
	for _, tt := range []struct {
		name string
		h    http.Handler
		want float64
	}{
		{"3 stateless", build(3, free), base},
		{"10 stateless", build(10, free), base},
		{"1 setter", build(1, setter), base + 1},
		{"3 setters", build(3, setter), base + 1},
	} {
		// A slab of scopes is one allocation per 32 requests.
		if got := allocs(tt.h); got > tt.want+0.1 {
			t.Errorf("%s: %.2f allocs per request, want %v (no interceptors: %v)", tt.name, got, tt.want, base)
		}
	}
}
