package handler

import "context"

type requestIDKey struct{}

// WithRequestID returns a context carrying the request's id, so error
// bodies, logs and traces can name the request. The requestid filter
// calls it; applications rarely need to.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the id WithRequestID attached to ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
