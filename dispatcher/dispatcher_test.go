package dispatcher_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
)

func text(s string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, s)
		for _, k := range []string{"id", "bookId", "x", "y", "path"} {
			if v := r.PathValue(k); v != "" {
				io.WriteString(w, " "+k+"="+v)
			}
		}
	}
}

func serve(t *testing.T, d http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	d.ServeHTTP(w, httptest.NewRequest(method, target, nil))
	return w
}

func TestRoutingPrecedence(t *testing.T) {
	d := dispatcher.New()
	must(t, d.GET("/book/list", text("list")))
	must(t, d.GET("/book/{id}", text("book")))
	must(t, d.DELETE("/book/:bookId", text("delete")))
	must(t, d.GET("/a/{x}/b", text("axb")))
	must(t, d.GET("/a/c/{y}", text("acy")))
	must(t, d.GET("/files/{*path}", text("files")))
	must(t, d.GET("/files/readme", text("readme")))
	must(t, d.GET("/", text("root")))
	tests := []struct{ method, path, want string }{
		{"GET", "/book/list", "list"},
		{"GET", "/book/42", "book id=42"},
		{"DELETE", "/book/42", "delete bookId=42"},
		{"DELETE", "/book/list", "delete bookId=list"},
		{"GET", "/a/z/b", "axb x=z"},
		{"GET", "/a/c/z", "acy y=z"},
		{"GET", "/files/readme", "readme"},
		{"GET", "/files/a/b.txt", "files path=/a/b.txt"},
		{"GET", "/", "root"},
	}
	for _, tt := range tests {
		w := serve(t, d, tt.method, tt.path)
		if w.Code != 200 || w.Body.String() != tt.want {
			t.Errorf("%s %s = %d %q, want %q", tt.method, tt.path, w.Code, w.Body, tt.want)
		}
	}
}

func TestRegistrationErrors(t *testing.T) {
	tests := []struct {
		method, path string
		h            any
		want         string
	}{
		{"GET", "book", text("x"), "must start with '/'"},
		{"GET", "/a//b", text("x"), "empty segment"},
		{"GET", "/a/../b", text("x"), `".." segment`},
		{"GET", "/a/{id:\\d+}", text("x"), "regex constraints"},
		{"GET", "/a/{}", text("x"), "variable name"},
		{"GET", "/a/{*p}/b", text("x"), "must be the last segment"},
		{"GET", "/a/{x}/{x}", text("x"), "twice"},
		{"GET", "/a/{x", text("x"), "unclosed"},
		{"GET", "/a/x{y}", text("x"), "whole segment"},
		{"get", "/a", text("x"), "invalid method"},
		{"GET", "/a", nil, "handler is nil"},
		{"GET", "/a", (http.HandlerFunc)(nil), "handler is nil"},
		{"GET", "/a", "not a handler", "no HandlerAdapter supports"},
	}
	for _, tt := range tests {
		d := dispatcher.New()
		err := d.Handle(tt.method, tt.path, tt.h)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Handle(%q, %q) = %v, want error containing %q", tt.method, tt.path, err, tt.want)
		}
		if berr := d.Build(); berr == nil {
			t.Errorf("Build after failed registration of %q succeeded", tt.path)
		}
	}
}

func TestDuplicateNamesBoth(t *testing.T) {
	d := dispatcher.New()
	must(t, d.GET("/book/{id}", text("a")))
	err := d.GET("/book/{bookId}", text("b"))
	if err == nil || strings.Count(err.Error(), "dispatcher_test.go:") != 2 {
		t.Fatalf("duplicate error should name both registrations: %v", err)
	}
}

func TestRegisterAfterBuild(t *testing.T) {
	d := dispatcher.New()
	must(t, d.GET("/a", text("a")))
	serve(t, d, "GET", "/a")
	if err := d.GET("/b", text("b")); !errors.Is(err, dispatcher.ErrBuilt) {
		t.Fatalf("got %v, want ErrBuilt", err)
	}
}

type keyUser struct{}

