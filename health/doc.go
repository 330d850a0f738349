// Package health serves Spring Boot Actuator's liveness and readiness
// groups: GET /health/live answers while the process can serve at all,
// GET /health/ready while it should receive traffic. Readiness runs every
// contributed Check concurrently, each under its own timeout, and answers
// 503 with status DOWN when any fails, or as soon as graceful shutdown
// starts: before the listener closes, so a load balancer probing it stops
// sending traffic while in-flight requests still finish.
//
// The body follows Actuator's shape:
//
//	{"status":"DOWN","components":{"db":{"status":"UP"},"redis":{"status":"DOWN"}}}
//
// Error details stay out of the body unless Config.ShowDetails is set (as
// Actuator's show-details=never), since probes are usually unauthenticated.
//
// With fx, add Module and contribute checks with AsCheck:
//
//	fx.Provide(health.AsCheck(func(db *sql.DB) health.Check { return health.DB(db) }))
//
// Without fx, build one with New, register it on a dispatcher and call
// Drain before http.Server.Shutdown.
package health
