package dispatcher_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
)

// Error bodies carry the request id a filter put in the context, in both
// shipped shapes, and leave the field out when there is none.
func TestErrorBodiesCarryRequestID(t *testing.T) {
	for _, tc := range []struct {
		name     string
		renderer dispatcher.ErrorRenderer
		id       string
	}{
		{"json", dispatcher.JSONErrors{}, "req-1"},
		{"json data", dispatcher.JSONErrors{Data: true}, "req-2"},
		{"problem", dispatcher.ProblemErrors{}, "req-3"},
		{"json without id", dispatcher.JSONErrors{}, ""},
		{"problem without id", dispatcher.ProblemErrors{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := dispatcher.New(dispatcher.WithErrorRenderer(tc.renderer))
			r := httptest.NewRequest(http.MethodGet, "/missing", nil)
			if tc.id != "" {
				r = r.WithContext(handler.WithRequestID(r.Context(), tc.id))
			}
			w := httptest.NewRecorder()
			d.ServeHTTP(w, r)
			if w.Code != http.StatusNotFound {
				t.Fatalf("status %d, want 404", w.Code)
			}
			var body map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			got, present := body["requestId"]
			if tc.id == "" {
				if present {
					t.Fatalf("requestId %v present without an id", got)
				}
				return
			}
			if got != tc.id {
				t.Fatalf("requestId = %v, want %q (body %s)", got, tc.id, w.Body)
			}
		})
	}
}

// The contract filters rely on: once the dispatcher returns, the request
// they passed in holds the matched route template, with or without
// interceptors on the route, and nothing when no route matched.
func TestPatternVisibleToFilters(t *testing.T) {
	d := dispatcher.New()
	for _, p := range []string{"/plain/{id}", "/guarded/{id}"} {
		if err := d.GET(p, text("ok")); err != nil {
			t.Fatal(err)
		}
	}
	d.Interceptors().AddInterceptor(interceptor.Funcs{}).AddPathPatterns("/guarded/**")
	if err := d.Build(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/plain/7", "/plain/{id}"},
		{"GET", "/guarded/7", "/guarded/{id}"},
		{"GET", "/nowhere", ""},
		{"POST", "/plain/7", ""},
	} {
		r := httptest.NewRequest(tc.method, tc.path, nil)
		d.ServeHTTP(httptest.NewRecorder(), r)
		if r.Pattern != tc.want {
			t.Errorf("%s %s: Pattern %q, want %q", tc.method, tc.path, r.Pattern, tc.want)
		}
	}
}
