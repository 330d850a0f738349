package dispatcher_test

import (
	"bytes"
	"context"
	"encoding/json"
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
	"github.com/portico-go/portico/view"
)

// quiet returns a dispatcher option logging into buf.
func quiet(buf *bytes.Buffer) dispatcher.Option {
	return dispatcher.WithLogger(slog.New(slog.NewTextHandler(buf, nil)))
}

type errBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Reason  string `json:"reason"`
}

func decodeErr(t *testing.T, b []byte) errBody {
	t.Helper()
	var e errBody
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("not an error body: %q: %v", b, err)
	}
	return e
}

// Item 1: an Error without a valid status used to reach the client as an
// empty 200 (WriteHeader(0) panicked inside net/http after the writer had
// marked itself written). Checked over a real connection.
func TestErrorWithoutStatusIs500OverTheWire(t *testing.T) {
	var logs bytes.Buffer
	d := dispatcher.New(quiet(&logs), dispatcher.WithExceptionResolvers(
		dispatcher.HandleError(func(_ *http.Request, err *resolveMe) *handler.Result {
			return &handler.Result{Body: &handler.Error{Message: "resolved oops"}}
		})))
	must(t, d.GET("/typed", handler.Typed(func(context.Context, handler.Empty) (string, error) {
		return "", &handler.Error{Message: "oops"}
	})))
	must(t, d.GET("/negative", handler.Typed(func(context.Context, handler.Empty) (string, error) {
		return "", &handler.Error{Status: -3, Message: "negative"}
	})))
	must(t, d.GET("/huge", handler.Typed(func(context.Context, handler.Empty) (string, error) {
		return "", &handler.Error{Status: 1000, Message: "huge"}
	})))
	must(t, d.GET("/success-status", handler.Typed(func(context.Context, handler.Empty) (string, error) {
		return "", &handler.Error{Status: 200, Message: "not a failure?"}
	})))
	must(t, d.GET("/resolved", handler.Typed(func(context.Context, handler.Empty) (string, error) {
		return "", &resolveMe{}
	})))
	must(t, d.GET("/result", handler.Function(func(handler.Request) (*handler.Response, error) {
		return &handler.Response{Status: 42, Body: "odd"}, nil
	})))
	srv := httptest.NewServer(d)
	defer srv.Close()
	for _, path := range []string{"/typed", "/negative", "/huge", "/success-status", "/resolved", "/result"} {
		res, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusInternalServerError {
			t.Errorf("%s: status %d body %q, want 500", path, res.StatusCode, body)
			continue
		}
		if e := decodeErr(t, body); e.Code != 500 {
			t.Errorf("%s: body code %d, want 500: %s", path, e.Code, body)
		}
	}
	if !strings.Contains(logs.String(), "invalid HTTP status") {
		t.Errorf("the invalid status was not logged:\n%s", logs.String())
	}
}

type resolveMe struct{}

func (*resolveMe) Error() string { return "resolve me" }

// Item 1, the writer's own guard: a raw handler or custom renderer calling
// WriteHeader(0) gets 500, not a panic inside net/http.
func TestWriterGuardsInvalidCodes(t *testing.T) {
	d := dispatcher.New()
	must(t, d.GET("/raw", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(0)
		io.WriteString(w, "body")
	}))
	srv := httptest.NewServer(d)
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL + "/raw")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusInternalServerError {
		t.Errorf("WriteHeader(0): status %d, want 500", res.StatusCode)
	}
}

// Item 2: the Result's status wins over its Error body's.
func TestResultStatusWinsOverErrorStatus(t *testing.T) {
	d := dispatcher.New(dispatcher.WithExceptionResolvers(dispatcher.HandleError(
		func(_ *http.Request, err *resolveMe) *handler.Result {
			return &handler.Result{Status: http.StatusConflict, Body: handler.NewError(http.StatusBadRequest, "taken")}
		})))
	must(t, d.GET("/conflict", handler.Typed(func(context.Context, handler.Empty) (string, error) {
		return "", &resolveMe{}
	})))
	must(t, d.GET("/keep", handler.Typed(func(context.Context, handler.Empty) (*handler.Response, error) {
		return &handler.Response{Body: handler.NewError(http.StatusTeapot, "short and stout")}, nil
	})))
	w := serve(t, d, "GET", "/conflict")
	if e := decodeErr(t, w.Body.Bytes()); w.Code != http.StatusConflict || e.Code != http.StatusConflict || e.Message != "taken" {
		t.Errorf("resolver Result{Status: 409, Body: 400 error} = %d %s, want 409 with code 409", w.Code, w.Body)
	}
	w = serve(t, d, "GET", "/keep")
	if w.Code != http.StatusTeapot {
		t.Errorf("Result without status keeps the Error's: got %d", w.Code)
	}
}

