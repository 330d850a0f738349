// Package tracing traces Portico applications with OpenTelemetry: a
// filter starts one server span per request, named by method and route
// pattern ("GET /book/{id}", never the raw path; unmatched requests are
// named by the method alone, as the HTTP semantic conventions say), with
// W3C trace context read from the request and written on the response
// (traceparent), HTTP semantic-convention attributes, the request id, the
// status, and 5xx recorded as an error.
//
// Optional child spans come from interceptors: HandlerSpans adds, on every
// route, one span around the handler and records the request's error on
// the server span; Interceptor wraps an interceptor so its PreHandle gets
// a span of its own. ClientInterceptor propagates the trace through the
// framework's HTTP client.
//
// Tracing is off unless a TracerProvider is given: the filter then
// returns the dispatcher unwrapped and the interceptors are left out, so
// an application that never configures tracing pays nothing for it (see
// the benchmarks). The global otel provider is never consulted.
//
// It is a separate module so applications that do not trace do not
// download OpenTelemetry.
package tracing
