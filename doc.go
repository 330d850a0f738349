// Package portico wires Portico's parts together with go.uber.org/fx.
//
// portico.Module provides the interceptor registry, the Dispatcher and an
// HTTP server whose start and graceful stop ride fx.Lifecycle. Applications
// contribute controllers (Registrar), interceptors (registry
// registrations), filters (Filter: net/http middleware around the whole
// dispatcher, run by Order) and dispatcher options through fx value groups,
// with AsRegistrar, AsInterceptor, AsFilter and AsOption. Config sets the
// listen address and every server timeout and limit, with safe defaults
// (see docs/operations.md). Everything also works without fx: see
// dispatcher.New.
package portico
