package bench

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/portico-go/portico/accesslog"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/metrics"
	"github.com/portico-go/portico/requestid"
	"github.com/portico-go/portico/tracing"
)

// discardExporter drops finished spans: the SDK still builds, samples and
// batches every span, only the export is free.
type discardExporter struct{}

func (discardExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardExporter) Shutdown(context.Context) error                             { return nil }

// BenchmarkObservability serves the hello route (GET /hello, a net/http
// handler writing "hello") bare and behind each observability filter, so
// their costs read side by side: tracing off (no TracerProvider) should be
// indistinguishable from none.
func BenchmarkObservability(b *testing.B) {
	hello := func(tb testing.TB, tr *tracing.Tracing) *dispatcher.Dispatcher {
		d := dispatcher.New(dispatcher.WithLogger(quietLog))
		if err := d.GET("/hello", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			io.WriteString(w, "hello")
		})); err != nil {
			tb.Fatal(err)
		}
		if tr != nil {
			if reg := tr.HandlerSpans(); reg != nil {
				d.Interceptors().Add(reg)
			}
		}
		if err := d.Build(); err != nil {
			b.Fatal(err)
		}
		return d
	}
	sdk := func(tb testing.TB) *sdktrace.TracerProvider {
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discardExporter{}))
		tb.Cleanup(func() { tp.Shutdown(context.Background()) })
		return tp
	}
	mustMetrics := func(tb testing.TB) *metrics.Metrics {
		m, err := metrics.New(metrics.Config{})
		if err != nil {
			tb.Fatal(err)
		}
		return m
	}
	discardLog := accesslog.New(accesslog.Config{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})

	cases := []struct {
		name  string
		build func(testing.TB) http.Handler
	}{
		{"none", func(tb testing.TB) http.Handler { return hello(tb, nil) }},
		{"requestid", func(tb testing.TB) http.Handler { return requestid.Wrap(hello(tb, nil)) }},
		{"tracing-off", func(tb testing.TB) http.Handler {
			tr := tracing.New(tracing.Config{})
			return tr.Wrap(hello(tb, tr))
		}},
		{"tracing-on", func(tb testing.TB) http.Handler {
			tr := tracing.New(tracing.Config{TracerProvider: sdk(tb)})
			return tr.Wrap(hello(tb, nil))
		}},
		{"tracing-on-handler-spans", func(tb testing.TB) http.Handler {
			tr := tracing.New(tracing.Config{TracerProvider: sdk(tb)})
			return tr.Wrap(hello(tb, tr))
		}},
		{"metrics", func(tb testing.TB) http.Handler { return mustMetrics(tb).Wrap(hello(tb, nil)) }},
		{"accesslog", func(tb testing.TB) http.Handler { return discardLog.Wrap(hello(tb, nil)) }},
		{"all", func(tb testing.TB) http.Handler {
			tr := tracing.New(tracing.Config{TracerProvider: sdk(tb)})
			return requestid.Wrap(tr.Wrap(discardLog.Wrap(mustMetrics(tb).Wrap(hello(tb, nil)))))
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			h := c.build(b)
			r := httptest.NewRequest(http.MethodGet, "/hello", nil)
			w := newWriter()
			b.ReportAllocs()
			start := cpuTime(b)
			for b.Loop() {
				h.ServeHTTP(w, r)
			}
			b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime is the process's user and system CPU time. On a shared machine
// wall-clock ns/op counts the time other processes held the cores; CPU
// time per op counts only this process's work (including its GC and the
// span exporter's goroutine), so it is the steadier figure to compare.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