// Item 3: headers describing the success body do not label the error.
func TestErrorClearsBodyHeaders(t *testing.T) {
	csv := func(w http.ResponseWriter) {
		h := w.Header()
		h.Set("Content-Type", "text/csv")
		h.Set("Content-Disposition", `attachment; filename="books.csv"`)
		h.Set("Content-Length", "1234")
		h.Set("ETag", `"v1"`)
		h.Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		h.Set("New-Token", "renewed")
		h.Set("X-Frame-Options", "DENY")
	}
	d := dispatcher.New(quiet(new(bytes.Buffer)), dispatcher.WithExceptionResolvers(dispatcher.HandleError(
		func(_ *http.Request, err *resolveMe) *handler.Result {
			return &handler.Result{Status: http.StatusConflict, Body: map[string]string{"custom": "json"}}
		})))
	must(t, d.GET("/export", handler.ControllerFunc(func(w http.ResponseWriter, _ *http.Request) (*handler.ModelAndView, error) {
		csv(w)
		return nil, errors.New("database gone")
	})))
	must(t, d.GET("/custom", handler.ControllerFunc(func(w http.ResponseWriter, _ *http.Request) (*handler.ModelAndView, error) {
		csv(w)
		return nil, &resolveMe{}
	})))
	for _, tt := range []struct {
		path   string
		status int
		ct     string
	}{
		{"/export", 500, "application/json"},
		{"/custom", 409, "application/json"},
	} {
		w := serve(t, d, "GET", tt.path)
		h := w.Header()
		if w.Code != tt.status || h.Get("Content-Type") != tt.ct {
			t.Errorf("%s: %d %q, want %d %q", tt.path, w.Code, h.Get("Content-Type"), tt.status, tt.ct)
		}
		for _, k := range []string{"Content-Disposition", "Content-Length", "ETag", "Last-Modified"} {
			if v := h.Get(k); v != "" {
				t.Errorf("%s: %s: %q leaked into the error response", tt.path, k, v)
			}
		}
		for _, k := range []string{"New-Token", "X-Frame-Options"} {
			if h.Get(k) == "" {
				t.Errorf("%s: %s was dropped; it belongs on every response", tt.path, k)
			}
		}
	}
}

type emptyView struct{}

func (emptyView) Render(http.ResponseWriter, *http.Request, map[string]any) error { return nil }

type oneView struct{ v view.View }

func (o oneView) ResolveView(string) (view.View, error) { return o.v, nil }

type bodyView struct{}

func (bodyView) Render(w http.ResponseWriter, _ *http.Request, m map[string]any) error {
	_, err := io.WriteString(w, "page")
	return err
}

// Item 4: one status for a view result, read when it is rendered.
func TestModelAndViewStatus(t *testing.T) {
	gone := interceptor.Funcs{Post: func(_ http.ResponseWriter, r *http.Request, _ *handler.Route, res *handler.Result) error {
		if res.View != nil && r.URL.Query().Get("post") != "" {
			res.View.Status = http.StatusGone
		}
		return nil
	}}
	for _, tt := range []struct {
		name string
		v    view.View
		post bool
		want int
	}{
		{"body", bodyView{}, false, http.StatusCreated},
		{"body, PostHandle sets 410", bodyView{}, true, http.StatusGone},
		{"no body", emptyView{}, false, http.StatusCreated},
		{"no body, PostHandle sets 410", emptyView{}, true, http.StatusGone},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := dispatcher.New(dispatcher.WithViewResolver(oneView{tt.v}))
			d.Interceptors().AddInterceptor(gone)
			must(t, d.GET("/c", handler.ControllerFunc(func(http.ResponseWriter, *http.Request) (*handler.ModelAndView, error) {
				return &handler.ModelAndView{View: "page", Status: http.StatusCreated}, nil
			})))
			must(t, d.GET("/t", handler.Typed(func(context.Context, handler.Empty) (*handler.ModelAndView, error) {
				return &handler.ModelAndView{View: "page", Status: http.StatusCreated}, nil
			})))
			for _, p := range []string{"/c", "/t"} {
				target := p
				if tt.post {
					target += "?post=1"
				}
				if w := serve(t, d, "GET", target); w.Code != tt.want {
					t.Errorf("%s: %d, want %d", target, w.Code, tt.want)
				}
			}
		})
	}
}

