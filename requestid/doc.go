// Package requestid gives every request an id: a well-formed X-Request-ID
// from the client (or the proxy in front) is kept, anything else is
// replaced by a fresh random one. The id travels in the request context
// (handler.RequestID), is echoed on the response, and appears in error
// bodies, the access log and trace attributes, so a user's report can be
// matched to the server's records.
//
// Install it as the outermost filter, with fx:
//
//	fx.Options(portico.Module, requestid.Module)
//
// or by hand: requestid.Wrap(handler).
package requestid
