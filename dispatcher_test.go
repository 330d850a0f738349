package portico_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/registry"
	"github.com/portico-go/portico/view"
)

// recorder collects the hooks' calls in order.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.calls = append(r.calls, s)
	r.mu.Unlock()
}

func (r *recorder) take() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := strings.Join(r.calls, " ")
	r.calls = nil
	return s
}

// behaviour tells one interceptor what to do on the current request, keyed
// by a request header so a single app serves every case.
type probe struct {
	name string
	rec  *recorder
}

func (p *probe) mode(r *http.Request, hook string) string {
	for _, v := range r.Header.Values("X-Fail") {
		if name, what, ok := strings.Cut(v, ":"); ok && name == p.name+"."+hook {
			return what
		}
	}
	return ""
}

func (p *probe) PreHandle(w http.ResponseWriter, r *http.Request, rt *handler.Route) (bool, error) {
	p.rec.add(p.name + ".pre")
	switch p.mode(r, "pre") {
	case "false":
		w.WriteHeader(http.StatusTeapot)
		return false, nil
	case "error":
		return false, handler.NewError(http.StatusConflict, p.name+" refused")
	case "panic":
		panic(p.name + " pre panic")
	}
	return true, nil
}

func (p *probe) PostHandle(w http.ResponseWriter, r *http.Request, rt *handler.Route, res *handler.Result) error {
	committed := w.(handler.ResponseWriter).Committed()
	p.rec.add(fmt.Sprintf("%s.post(committed=%v)", p.name, committed))
	switch p.mode(r, "post") {
	case "error":
		return errors.New(p.name + " post failed")
	case "status":
		res.Status = http.StatusAccepted
		w.Header().Set("X-Post", p.name)
	}
	return nil
}

func (p *probe) AfterCompletion(w http.ResponseWriter, r *http.Request, rt *handler.Route, err error) {
	committed := w.(handler.ResponseWriter).Committed()
	e := "nil"
	if err != nil {
		e = "err"
	}
	p.rec.add(fmt.Sprintf("%s.after(%s,committed=%v)", p.name, e, committed))
	if p.mode(r, "after") == "panic" {
		panic(p.name + " after panic")
	}
}

type bookIn struct {
	ID    int    `path:"id"`
	Title string `json:"title" validate:"required"`
}

type book struct {
	ID    int    `json:"id"`
	Title string `json:"title"`
}

type app struct {
	url string
	rec *recorder
}

