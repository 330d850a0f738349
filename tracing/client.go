package tracing

import (
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/portico-go/portico/client"
)

// stoppedKey marks a PreHandle span whose interceptor refused the request.
const stoppedKey = attribute.Key("portico.interceptor.stopped")

// ClientInterceptor returns a client interceptor that propagates the
// caller's trace context in the request headers, inside a client span of
// its own when tracing is on. Add it with client.WithNetworkInterceptors,
// so each attempt of a retried call gets its own span, as the HTTP
// semantic conventions ask. With tracing off it still forwards a trace
// context already in the request's context (from another
// instrumentation), and adds nothing when there is none.
func (t *Tracing) ClientInterceptor() client.Interceptor {
	return client.InterceptorFunc(func(c client.Chain) (*http.Response, error) {
		req := c.Request()
		ctx := req.Context()
		if t.tracer == nil {
			if !trace.SpanContextFromContext(ctx).IsValid() {
				return c.Proceed(req)
			}
			out := req.Clone(ctx)
			t.prop.Inject(ctx, propagation.HeaderCarrier(out.Header))
			return c.Proceed(out)
		}
		method, known := normalizeMethod(req.Method)
		attrs := []attribute.KeyValue{semconv.HTTPRequestMethodKey.String(method)}
		if !known {
			attrs = []attribute.KeyValue{semconv.HTTPRequestMethodOther, semconv.HTTPRequestMethodOriginal(req.Method)}
		}
		if host, port := splitHost(req.URL.Host); host != "" {
			attrs = append(attrs, semconv.ServerAddress(host))
			if port > 0 {
				attrs = append(attrs, semconv.ServerPort(port))
			}
		}
		// The query and any user info can hold credentials: left out.
		u := *req.URL
		u.RawQuery, u.User, u.Fragment = "", nil, ""
		attrs = append(attrs, semconv.URLFull(u.String()))
		ctx, span := t.tracer.Start(ctx, method, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
		defer span.End()
		out := req.Clone(ctx)
		t.prop.Inject(ctx, propagation.HeaderCarrier(out.Header))
		resp, err := c.Proceed(out)
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
			span.SetAttributes(semconv.ErrorTypeKey.String("_OTHER"))
			return nil, err
		}
		span.SetAttributes(semconv.HTTPResponseStatusCode(resp.StatusCode))
		if resp.StatusCode >= 400 {
			// Client spans: a 4xx is an error too, the caller's request failed.
			span.SetStatus(codes.Error, "")
			span.SetAttributes(semconv.ErrorTypeKey.String(strconv.Itoa(resp.StatusCode)))
		}
		return resp, nil
	})
}
