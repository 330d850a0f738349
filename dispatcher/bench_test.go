package dispatcher_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
)

// nopWriter keeps the benchmark's own writer out of the numbers.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(int)             {}

type counting struct{ n int }

var _ interceptor.HandlerInterceptor = (*counting)(nil)

func (c *counting) PreHandle(http.ResponseWriter, *http.Request, *handler.Route) (bool, error) {
	c.n++
	return true, nil
}
func (c *counting) PostHandle(http.ResponseWriter, *http.Request, *handler.Route, *handler.Result) error {
	c.n++
	return nil
}
func (c *counting) AfterCompletion(http.ResponseWriter, *http.Request, *handler.Route, error) { c.n++ }

func BenchmarkDispatch(b *testing.B) {
	for _, route := range []struct{ name, tmpl, path string }{
		{"static", "/book/list", "/book/list"},
		{"param", "/book/{id}", "/book/42"},
	} {
		for _, n := range []int{0, 1, 3, 10} {
			b.Run(fmt.Sprintf("%s/interceptors=%d", route.name, n), func(b *testing.B) {
				d := dispatcher.New(dispatcher.WithLogger(slog.New(slog.DiscardHandler)))
				if err := d.GET(route.tmpl, func(w http.ResponseWriter, r *http.Request) {}); err != nil {
					b.Fatal(err)
				}
				for i := 0; i < n; i++ {
					d.Interceptors().AddInterceptor(&counting{}).AddPathPatterns("/book/**")
				}
				if err := d.Build(); err != nil {
					b.Fatal(err)
				}
				req := httptest.NewRequest("GET", route.path, nil)
				w := &nopWriter{h: http.Header{}}
				b.ReportAllocs()
				for b.Loop() {
					d.ServeHTTP(w, req)
				}
			})
		}
	}
}

func BenchmarkDispatchTyped(b *testing.B) {
	type in struct {
		ID int `path:"id"`
	}
	d := dispatcher.New(dispatcher.WithLogger(slog.New(slog.DiscardHandler)))
	if err := d.GET("/book/{id}", handler.Typed(func(_ context.Context, in in) (int, error) { return in.ID, nil })); err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/book/42", nil)
	w := &nopWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		d.ServeHTTP(w, req)
	}
}

// BenchmarkRegistryScaling registers n path-scoped interceptors of which 3
// apply to the route: per-request cost must not grow with n, because each
// route's chain is decided at startup.
func BenchmarkRegistryScaling(b *testing.B) {
	for _, n := range []int{0, 10, 100} {
		b.Run(fmt.Sprintf("registered=%d", n+3), func(b *testing.B) {
			d := dispatcher.New(dispatcher.WithLogger(slog.New(slog.DiscardHandler)))
			if err := d.GET("/book/{id}", func(w http.ResponseWriter, r *http.Request) {}); err != nil {
				b.Fatal(err)
			}
			for i := 0; i < n; i++ {
				d.Interceptors().AddInterceptor(&counting{}).AddPathPatterns(fmt.Sprintf("/area%d/**", i))
			}
			for i := 0; i < 3; i++ {
				d.Interceptors().AddInterceptor(&counting{}).AddPathPatterns("/book/**").ExcludePathPatterns("/book/list")
			}
			if err := d.Build(); err != nil {
				b.Fatal(err)
			}
			req := httptest.NewRequest("GET", "/book/42", nil)
			w := &nopWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				d.ServeHTTP(w, req)
			}
		})
	}
}
