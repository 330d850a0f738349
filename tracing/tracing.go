package tracing

import (
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/internal/recorder"
)

// ScopeName is the instrumentation scope of every span this package makes.
const ScopeName = "github.com/portico-go/portico/tracing"

// RequestIDKey is the span attribute holding the request id (see package
// requestid); the semantic conventions define none.
const RequestIDKey = attribute.Key("request.id")

// Config configures tracing. The zero value traces nothing.
type Config struct {
	// TracerProvider makes the spans, typically an SDK provider with an
	// exporter. Nil turns tracing off.
	TracerProvider trace.TracerProvider
	// Propagator reads and writes trace context in headers; nil means W3C
	// Trace Context and Baggage.
	Propagator propagation.TextMapPropagator
	// TrustedProxies are believed about X-Forwarded-For when naming the
	// client.address (see auth.ClientIP).
	TrustedProxies []netip.Prefix
	// OmitResponseHeader leaves the traceparent header off responses. By
	// default it is sent so a client can quote the trace of a request.
	OmitResponseHeader bool
}

// Tracing makes the spans. Build it with New; a Tracing without a
// provider does nothing at all.
type Tracing struct {
	tracer  trace.Tracer
	prop    propagation.TextMapPropagator
	trusted []netip.Prefix
	respond bool
}

// New returns the Tracing for cfg.
func New(cfg Config) *Tracing {
	t := &Tracing{prop: cfg.Propagator, trusted: cfg.TrustedProxies, respond: !cfg.OmitResponseHeader}
	if cfg.TracerProvider != nil {
		t.tracer = cfg.TracerProvider.Tracer(ScopeName)
	}
	if t.prop == nil {
		t.prop = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	}
	return t
}

// Enabled reports whether a TracerProvider was given.
func (t *Tracing) Enabled() bool { return t.tracer != nil }

// Wrap returns next behind the tracing filter, or next itself when
// tracing is off.
func (t *Tracing) Wrap(next http.Handler) http.Handler {
	if t.tracer == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := t.prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		method, known := normalizeMethod(r.Method)
		ctx, span := t.tracer.Start(ctx, method, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(t.requestAttrs(r, method, known)...))
		if t.respond {
			propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(w.Header()))
		}
		rw := recorder.Get(w)
		r2 := r.WithContext(ctx)
		done := false
		defer func() {
			if !done {
				// A panic is on its way up (an aborted response): the span
				// still ends, as an error, before net/http sees it.
				span.SetStatus(codes.Error, "response aborted")
				t.end(span, r2, method, rw, true)
			}
			r.Pattern = r2.Pattern
			recorder.Put(rw)
		}()
		next.ServeHTTP(rw, r2)
		done = true
		t.end(span, r2, method, rw, false)
	})
}

func (t *Tracing) end(span trace.Span, r *http.Request, method string, rw *recorder.Writer, aborted bool) {
	status := rw.Status()
	// One SetAttributes call: the SDK deduplicates on every call.
	var buf [3]attribute.KeyValue
	attrs := append(buf[:0], semconv.HTTPResponseStatusCode(status))
	if r.Pattern != "" {
		span.SetName(method + " " + r.Pattern)
		attrs = append(attrs, semconv.HTTPRoute(r.Pattern))
	}
	if status >= 500 && !aborted {
		// Server spans: only 5xx are errors; a 4xx is the client's.
		span.SetStatus(codes.Error, "")
		attrs = append(attrs, semconv.ErrorTypeKey.String(strconv.Itoa(status)))
	}
	span.SetAttributes(attrs...)
	span.End()
}

func (t *Tracing) requestAttrs(r *http.Request, method string, known bool) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 10)
	if known {
		attrs = append(attrs, semconv.HTTPRequestMethodKey.String(method))
	} else {
		attrs = append(attrs, semconv.HTTPRequestMethodOther, semconv.HTTPRequestMethodOriginal(r.Method))
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	attrs = append(attrs, semconv.URLScheme(scheme), semconv.URLPath(r.URL.Path),
		semconv.ClientAddress(auth.ClientIP(r, t.trusted)))
	if host, port := splitHost(r.Host); host != "" {
		attrs = append(attrs, semconv.ServerAddress(host))
		if port > 0 {
			attrs = append(attrs, semconv.ServerPort(port))
		}
	}
	if ua := r.UserAgent(); ua != "" {
		attrs = append(attrs, semconv.UserAgentOriginal(ua))
	}
	if r.ProtoMajor == 1 && r.ProtoMinor == 1 {
		attrs = append(attrs, semconv.NetworkProtocolVersion("1.1"))
	} else if r.ProtoMajor != 0 {
		attrs = append(attrs, semconv.NetworkProtocolVersion(strconv.Itoa(r.ProtoMajor)+"."+strconv.Itoa(r.ProtoMinor)))
	}
	if id := handler.RequestID(r.Context()); id != "" {
		attrs = append(attrs, RequestIDKey.String(id))
	}
	return attrs
}

// normalizeMethod maps a method to its semconv form: the known methods as
// they are, anything else to "HTTP" (span name) and _OTHER (attribute),
// so a client sending made-up methods cannot multiply span names.
func normalizeMethod(m string) (string, bool) {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete,
		http.MethodConnect, http.MethodOptions, http.MethodTrace, http.MethodPatch:
		return m, true
	}
	return "HTTP", false
}

func splitHost(hostport string) (string, int) {
	if hostport == "" {
		return "", 0
	}
	host, portStr, err := net.SplitHostPort(hostport)
	if err != nil {
		return strings.Trim(hostport, "[]"), 0
	}
	port, _ := strconv.Atoi(portStr)
	return host, port
}

// Filter returns the filter for portico.AsFilter, at portico.OrderTracing:
// inside the request-id filter, so spans carry the id, and outside the
// access log, so its lines carry the span's context.
func (t *Tracing) Filter() portico.Filter {
	return portico.Filter{Name: "tracing", Order: portico.OrderTracing, Wrap: t.Wrap}
}
