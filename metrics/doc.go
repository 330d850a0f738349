// Package metrics exposes Prometheus metrics for Portico applications at
// /metrics, on prometheus/client_golang:
//
//   - http_server_request_duration_seconds, a histogram by method, route
//     and status (named as OpenTelemetry's HTTP semantic conventions name
//     it, with their bucket boundaries);
//   - http_server_active_requests, the requests in flight;
//   - portico_auth_logins_total by outcome ("success" or the auth Reason);
//   - portico_session_store_duration_seconds and
//     portico_session_store_errors_total by operation;
//   - the Go runtime and process collectors.
//
// Cardinality is bounded by construction: the route label is the matched
// route template ("/book/{id}"), never the path; every request no route
// matched shares route="unmatched"; methods outside the standard nine
// share method="_OTHER". A scanner probing a million paths adds no
// series.
//
// The login and store metrics come from the auth package's Observer hook:
// set auth.Config.Observer to the *Metrics (the fx Module provides it as
// an auth.Observer).
//
// It is a separate module so applications without metrics do not
// download the Prometheus client.
package metrics
