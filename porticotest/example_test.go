package porticotest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
	"github.com/portico-go/portico/interceptor/login"
	"github.com/portico-go/portico/porticotest"
)

// exampleT stands in for a test's *testing.T so the examples run: it
// prints the first line of each failure.
type exampleT struct{ testing.TB }

func (exampleT) Helper()                  {}
func (exampleT) Context() context.Context { return context.Background() }
func (exampleT) Cleanup(func())           {}
func (exampleT) Errorf(f string, a ...any) {
	fmt.Println(strings.SplitN(fmt.Sprintf(f, a...), "\n", 2)[0])
}
func (e exampleT) Fatalf(f string, a ...any) { e.Errorf(f, a...) }

func Example() {
	t := exampleT{} // in a test: the test's *testing.T

	d := dispatcher.New()
	d.GET("/book/{id}", handler.Typed(func(_ context.Context, in struct {
		ID int `path:"id"`
	}) (map[string]any, error) {
		return map[string]any{"id": in.ID, "title": "Dune"}, nil
	}))

	kit := porticotest.New(t, d)
	kit.GET("/book/{id}", 7).Do().
		Status(http.StatusOK).
		ContentType("application/json").
		JSON("$.title", "Dune")
	kit.GET("/book/{id}", 7).Do().JSON("$.title", "Emma") // fails, printing the exchange
	// Output:
	// porticotest: JSON $.title = "Dune", want "Emma"
}

func ExampleRequest_As() {
	t := exampleT{}
	m := porticotest.NewAuthManager(t)
	authz := porticotest.NewAuthorities()
	li, _ := login.New(m, login.WithAuthorizer(authz))

	d := dispatcher.New()
	d.Interceptors().AddInterceptor(li).AddPathPatterns("/admin/**")
	d.GET("/admin/stats", handler.Typed(func(ctx context.Context, _ handler.Empty) (string, error) {
		u, _ := login.CurrentUser(ctx)
		return "hello " + u.ID, nil
	}), dispatcher.WithMeta(login.RequireRoles(login.All, "admin")))

	kit := porticotest.New(t, d, porticotest.WithAuth(m), porticotest.WithAuthorities(authz))
	kit.GET("/admin/stats").Do().Status(http.StatusUnauthorized).Reason("missing_token")
	kit.GET("/admin/stats").As(porticotest.User{ID: "bob"}).Do().Status(http.StatusForbidden)
	r := kit.GET("/admin/stats").As(porticotest.User{ID: "alice", Roles: []string{"admin"}}).Do().Status(http.StatusOK)
	fmt.Println(string(r.Body))
	// Output:
	// hello alice
}

func ExampleRunInterceptor() {
	t := exampleT{}
	version := interceptor.Funcs{
		Name: "apiVersion",
		Pre: func(w http.ResponseWriter, r *http.Request, _ *handler.Route) (bool, error) {
			if r.Header.Get("X-API-Version") == "" {
				return false, handler.NewError(http.StatusBadRequest, "X-API-Version missing")
			}
			return true, nil
		},
	}
	tr := porticotest.RunInterceptor(t, version, porticotest.Route{Method: "GET", Path: "/book/{id}"},
		httptest.NewRequest("GET", "/book/7", nil))
	fmt.Println(tr.Proceeded, tr.HandlerReached, tr.AfterRan)
	tr.Response.Status(http.StatusBadRequest).JSON("$.message", "X-API-Version missing")
	// Output:
	// false false false
}

func ExampleExpand() {
	p, _ := porticotest.Expand("/files/{owner}/{*path}", "a/b", "docs/read me.txt")
	fmt.Println(p)
	// Output:
	// /files/a%2Fb/docs/read%20me.txt
}

func ExampleAlwaysExpect() {
	t := exampleT{}
	d := dispatcher.New()
	d.GET("/book/{id}", handler.Typed(func(_ context.Context, in struct {
		ID int `path:"id"`
	}) (*handler.Response, error) {
		if in.ID != 7 {
			// Breaks the envelope: no code.
			return &handler.Response{Status: http.StatusNotFound, Body: map[string]any{"data": nil}}, nil
		}
		return &handler.Response{Body: map[string]any{"code": 200, "data": map[string]any{"title": "Dune"}}}, nil
	}))

	// Every JSON answer carries its status as "code" and a "data" member.
	envelope := func(t testing.TB, r *porticotest.Response) {
		t.Helper()
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			r.JSON("$.code", r.Code).JSONExists("$.data")
		}
	}
	kit := porticotest.New(t, d, porticotest.AlwaysExpect(envelope))
	kit.GET("/book/{id}", 7).Do().Status(http.StatusOK).JSON("$.data.title", "Dune")
	kit.GET("/book/{id}", 8).Do().Status(http.StatusNotFound)
	// Output:
	// porticotest: JSON $.code selects nothing, want 404
}