// Item 5: 404 and 405 reach the global resolvers as typed errors;
// interceptors still do not run, and without a resolver nothing changes.
func TestUnmappedReachGlobalResolvers(t *testing.T) {
	ran := false
	var seen []error
	d := dispatcher.New(dispatcher.WithExceptionResolvers(dispatcher.ResolverFunc(
		func(r *http.Request, rt *handler.Route, err error) *handler.Result {
			if rt != nil {
				t.Errorf("route %v for an unmapped request", rt)
			}
			seen = append(seen, err)
			var nf *dispatcher.NoHandlerFoundError
			if errors.As(err, &nf) && nf.Path == "/shaped" {
				return &handler.Result{Status: http.StatusNotFound, Body: map[string]string{"shaped": nf.Path}}
			}
			return nil
		})))
	d.Interceptors().AddInterceptor(interceptor.Funcs{Pre: func(http.ResponseWriter, *http.Request, *handler.Route) (bool, error) {
		ran = true
		return true, nil
	}})
	must(t, d.GET("/book", text("book")))

	w := serve(t, d, "GET", "/shaped")
	if w.Code != 404 || strings.TrimSpace(w.Body.String()) != `{"shaped":"/shaped"}` {
		t.Errorf("resolver-shaped 404: %d %s", w.Code, w.Body)
	}
	w = serve(t, d, "GET", "/nope")
	if e := decodeErr(t, w.Body.Bytes()); w.Code != 404 || e.Message != "not found" {
		t.Errorf("default 404 changed: %d %s", w.Code, w.Body)
	}
	w = serve(t, d, "DELETE", "/book")
	if e := decodeErr(t, w.Body.Bytes()); w.Code != 405 || e.Message != "method not allowed" || w.Header().Get("Allow") != "GET, HEAD, OPTIONS" {
		t.Errorf("default 405 changed: %d %v %s", w.Code, w.Header(), w.Body)
	}
	if ran {
		t.Error("an interceptor ran for an unmapped request")
	}
	if len(seen) != 3 {
		t.Fatalf("resolver saw %d errors, want 3: %v", len(seen), seen)
	}
	var mna *dispatcher.MethodNotAllowedError
	if !errors.As(seen[2], &mna) || mna.Method != "DELETE" || strings.Join(mna.Allow, ",") != "GET,HEAD,OPTIONS" {
		t.Errorf("405 error = %#v", seen[2])
	}
}

// Item 6, as documented: OPTIONS without an explicit route answers 204
// with Allow and runs no interceptor (Spring answers 200 and runs the
// chain; docs/spring-mapping.md says so).
func TestAutomaticOptions(t *testing.T) {
	ran := false
	d := dispatcher.New()
	d.Interceptors().AddInterceptor(interceptor.Funcs{Pre: func(http.ResponseWriter, *http.Request, *handler.Route) (bool, error) {
		ran = true
		return true, nil
	}})
	must(t, d.GET("/book", text("book")))
	w := serve(t, d, "OPTIONS", "/book")
	if w.Code != http.StatusNoContent || w.Header().Get("Allow") != "GET, HEAD, OPTIONS" || ran {
		t.Errorf("OPTIONS: %d Allow %q interceptor ran %v", w.Code, w.Header().Get("Allow"), ran)
	}
}

// handler.Empty as a typed handler's output answers 204 with no body.
func TestEmptyIsNoContent(t *testing.T) {
	d := dispatcher.New()
	must(t, d.DELETE("/book/{id}", handler.Typed(func(context.Context, handler.Empty) (handler.Empty, error) {
		return handler.Empty{}, nil
	})))
	w := serve(t, d, "DELETE", "/book/1")
	if w.Code != http.StatusNoContent || w.Body.Len() != 0 {
		t.Errorf("Empty: %d %q, want 204 and no body", w.Code, w.Body)
	}
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

type recordingWriter struct {
	discardWriter
	res handler.Result
}

func (w *recordingWriter) RecordResult(res handler.Result) { w.res = res }

// BenchmarkUnmapped is a 404 with no global resolver (today's path) and
// with one that declines (every 404 now consults it).
func BenchmarkUnmapped(b *testing.B) {
	declines := dispatcher.ResolverFunc(func(*http.Request, *handler.Route, error) *handler.Result { return nil })
	for _, tt := range []struct {
		name string
		opts []dispatcher.Option
	}{{"resolvers=0", nil}, {"resolvers=1", []dispatcher.Option{dispatcher.WithExceptionResolvers(declines)}}} {
		b.Run(tt.name, func(b *testing.B) {
			d := dispatcher.New(tt.opts...)
			if err := d.GET("/book", text("book")); err != nil {
				b.Fatal(err)
			}
			r := httptest.NewRequest("GET", "/nope", nil)
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				d.ServeHTTP(w, r)
			}
		})
	}
}

// BenchmarkViewRender renders a ModelAndView with and without a
// ResultRecorder behind the writer: the lookup porticotest relies on.
func BenchmarkViewRender(b *testing.B) {
	d := dispatcher.New(dispatcher.WithViewResolver(oneView{bodyView{}}))
	mv := &handler.ModelAndView{View: "page"}
	if err := d.GET("/page", handler.ControllerFunc(func(http.ResponseWriter, *http.Request) (*handler.ModelAndView, error) {
		return mv, nil
	})); err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/page", nil)
	for _, tt := range []struct {
		name string
		w    http.ResponseWriter
	}{{"plain", &discardWriter{h: http.Header{}}}, {"recorder", &recordingWriter{discardWriter: discardWriter{h: http.Header{}}}}} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d.ServeHTTP(tt.w, r)
			}
		})
	}
}