func TestRequestScopedValues(t *testing.T) {
	user := handler.NewKey[string]("user")
	d := dispatcher.New()
	must(t, d.GET("/me", func(w http.ResponseWriter, r *http.Request) {
		u, _ := user.Value(r.Context())
		v, _ := r.Context().Value(keyUser{}).(string)
		io.WriteString(w, u+"/"+v+"/"+handler.RouteOf(r.Context()).Path)
	}))
	d.Interceptors().AddInterceptor(interceptor.Funcs{Pre: func(w http.ResponseWriter, r *http.Request, rt *handler.Route) (bool, error) {
		user.Set(r, "ada")
		handler.SetValue(r.Context(), keyUser{}, "plain")
		return true, nil
	}})
	if w := serve(t, d, "GET", "/me"); w.Body.String() != "ada/plain//me" {
		t.Fatalf("got %q", w.Body)
	}
}

func TestExceptionResolvers(t *testing.T) {
	type quota struct{ error }
	var afterErr error
	global := dispatcher.HandleError(func(r *http.Request, err *quota) *handler.Result {
		return &handler.Result{Status: 429, Body: handler.NewError(429, "slow down")}
	})
	local := dispatcher.ResolverFunc(func(r *http.Request, rt *handler.Route, err error) *handler.Result {
		if strings.Contains(err.Error(), "local") {
			return &handler.Result{Status: 418, Body: "teapot"}
		}
		return nil
	})
	d := dispatcher.New(dispatcher.WithExceptionResolvers(global), dispatcher.WithErrorRenderer(dispatcher.ProblemErrors{}))
	fail := func(err error) handler.Function {
		return func(handler.Request) (*handler.Response, error) { return nil, err }
	}
	must(t, d.GET("/quota", fail(&quota{errors.New("over")})))
	must(t, d.GET("/local", fail(errors.New("local trouble")), dispatcher.WithExceptionResolver(local)))
	must(t, d.GET("/boom", fail(errors.New("secret detail"))))
	d.Interceptors().AddInterceptor(interceptor.Funcs{After: func(w http.ResponseWriter, r *http.Request, rt *handler.Route, err error) {
		afterErr = err
	}})
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/quota", 429, `"detail":"slow down"`},
		{"/local", 418, "teapot"},
		{"/boom", 500, `"title":"Internal Server Error"`},
	}
	for _, tt := range tests {
		afterErr = nil
		w := serve(t, d, "GET", tt.path)
		if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.body) {
			t.Errorf("%s = %d %s", tt.path, w.Code, w.Body)
		}
		if strings.Contains(w.Body.String(), "secret") {
			t.Errorf("%s leaks the error: %s", tt.path, w.Body)
		}
		if afterErr == nil {
			t.Errorf("%s: AfterCompletion did not get the original error", tt.path)
		}
	}
	if w := serve(t, d, "GET", "/boom"); w.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("content type %q", w.Header().Get("Content-Type"))
	}
}

// abortingJSON panics with http.ErrAbortHandler while it is encoded, as a
// streaming encoder does when its client goes away.
type abortingJSON struct{}

func (abortingJSON) MarshalJSON() ([]byte, error) { panic(http.ErrAbortHandler) }

func TestAbortHandlerRepanics(t *testing.T) {
	for _, tt := range []struct {
		name string
		h    any
	}{
		{"in the handler", func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }},
		{"while the result is written", handler.Function(func(handler.Request) (*handler.Response, error) {
			return &handler.Response{Body: abortingJSON{}}, nil
		})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := dispatcher.New()
			afterRan := false
			must(t, d.GET("/abort", tt.h))
			d.Interceptors().AddInterceptor(interceptor.Funcs{After: func(http.ResponseWriter, *http.Request, *handler.Route, error) { afterRan = true }})
			defer func() {
				if v := recover(); v != http.ErrAbortHandler {
					t.Fatalf("recovered %v, want http.ErrAbortHandler", v)
				}
				if !afterRan {
					t.Fatal("AfterCompletion skipped")
				}
			}()
			serve(t, d, "GET", "/abort")
		})
	}
}

