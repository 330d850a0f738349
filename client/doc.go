// Package client is Portico's HTTP client side: an interceptor chain in the
// style of OkHttp, packaged as a plain *http.Client (or http.RoundTripper) so
// that any Go library can use it.
//
// An [Interceptor] receives a [Chain]. Calling [Chain.Proceed] passes the
// request on to the next interceptor and, at the end of the chain, to the
// network; not calling it short-circuits the call. Interceptors come in two
// tiers:
//
//   - Application interceptors ([WithInterceptors]) run once per call, around
//     everything else, including the redirects that *http.Client follows.
//   - Network interceptors ([WithNetworkInterceptors], [NewTransport]) run
//     inside the http.RoundTripper, so they see every network attempt and
//     every redirect hop.
//
// [New] builds a client with both tiers. The built-in interceptors are
// [BearerAuth] (access token plus single-flight refresh on 401), [Retry]
// (exponential backoff with jitter for transient failures) and [Logging]
// (log/slog with secrets masked).
//
// See docs/client.md for how the pieces map onto OkHttp and Dio.
package client
