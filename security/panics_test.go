package security

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
	"github.com/portico-go/portico/view"
)

// events records which AfterCompletions ran, in order.
type events struct {
	mu  sync.Mutex
	log []string
}

func (e *events) add(s string) {
	e.mu.Lock()
	e.log = append(e.log, s)
	e.mu.Unlock()
}

func (e *events) take() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.log
	e.log = nil
	return out
}

// panicky is a view that panics while rendering.
type panicky struct{}

func (panicky) ResolveView(string) (view.View, error) { return panicky{}, nil }
func (panicky) Render(http.ResponseWriter, *http.Request, map[string]any) error {
	panic("view exploded")
}

// badJSON panics while being encoded.
type badJSON struct{}

func (badJSON) MarshalJSON() ([]byte, error) { panic("MarshalJSON exploded") }

type panicIn struct {
	Where string `path:"where"`
}

// panicRoutes adds GET /panic/{where} behind two recording interceptors,
// A then B, each of which panics in the hook named by {where}.
func panicRoutes(ev *events) func(t testing.TB, d *dispatcher.Dispatcher) {
	return func(t testing.TB, d *dispatcher.Dispatcher) {
		where := func(r *http.Request) string { return handler.PathParams(r.Context()).ByName("where") }
		rec := func(name string) interceptor.Funcs {
			return interceptor.Funcs{
				Pre: func(w http.ResponseWriter, r *http.Request, rt *handler.Route) (bool, error) {
					if where(r) == "pre-"+name {
						panic("PreHandle " + name + " exploded")
					}
					return true, nil
				},
				Post: func(w http.ResponseWriter, r *http.Request, rt *handler.Route, res *handler.Result) error {
					if where(r) == "post-"+name {
						panic("PostHandle " + name + " exploded")
					}
					return nil
				},
				After: func(w http.ResponseWriter, r *http.Request, rt *handler.Route, err error) {
					ev.add("after-" + name)
					if where(r) == "after-"+name {
						panic("AfterCompletion " + name + " exploded")
					}
				},
			}
		}
		d.Interceptors().AddInterceptor(rec("A")).Name("A").AddPathPatterns("/panic/**")
		d.Interceptors().AddInterceptor(rec("B")).Name("B").AddPathPatterns("/panic/**")
		errResolve := errors.New("resolve me")
		must(t, d.GET("/panic/{where}", handler.Typed(func(ctx context.Context, in panicIn) (any, error) {
			switch in.Where {
			case "handler":
				panic("handler exploded")
			case "view":
				return handler.NewModelAndView("page"), nil
			case "json":
				return badJSON{}, nil
			case "resolver":
				return nil, errResolve
			}
			return ok200("fine"), nil
		}), dispatcher.WithExceptionResolver(dispatcher.ResolverFunc(func(r *http.Request, rt *handler.Route, err error) *handler.Result {
			if errors.Is(err, errResolve) {
				panic("ExceptionResolver exploded")
			}
			return nil
		}))))
	}
}

// TestPanics panics in every step of the chain, with a real Bearer token
// in the request: the client gets a 500 in the error shape (or, when the
// panic comes after the response was written, the complete response),
// every AfterCompletion that is owed runs, the server keeps serving, and
// the log names the route and never the token.
func TestPanics(t *testing.T) {
	ev := &events{}
	a := newApp(t, appConfig{
		routes: panicRoutes(ev),
		opts:   []dispatcher.Option{dispatcher.WithViewResolver(panicky{})},
	}).serve()
	hc := a.client(2)
	tok := a.login(t, hc, "admin", "admin123")
	secrets := []string{tok.AccessToken, tok.RefreshToken, strings.Split(tok.AccessToken, ".")[2], "Bearer"}

	both := []string{"after-B", "after-A"}
	cases := []struct {
		where  string
		status int
		// afters are the AfterCompletions that must run, in order.
		afters []string
		// logged is in the log line for the panic.
		logged string
	}{
		{"pre-A", 500, nil, "PreHandle A exploded"},
		{"pre-B", 500, []string{"after-A"}, "PreHandle B exploded"},
		{"handler", 500, both, "handler exploded"},
		{"post-B", 500, both, "PostHandle B exploded"},
		{"post-A", 500, both, "PostHandle A exploded"},
		{"view", 500, both, "view exploded"},
		{"json", 500, both, "MarshalJSON exploded"},
		{"resolver", 500, both, "ExceptionResolver exploded"},
		// AfterCompletion runs after the response is written: the client
		// already has its complete answer.
		{"after-B", 200, both, "AfterCompletion B exploded"},
		{"after-A", 200, both, "AfterCompletion A exploded"},
	}
	for _, tc := range cases {
		t.Run(tc.where, func(t *testing.T) {
			ev.take()
			logStart := len(a.logs.String())
			r, err := tryCall(hc, http.MethodGet, a.srv.URL+"/panic/"+tc.where, tok.AccessToken, nil)
			if err != nil {
				t.Fatalf("no response: %v", err)
			}
			if r.status != tc.status {
				t.Errorf("status %d %s, want %d", r.status, trim(r.body), tc.status)
			}
			if tc.status == 500 && (!r.isErrorShape() || strings.Contains(r.body, "exploded")) {
				t.Errorf("500 body %q is not the error shape, or shows the panic", r.body)
			}
			if tc.status == 200 && !strings.Contains(r.body, "fine") {
				t.Errorf("incomplete response %q", r.body)
			}
			if got := ev.take(); !slices.Equal(got, tc.afters) {
				t.Errorf("AfterCompletions ran %v, want %v", got, tc.afters)
			}
			logs := a.logs.String()[logStart:]
			if !strings.Contains(logs, tc.logged) || !strings.Contains(logs, "/panic/{where}") {
				t.Errorf("panic not logged with its route:\n%s", logs)
			}
			for _, s := range secrets {
				if strings.Contains(logs, s) {
					t.Errorf("log contains a secret (%.12s...):\n%s", s, logs)
				}
			}
			// The server keeps serving, on a new connection too.
			if r := call(t, hc, http.MethodGet, a.srv.URL+"/panic/none", tok.AccessToken, nil); r.status != 200 {
				t.Errorf("after the panic: %d %s", r.status, r.body)
			}
			ev.take()
		})
	}
	if strings.Contains(a.logs.String(), "http: panic serving") {
		t.Errorf("a panic escaped the dispatcher to net/http:\n%s", a.logs.String())
	}
}
