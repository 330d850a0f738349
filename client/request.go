package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxDrain bounds how much of a dropped body is read before closing it: a
// short remainder is worth reading so the connection can be reused, a long
// one is cheaper to abandon. net/http uses the same trade-off on redirects.
const maxDrain = 4 << 10

// drainAndClose disposes of a response body nobody will read.
func drainAndClose(body io.ReadCloser) {
	if body == nil {
		return
	}
	_, _ = io.CopyN(io.Discard, body, maxDrain)
	body.Close()
}

// errNotReplayable reports a request whose body was consumed by the first
// attempt and cannot be produced again.
var errNotReplayable = errors.New("client: request body cannot be replayed (no GetBody)")

// replayable reports whether req can be sent again: it has no body, or one
// that GetBody can produce afresh.
func replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// rewind returns a copy of req with a fresh body from GetBody, ready for one
// more attempt. The copy carries the next attempt number so that loggers
// further down can tell attempts apart.
func rewind(req *http.Request) (*http.Request, error) {
	ctx := context.WithValue(req.Context(), attemptKey{}, attempt(req)+1)
	r := req.Clone(ctx)
	if req.Body == nil || req.Body == http.NoBody {
		return r, nil
	}
	if req.GetBody == nil {
		return nil, errNotReplayable
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("client: replaying request body: %w", err)
	}
	r.Body = body
	return r, nil
}

type attemptKey struct{}

// attempt is the 1-based number of the attempt req belongs to.
func attempt(req *http.Request) int {
	if n, ok := req.Context().Value(attemptKey{}).(int); ok {
		return n
	}
	return 1
}
