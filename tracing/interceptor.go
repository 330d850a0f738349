package tracing

import (
	"math"
	"net/http"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
	"github.com/portico-go/portico/registry"
)

// handlerSpan holds the open handler span between PreHandle and
// PostHandle or AfterCompletion.
var handlerSpan = handler.NewKey[trace.Span]("tracing.handler")

// spans is the interceptor behind HandlerSpans.
type spans struct{ t *Tracing }

// HandlerSpans returns a registration, for every route and innermost in
// the chain, that opens a child span "handle <route>" just before the
// handler, closes it after, and records the request's error on it and on
// the server span. It returns nil when tracing is off, so no route gains
// an interceptor.
//
// Spans the handler itself starts are children of the server span, not of
// this one: a PreHandle cannot change the request's context, only add
// values to it.
func (t *Tracing) HandlerSpans() *registry.Registration {
	if t.tracer == nil {
		return nil
	}
	return registry.NewRegistration(spans{t}).AddPathPatterns("/**").Order(math.MaxInt32)
}

// PreHandle opens the handler span.
func (s spans) PreHandle(_ http.ResponseWriter, r *http.Request, rt *handler.Route) (bool, error) {
	_, span := s.t.tracer.Start(r.Context(), "handle "+rt.Path, trace.WithSpanKind(trace.SpanKindInternal))
	handlerSpan.Set(r, span)
	return true, nil
}

// PostHandle closes it once the handler succeeded.
func (s spans) PostHandle(_ http.ResponseWriter, r *http.Request, _ *handler.Route, _ *handler.Result) error {
	if span, ok := handlerSpan.Value(r.Context()); ok && span != nil {
		span.End()
		handlerSpan.Set(r, nil)
	}
	return nil
}

// AfterCompletion closes it if the handler failed, and records the error.
func (s spans) AfterCompletion(_ http.ResponseWriter, r *http.Request, _ *handler.Route, err error) {
	if span, ok := handlerSpan.Value(r.Context()); ok && span != nil {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
		handlerSpan.Set(r, nil)
	}
	if err != nil {
		// The filter sets the server span's status from the response
		// code; the cause is known only here.
		trace.SpanFromContext(r.Context()).RecordError(err)
	}
}

// Interceptor wraps ic so each PreHandle runs in a child span named
// "PreHandle <name>", its error or refusal recorded. With tracing off it
// returns ic itself.
func (t *Tracing) Interceptor(name string, ic interceptor.HandlerInterceptor) interceptor.HandlerInterceptor {
	if t.tracer == nil {
		return ic
	}
	return &traced{HandlerInterceptor: ic, t: t, name: "PreHandle " + name}
}

type traced struct {
	interceptor.HandlerInterceptor
	t    *Tracing
	name string
}

// PreHandle runs the wrapped PreHandle in its own span.
func (x *traced) PreHandle(w http.ResponseWriter, r *http.Request, rt *handler.Route) (ok bool, err error) {
	_, span := x.t.tracer.Start(r.Context(), x.name, trace.WithSpanKind(trace.SpanKindInternal))
	defer func() {
		switch {
		case err != nil:
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		case !ok:
			span.SetAttributes(stoppedKey.Bool(true))
		}
		span.End()
	}()
	return x.HandlerInterceptor.PreHandle(w, r, rt)
}
