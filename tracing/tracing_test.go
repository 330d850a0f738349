package tracing_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
	"github.com/portico-go/portico/requestid"
	"github.com/portico-go/portico/tracing"
)

func recorderProvider(t *testing.T) (*tracetest.SpanRecorder, *sdktrace.TracerProvider) {
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	return sr, tp
}

var errBroken = errors.New("disk on fire")

// app is a dispatcher with a route per outcome and, when tr is given, the
// tracing interceptors.
func app(t *testing.T, tr *tracing.Tracing) http.Handler {
	t.Helper()
	d := dispatcher.New(dispatcher.WithLogger(slog.New(slog.DiscardHandler)))
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.GET("/book/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })))
	must(d.GET("/fail", handler.Function(func(handler.Request) (*handler.Response, error) { return nil, errBroken })))
	must(d.GET("/guarded", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	must(d.GET("/panic", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		panic("half way")
	})))
	if tr != nil {
		if reg := tr.HandlerSpans(); reg != nil {
			d.Interceptors().Add(reg)
		}
		guard := interceptor.Funcs{Pre: func(w http.ResponseWriter, r *http.Request, _ *handler.Route) (bool, error) {
			w.WriteHeader(http.StatusForbidden)
			return false, nil
		}}
		d.Interceptors().AddInterceptor(tr.Interceptor("guard", guard)).AddPathPatterns("/guarded")
	}
	must(d.Build())
	return d
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func serverSpan(t *testing.T, sr *tracetest.SpanRecorder) sdktrace.ReadOnlySpan {
	t.Helper()
	var found []sdktrace.ReadOnlySpan
	for _, s := range sr.Ended() {
		if s.SpanKind() == trace.SpanKindServer {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d server spans, want 1", len(found))
	}
	return found[0]
}

func TestServerSpan(t *testing.T) {
	for _, tc := range []struct {
		method, target string
		name           string
		route          string
		status         int
		err            bool
	}{
		{"GET", "/book/42", "GET /book/{id}", "/book/{id}", 200, false},
		{"GET", "/no/such/page", "GET", "", 404, false},
		{"DELETE", "/book/1", "DELETE", "", 405, false},
		{"GET", "/fail", "GET /fail", "/fail", 500, true},
		{"GET", "/guarded", "GET /guarded", "/guarded", 403, false},
		{"BREW", "/book/1", "HTTP", "", 405, false},
	} {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			sr, tp := recorderProvider(t)
			tr := tracing.New(tracing.Config{TracerProvider: tp})
			h := requestid.Wrap(tr.Wrap(app(t, tr)))
			r := httptest.NewRequest(tc.method, tc.target, nil)
			r.Header.Set(requestid.Header, "rid-7")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			s := serverSpan(t, sr)
			if s.Name() != tc.name {
				t.Errorf("name %q, want %q", s.Name(), tc.name)
			}
			a := attrs(s)
			if got := a["http.response.status_code"].AsInt64(); got != int64(tc.status) {
				t.Errorf("status attribute %d", got)
			}
			if got := a["http.route"].AsString(); got != tc.route {
				t.Errorf("http.route %q, want %q", got, tc.route)
			}
			if got := a["request.id"].AsString(); got != "rid-7" {
				t.Errorf("request.id %q", got)
			}
			if got := a["url.path"].AsString(); got != strings.Split(tc.target, "?")[0] {
				t.Errorf("url.path %q", got)
			}
			wantMethod := tc.method
			if tc.method == "BREW" {
				wantMethod = "_OTHER"
				if a["http.request.method_original"].AsString() != "BREW" {
					t.Errorf("method_original %v", a["http.request.method_original"])
				}
			}
			if got := a["http.request.method"].AsString(); got != wantMethod {
				t.Errorf("http.request.method %q, want %q", got, wantMethod)
			}
			if (s.Status().Code == codes.Error) != tc.err {
				t.Errorf("span status %v, want error=%v", s.Status(), tc.err)
			}
			if tc.err && a["error.type"].AsString() != "500" {
				t.Errorf("error.type %v", a["error.type"])
			}
			tparent := w.Header().Get("Traceparent")
			if !strings.Contains(tparent, s.SpanContext().TraceID().String()) || !strings.Contains(tparent, s.SpanContext().SpanID().String()) {
				t.Errorf("response traceparent %q does not name span %v", tparent, s.SpanContext())
			}
		})
	}
}

// The handler's error is recorded on the server span, and the child
// spans hang off it.
func TestChildSpans(t *testing.T) {
	sr, tp := recorderProvider(t)
	tr := tracing.New(tracing.Config{TracerProvider: tp})
	h := tr.Wrap(app(t, tr))

	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/fail", nil))
	server := serverSpan(t, sr)
	var recorded bool
	for _, e := range server.Events() {
		if e.Name == "exception" && strings.Contains(attrs2(e.Attributes)["exception.message"], "disk on fire") {
			recorded = true
		}
	}
	if !recorded {
		t.Errorf("server span events %v lack the handler's error", server.Events())
	}
	var handle sdktrace.ReadOnlySpan
	for _, s := range sr.Ended() {
		if s.Name() == "handle /fail" {
			handle = s
		}
	}
	if handle == nil || handle.Parent().SpanID() != server.SpanContext().SpanID() || handle.Status().Code != codes.Error {
		t.Fatalf("handler span %v missing, not a child of the server span, or not an error", handle)
	}

	sr2, tp2 := recorderProvider(t)
	tr2 := tracing.New(tracing.Config{TracerProvider: tp2})
	tr2.Wrap(app(t, tr2)).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/guarded", nil))
	names := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range sr2.Ended() {
		names[s.Name()] = s
	}
	pre, ok := names["PreHandle guard"]
	if !ok {
		t.Fatalf("no PreHandle span among %v", keys(names))
	}
	if !attrs(pre)["portico.interceptor.stopped"].AsBool() || pre.Parent().SpanID() != names["GET /guarded"].SpanContext().SpanID() {
		t.Errorf("PreHandle span %v", attrs(pre))
	}
	if _, ok := names["handle /guarded"]; ok {
		t.Errorf("handler span for a request the guard stopped")
	}
}

func attrs2(kvs []attribute.KeyValue) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.String()
	}
	return m
}