// newApp starts the whole stack through fx on a free port.
func newApp(t *testing.T, extra ...fx.Option) *app {
	t.Helper()
	rec := &recorder{}
	var srv *portico.Server
	views, err := view.NewTemplates(fstest.MapFS{
		"page.html": {Data: []byte(`<p>{{.msg}}</p>`)},
		"bad.html":  {Data: []byte(`{{template "missing"}}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	routes := portico.RegistrarFunc(func(d *dispatcher.Dispatcher) error {
		hello := func(r *http.Request, h string) error {
			rec.add("handler")
			switch h {
			case "error":
				return handler.NewError(http.StatusBadGateway, "upstream down")
			case "panic":
				panic("handler panic")
			}
			return nil
		}
		return errors.Join(
			d.GET("/hello", handler.Function(func(r handler.Request) (*handler.Response, error) {
				if err := hello(r.Request, r.Header.Get("X-Handler")); err != nil {
					return nil, err
				}
				return handler.NewResponse(http.StatusOK, map[string]string{"msg": "hi"}), nil
			})),
			d.GET("/page/{view}", handler.ControllerFunc(func(w http.ResponseWriter, r *http.Request) (*handler.ModelAndView, error) {
				rec.add("handler")
				return handler.NewModelAndView(r.PathValue("view")).AddObject("msg", "rendered"), nil
			})),
			d.GET("/book/list", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "list") }),
			d.GET("/book/{id}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "book "+r.PathValue("id")) }),
			d.PUT("/book/{id}", handler.Typed(func(ctx context.Context, in bookIn) (book, error) {
				return book(in), nil
			})),
		)
	})
	fxApp := fxtest.New(t,
		fx.NopLogger,
		portico.Module,
		fx.Supply(&portico.Config{Addr: "127.0.0.1:0"}),
		fx.Provide(
			portico.AsRegistrar(func() portico.RegistrarFunc { return routes }),
			portico.AsOption(func() dispatcher.Option { return dispatcher.WithViewResolver(views) }),
		),
		fx.Provide(
			portico.AsInterceptor(func() *registry.Registration {
				return registry.NewRegistration(&probe{"A", rec}).AddPathPatterns("/hello", "/page/**").Order(1)
			}),
			portico.AsInterceptor(func() *registry.Registration {
				return registry.NewRegistration(&probe{"B", rec}).AddPathPatterns("/hello", "/page/**").Order(2)
			}),
			portico.AsInterceptor(func() *registry.Registration {
				return registry.NewRegistration(&probe{"C", rec}).AddPathPatterns("/hello", "/page/**").Order(3)
			}),
		),
		fx.Options(extra...),
		fx.Populate(&srv),
	)
	fxApp.RequireStart()
	t.Cleanup(fxApp.RequireStop)
	return &app{url: "http://" + srv.Addr(), rec: rec}
}

func (a *app) do(t *testing.T, method, path string, body string, hdr ...string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestChainOrder(t *testing.T) {
	a := newApp(t)
	const (
		allPre   = "A.pre B.pre C.pre"
		allPost  = "C.post(committed=false) B.post(committed=false) A.post(committed=false)"
		allAfter = "C.after(nil,committed=true) B.after(nil,committed=true) A.after(nil,committed=true)"
		errAfter = "C.after(err,committed=true) B.after(err,committed=true) A.after(err,committed=true)"
	)
	tests := []struct {
		name   string
		path   string
		fail   []string
		status int
		calls  string
	}{
		{"all pass", "/hello", nil, 200, allPre + " handler " + allPost + " " + allAfter},
		{"pre false at 0", "/hello", []string{"A.pre:false"}, 418, "A.pre"},
		{"pre false at 1", "/hello", []string{"B.pre:false"}, 418, "A.pre B.pre A.after(nil,committed=true)"},
		{"pre false at 2", "/hello", []string{"C.pre:false"}, 418, "A.pre B.pre C.pre B.after(nil,committed=true) A.after(nil,committed=true)"},
		{"pre error at 1", "/hello", []string{"B.pre:error"}, 409, "A.pre B.pre A.after(err,committed=true)"},
		{"pre panic at 2", "/hello", []string{"C.pre:panic"}, 500, "A.pre B.pre C.pre B.after(err,committed=true) A.after(err,committed=true)"},
		{"handler error", "/hello", []string{"handler"}, 502, allPre + " handler " + errAfter},
		{"handler panic", "/hello", []string{"handler-panic"}, 500, allPre + " handler " + errAfter},
		{"post error at B", "/hello", []string{"B.post:error"}, 500, allPre + " handler C.post(committed=false) B.post(committed=false) " + errAfter},
		{"post changes status", "/hello", []string{"A.post:status"}, 202, allPre + " handler " + allPost + " " + allAfter},
		{"after panic at B", "/hello", []string{"B.after:panic"}, 200, allPre + " handler " + allPost + " " + allAfter},
		{"view renders", "/page/page", nil, 200, allPre + " handler " + allPost + " " + allAfter},
		{"view render error", "/page/bad", nil, 500, allPre + " handler " + allPost + " " + errAfter},
		{"unknown view", "/page/nope", nil, 500, allPre + " handler " + allPost + " " + errAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hdr []string
			for _, f := range tt.fail {
				switch f {
				case "handler":
					hdr = append(hdr, "X-Handler", "error")
				case "handler-panic":
					hdr = append(hdr, "X-Handler", "panic")
				default:
					hdr = append(hdr, "X-Fail", f)
				}
			}
			resp, body := a.do(t, "GET", tt.path, "", hdr...)
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d (body %s)", resp.StatusCode, tt.status, body)
			}
			if got := a.rec.take(); got != tt.calls {
				t.Errorf("calls:\n got %s\nwant %s", got, tt.calls)
			}
			if resp.StatusCode >= 400 && resp.StatusCode != 418 {
				var e struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
				}
				if err := json.Unmarshal([]byte(body), &e); err != nil || e.Code != resp.StatusCode || e.Message == "" {
					t.Errorf("error body %q is not the error shape (err %v)", body, err)
				}
				if resp.StatusCode == 500 && strings.Contains(body, "panic") {
					t.Errorf("500 body leaks details: %s", body)
				}
			}
		})
	}
}

func TestPostHandleSeesUnwrittenResult(t *testing.T) {
	a := newApp(t)
	resp, body := a.do(t, "GET", "/hello", "", "X-Fail", "C.post:status")
	if resp.StatusCode != http.StatusAccepted || resp.Header.Get("X-Post") != "C" {
		t.Fatalf("PostHandle could not change the response: %d %v", resp.StatusCode, resp.Header)
	}
	if !strings.Contains(body, `"msg":"hi"`) {
		t.Fatalf("body = %s", body)
	}
	a.rec.take()
}

func TestMappingAnswers(t *testing.T) {
	a := newApp(t)
	tests := []struct {
		method, path string
		status       int
		body, allow  string
	}{
		{"GET", "/book/list", 200, "list", ""},
		{"GET", "/book/7", 200, "book 7", ""},
		{"HEAD", "/book/7", 200, "", ""},
		{"GET", "/nope", 404, `"code":404`, ""},
		{"POST", "/book/7", 405, `"code":405`, "GET, HEAD, OPTIONS, PUT"},
		{"DELETE", "/book/list", 405, `"code":405`, "GET, HEAD, OPTIONS, PUT"},
		{"OPTIONS", "/book/7", 204, "", "GET, HEAD, OPTIONS, PUT"},
		{"OPTIONS", "/book/list", 204, "", "GET, HEAD, OPTIONS, PUT"},
		{"GET", "/book/list/", 404, `"code":404`, ""},
		{"GET", "/book/..%2flist", 400, `"code":400`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			resp, body := a.do(t, tt.method, tt.path, "")
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.body) {
				t.Errorf("got %d %q, want %d containing %q", resp.StatusCode, body, tt.status, tt.body)
			}
			if got := resp.Header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
		})
	}
	if calls := a.rec.take(); calls != "" {
		t.Errorf("interceptors ran for mapping answers: %s", calls)
	}
}

func TestBinding(t *testing.T) {
	a := newApp(t)
	tests := []struct {
		name, body, ct string
		status         int
		want           string
	}{
		{"ok", `{"title":"Go"}`, "application/json", 200, `{"id":7,"title":"Go"}`},
		{"validation", `{"title":""}`, "application/json", 400, `"field":"title"`},
		{"malformed", `{"title":`, "application/json", 400, `"code":400`},
		{"wrong type", `{"title":"Go"}`, "text/plain", 415, `"code":415`},
		{"too large", `{"title":"` + strings.Repeat("x", 2<<20) + `"}`, "application/json", 413, `"code":413`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := a.do(t, "PUT", "/book/7", tt.body, "Content-Type", tt.ct)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("got %d %s, want %d containing %s", resp.StatusCode, body, tt.status, tt.want)
			}
		})
	}
	resp, _ := a.do(t, "PUT", "/book/x", `{"title":"Go"}`, "Content-Type", "application/json")
	if resp.StatusCode != 400 {
		t.Errorf("bad path variable: %d", resp.StatusCode)
	}
}

func TestStartupErrors(t *testing.T) {
	tests := []struct {
		name  string
		reg   func(d *dispatcher.Dispatcher) error
		wants []string
	}{
		{"duplicate", func(d *dispatcher.Dispatcher) error {
			d.GET("/a/{id}", http.NotFoundHandler())
			d.GET("/a/{name}", http.NotFoundHandler())
			return nil
		}, []string{"duplicate route", "dispatcher_test.go"}},
		{"no adapter", func(d *dispatcher.Dispatcher) error {
			d.GET("/a", 42)
			return nil
		}, []string{"no HandlerAdapter", "int"}},
		{"bad path", func(d *dispatcher.Dispatcher) error {
			d.GET("a/b", http.NotFoundHandler())
			return nil
		}, []string{"must start with '/'"}},
		{"bad pattern", func(d *dispatcher.Dispatcher) error {
			d.GET("/a", http.NotFoundHandler())
			d.Interceptors().AddInterceptor(&probe{name: "X"}).AddPathPatterns("/a/{oops")
			return nil
		}, []string{"/a/{oops"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := fx.New(fx.NopLogger, portico.Module,
				fx.Supply(&portico.Config{Addr: "127.0.0.1:0"}),
				fx.Provide(portico.AsRegistrar(func() portico.RegistrarFunc { return tt.reg })))
			err := app.Err()
			if err == nil {
				t.Fatal("app started")
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestFilterSeesEveryRequest(t *testing.T) {
	var seen []string
	var mu sync.Mutex
	filter := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.URL.Path)
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	}
	a := newApp(t, fx.Decorate(func(c *portico.Config) *portico.Config {
		c2 := *c
		c2.Filters = []func(http.Handler) http.Handler{filter}
		return &c2
	}))
	a.do(t, "GET", "/nope", "")
	a.do(t, "GET", "/book/1", "")
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(seen, ",") != "/nope,/book/1" {
		t.Fatalf("filter saw %v", seen)
	}
}

func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	var srv *portico.Server
	app := fx.New(fx.NopLogger, portico.Module,
		fx.Supply(&portico.Config{Addr: "127.0.0.1:0"}),
		fx.Provide(portico.AsRegistrar(func() portico.RegistrarFunc {
			return func(d *dispatcher.Dispatcher) error {
				return d.GET("/slow", func(w http.ResponseWriter, r *http.Request) {
					close(started)
					<-release
					io.WriteString(w, "done")
				})
			}
		})),
		fx.Populate(&srv))
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + srv.Addr() + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{string(b), err}
	}()
	<-started
	stopped := make(chan error, 1)
	go func() { stopped <- app.Stop(context.Background()) }()
	// New connections are refused once shutdown began.
	for {
		resp, err := http.Get("http://" + srv.Addr() + "/nope")
		if err != nil {
			break
		}
		resp.Body.Close()
	}
	close(release)
	if r := <-got; r.err != nil || r.body != "done" {
		t.Fatalf("in-flight request: %q %v", r.body, r.err)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
}
