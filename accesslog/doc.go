// Package accesslog logs every request once, on log/slog, from a filter
// around the whole dispatcher: unlike interceptor.AccessLog, which runs
// only for requests that reached a route, it also logs 404s, 405s,
// preflights and firewall rejections. It is the recommended access log.
//
// Each line carries the method, the route pattern ("/book/{id}") or, for
// unmatched requests, the escaped path (truncated), the status, the
// duration, the body bytes, the request id and the client address. The
// level follows the status class: 5xx error, 4xx warn, anything else
// info. The query string and every header are left out, so tokens,
// credentials in query parameters and Authorization headers never reach
// the log.
package accesslog
