package interceptor_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
)

// trace is a HandlerInterceptor that prints each hook it runs.
type trace struct {
	name string
	stop bool // PreHandle answers the request itself
}

func (t trace) PreHandle(w http.ResponseWriter, r *http.Request, rt *handler.Route) (bool, error) {
	fmt.Println(t.name, "PreHandle")
	if t.stop {
		w.WriteHeader(http.StatusTeapot)
		return false, nil
	}
	return true, nil
}

func (t trace) PostHandle(w http.ResponseWriter, r *http.Request, rt *handler.Route, res *handler.Result) error {
	fmt.Println(t.name, "PostHandle")
	return nil
}

func (t trace) AfterCompletion(w http.ResponseWriter, r *http.Request, rt *handler.Route, err error) {
	fmt.Println(t.name, "AfterCompletion")
}

// Interceptors run as in Spring: PreHandle in registration order,
// PostHandle and AfterCompletion in reverse; when a PreHandle returns false
// the handler and every PostHandle are skipped, and AfterCompletion runs
// only for the interceptors whose PreHandle had returned true.
func ExampleHandlerInterceptor() {
	d := dispatcher.New()
	_ = d.GET("/book/list", func(w http.ResponseWriter, r *http.Request) { fmt.Println("handler") })
	_ = d.GET("/admin/stats", func(w http.ResponseWriter, r *http.Request) { fmt.Println("handler") })
	d.Interceptors().AddInterceptor(trace{name: "A"}).AddPathPatterns("/**")
	d.Interceptors().AddInterceptor(trace{name: "B"}).AddPathPatterns("/**")
	d.Interceptors().AddInterceptor(trace{name: "C", stop: true}).AddPathPatterns("/admin/**")

	for _, path := range []string{"/book/list", "/admin/stats"} {
		fmt.Println("GET", path)
		w := httptest.NewRecorder()
		d.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Println("status", w.Code)
	}
	// Output:
	// GET /book/list
	// A PreHandle
	// B PreHandle
	// handler
	// B PostHandle
	// A PostHandle
	// B AfterCompletion
	// A AfterCompletion
	// status 200
	// GET /admin/stats
	// A PreHandle
	// B PreHandle
	// C PreHandle
	// B AfterCompletion
	// A AfterCompletion
	// status 418
}