func keys(m map[string]sdktrace.ReadOnlySpan) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestIncomingContext(t *testing.T) {
	sr, tp := recorderProvider(t)
	tr := tracing.New(tracing.Config{TracerProvider: tp})
	h := tr.Wrap(app(t, tr))
	r := httptest.NewRequest("GET", "/book/1", nil)
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	r.Header.Set("traceparent", parent)
	h.ServeHTTP(httptest.NewRecorder(), r)
	s := serverSpan(t, sr)
	if s.SpanContext().TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" ||
		s.Parent().SpanID().String() != "00f067aa0ba902b7" || !s.Parent().IsRemote() {
		t.Fatalf("span %v parent %v: not continuing the caller's trace", s.SpanContext(), s.Parent())
	}
}

// A panic after the response started still ends the span, as an error,
// and reaches net/http.
func TestPanicEndsSpan(t *testing.T) {
	sr, tp := recorderProvider(t)
	tr := tracing.New(tracing.Config{TracerProvider: tp})
	h := tr.Wrap(app(t, tr))
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("recovered %v, want http.ErrAbortHandler", v)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/panic", nil))
	}()
	s := serverSpan(t, sr)
	if s.Status().Code != codes.Error || s.Name() != "GET /panic" {
		t.Fatalf("span %q status %v", s.Name(), s.Status())
	}
}

// Off means off: no wrapper, no interceptor, response untouched.
func TestOff(t *testing.T) {
	tr := tracing.New(tracing.Config{})
	d := app(t, tr)
	if h := tr.Wrap(d); reflect.ValueOf(h).Pointer() != reflect.ValueOf(d).Pointer() {
		t.Fatal("Wrap without a provider wrapped the handler")
	}
	if tr.HandlerSpans() != nil || tr.Enabled() {
		t.Fatal("HandlerSpans without a provider")
	}
	ic := interceptor.Funcs{}
	if _, ok := tr.Interceptor("x", ic).(interceptor.Funcs); !ok {
		t.Fatal("Interceptor without a provider wrapped its argument")
	}
	w := httptest.NewRecorder()
	tr.Wrap(d).ServeHTTP(w, httptest.NewRequest("GET", "/book/1", nil))
	if w.Header().Get("Traceparent") != "" {
		t.Fatal("traceparent sent with tracing off")
	}
}

func TestOmitResponseHeader(t *testing.T) {
	_, tp := recorderProvider(t)
	tr := tracing.New(tracing.Config{TracerProvider: tp, OmitResponseHeader: true})
	w := httptest.NewRecorder()
	tr.Wrap(app(t, tr)).ServeHTTP(w, httptest.NewRequest("GET", "/book/1", nil))
	if w.Header().Get("Traceparent") != "" {
		t.Fatal("traceparent sent although omitted")
	}
}
