// Package portico wires Portico's parts together with go.uber.org/fx.
//
// portico.Module provides the interceptor registry, the Dispatcher and an
// HTTP server whose start and graceful stop ride fx.Lifecycle. Applications
// contribute controllers (Registrar) and interceptors (registry
// registrations) through fx value groups, with AsRegistrar and
// AsInterceptor. Everything also works without fx: see dispatcher.New.
package portico
