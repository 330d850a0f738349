package tracing_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/portico-go/portico/client"
	"github.com/portico-go/portico/tracing"
)

func TestClientInterceptor(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Traceparent")
		if r.URL.Path == "/missing" {
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()

	sr, tp := recorderProvider(t)
	tr := tracing.New(tracing.Config{TracerProvider: tp})
	c := client.New(client.WithNetworkInterceptors(tr.ClientInterceptor()))
	ctx, parent := tp.Tracer("test").Start(context.Background(), "caller")

	for _, tc := range []struct {
		path   string
		status int
		err    bool
	}{{"/ok?api_key=secret", 200, false}, {"/missing", 404, true}} {
		got = ""
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+tc.path, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		ended := sr.Ended()
		span := ended[len(ended)-1]
		if span.SpanKind() != trace.SpanKindClient || span.Name() != "GET" || span.Parent().SpanID() != parent.SpanContext().SpanID() {
			t.Fatalf("%s: span %q kind %v parent %v", tc.path, span.Name(), span.SpanKind(), span.Parent())
		}
		if !strings.Contains(got, span.SpanContext().SpanID().String()) || !strings.Contains(got, parent.SpanContext().TraceID().String()) {
			t.Errorf("%s: server saw traceparent %q, want the client span %v", tc.path, got, span.SpanContext())
		}
		a := attrs(span)
		if a["http.response.status_code"].AsInt64() != int64(tc.status) || (span.Status().Code == codes.Error) != tc.err {
			t.Errorf("%s: status attr %v, span status %v", tc.path, a["http.response.status_code"], span.Status())
		}
		if strings.Contains(a["url.full"].AsString(), "secret") {
			t.Errorf("url.full leaks the query: %s", a["url.full"].AsString())
		}
	}
	parent.End()

	// Tracing off: a context from elsewhere is still forwarded, and
	// nothing is added without one.
	off := client.New(client.WithNetworkInterceptors(tracing.New(tracing.Config{}).ClientInterceptor()))
	for _, tc := range []struct {
		ctx  context.Context
		want string
	}{{ctx, parent.SpanContext().SpanID().String()}, {context.Background(), ""}} {
		got = "unset"
		req, _ := http.NewRequestWithContext(tc.ctx, "GET", srv.URL, nil)
		resp, err := off.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("off: traceparent %q, want %q", got, tc.want)
		}
	}
}
