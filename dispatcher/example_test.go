package dispatcher_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
)

func Example() {
	type bookIn struct {
		ID int `path:"id"`
	}
	d := dispatcher.New()
	d.GET("/book/list", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "all books") })
	d.GET("/book/{id}", handler.Typed(func(ctx context.Context, in bookIn) (map[string]int, error) {
		if in.ID == 0 {
			return nil, handler.ErrNotFound
		}
		return map[string]int{"id": in.ID}, nil
	}))
	for _, p := range []string{"/book/list", "/book/7", "/book/0"} {
		w := httptest.NewRecorder()
		d.ServeHTTP(w, httptest.NewRequest("GET", p, nil))
		fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// 200 all books
	// 200 {"id":7}
	// 404 {"code":404,"message":"not found"}
}

func ExampleDispatcher_Interceptors() {
	d := dispatcher.New()
	d.GET("/user/login", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "login page") })
	d.GET("/book/list", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "books") })
	loginCheck := interceptor.Funcs{Pre: func(w http.ResponseWriter, r *http.Request, rt *handler.Route) (bool, error) {
		if r.Header.Get("Authorization") == "" {
			return false, handler.NewError(http.StatusUnauthorized, "log in first")
		}
		return true, nil
	}}
	d.Interceptors().AddInterceptor(loginCheck).AddPathPatterns("/**").ExcludePathPatterns("/user/login")
	for _, p := range []string{"/user/login", "/book/list"} {
		w := httptest.NewRecorder()
		d.ServeHTTP(w, httptest.NewRequest("GET", p, nil))
		fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// 200 login page
	// 401 {"code":401,"message":"log in first"}
}

func ExamplePrintRoutes() {
	d := dispatcher.New()
	d.GET("/book/{id}", func(w http.ResponseWriter, r *http.Request) {})
	d.Interceptors().AddInterceptor(interceptor.Funcs{}).Name("auth").AddPathPatterns("/book/**")
	routes, _ := d.Routes()
	dispatcher.PrintRoutes(os.Stdout, routes)
	// Output:
	// METHOD  PATH        HANDLER                                                                 INTERCEPTORS
	// GET     /book/{id}  github.com/portico-go/portico/dispatcher_test.ExamplePrintRoutes.func1  auth
}
