// Package recorder wraps an http.ResponseWriter to learn the status and
// the body size a handler wrote, for the access-log, metrics and tracing
// filters. It is hand-written rather than felixge/httpsnoop so the core
// module's dependency list stays short; it keeps Flush, Hijack and
// http.ResponseController (through Unwrap) working.
package recorder