func TestRedirects(t *testing.T) {
	d := dispatcher.New(dispatcher.RedirectTrailingSlash())
	must(t, d.GET("/docs", text("docs")))
	must(t, d.GET("/go/{where}", handler.ControllerFunc(func(w http.ResponseWriter, r *http.Request) (*handler.ModelAndView, error) {
		return handler.NewModelAndView("redirect:" + r.URL.Query().Get("to")), nil
	})))
	if w := serve(t, d, "GET", "/docs/"); w.Code != 301 || w.Header().Get("Location") != "/docs" {
		t.Errorf("trailing slash: %d %q", w.Code, w.Header().Get("Location"))
	}
	for _, bad := range []string{"//evil.com/", "/\\evil.com/"} {
		w := serve(t, d, "GET", "/go/x?to="+bad)
		if w.Code == 302 || w.Code == 301 {
			t.Errorf("redirect to %q allowed: %d %q", bad, w.Code, w.Header().Get("Location"))
		}
	}
	if w := serve(t, d, "GET", "/go/x?to=/docs"); w.Code != 302 || w.Header().Get("Location") != "/docs" {
		t.Errorf("local redirect: %d %q", w.Code, w.Header().Get("Location"))
	}
}

func TestRoutesIntrospection(t *testing.T) {
	d := dispatcher.New()
	must(t, d.GET("/book/{id}", text("b")))
	must(t, d.GET("/user/login", text("l")))
	d.Interceptors().AddInterceptor(interceptor.Funcs{}).Name("login").AddPathPatterns("/**").ExcludePathPatterns("/user/login", "/book/1")
	routes, err := d.Routes()
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	dispatcher.PrintRoutes(&sb, routes)
	out := sb.String()
	for _, want := range []string{"/book/{id}", "login?(", "/user/login"} {
		if !strings.Contains(out, want) {
			t.Errorf("route table lacks %q:\n%s", want, out)
		}
	}
	if len(routes) != 2 || len(routes[1].Chain) != 0 || !routes[0].Chain[0].PerRequest {
		t.Errorf("routes = %+v", routes)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

type panicky struct{}

func (panicky) MarshalJSON() ([]byte, error) { panic("marshal boom") }

func TestPanicWhileWritingIsA500(t *testing.T) {
	d := dispatcher.New(dispatcher.WithLogger(slog.New(slog.DiscardHandler)))
	var after error
	must(t, d.GET("/p", handler.Function(func(handler.Request) (*handler.Response, error) {
		return handler.NewResponse(200, panicky{}), nil
	})))
	d.Interceptors().AddInterceptor(interceptor.Funcs{After: func(_ http.ResponseWriter, _ *http.Request, _ *handler.Route, err error) { after = err }})
	w := serve(t, d, "GET", "/p")
	if w.Code != 500 || !strings.Contains(w.Body.String(), `"code":500`) {
		t.Fatalf("got %d %s", w.Code, w.Body)
	}
	var pe *handler.PanicError
	if !errors.As(after, &pe) {
		t.Fatalf("AfterCompletion got %v, want the panic", after)
	}
}

func TestLookupAcrossTrees(t *testing.T) {
	d := dispatcher.New()
	must(t, d.GET("/a/{x}/b", text("axb")))
	must(t, d.GET("/a/c/{y}", text("acy")))
	must(t, d.GET("/a/{x}/{z}", text("axz")))
	must(t, d.GET("/book/list", text("list")))
	must(t, d.PUT("/book/{id}", text("put")))
	must(t, d.GET("/files/{name}/meta", text("meta")))
	must(t, d.GET("/files/{*path}", text("files")))
	tests := []struct{ method, path, want string }{
		{"GET", "/a/q/b", "axb x=q"},
		{"GET", "/a/c/q", "acy y=q"},
		{"GET", "/a/q/r", "axz x=q"},
		{"PUT", "/book/list", "put id=list"},
		{"GET", "/files/x/meta", "meta"},
		{"GET", "/files/x/other", "files path=/x/other"},
	}
	for _, tt := range tests {
		if w := serve(t, d, tt.method, tt.path); w.Code != 200 || w.Body.String() != tt.want {
			t.Errorf("%s %s = %d %q, want %q", tt.method, tt.path, w.Code, w.Body, tt.want)
		}
	}
	if w := serve(t, d, "DELETE", "/book/list"); w.Code != 405 || w.Header().Get("Allow") != "GET, HEAD, OPTIONS, PUT" {
		t.Errorf("405 Allow across trees: %d %q", w.Code, w.Header().Get("Allow"))
	}
}
