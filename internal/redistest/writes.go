package redistest

import (
	"context"
	"net"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// Writes is a go-redis hook counting round trips to the server as the
// writes a client makes on its sockets: one per command or pipeline
// actually sent, none for an answer served from the client-side cache
// (which go-redis's process hooks still see, so they cannot tell). The
// handshake of each new connection adds a write or two, paid per
// connection, not per request. Add it with client.AddHook.
type Writes struct{ n atomic.Int64 }

// Load returns the count so far.
func (w *Writes) Load() int64 { return w.n.Load() }

// DialHook implements redis.Hook: it wraps each new connection.
func (w *Writes) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := next(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{Conn: c, n: &w.n}, nil
	}
}

// ProcessHook implements redis.Hook; commands pass through uncounted.
func (w *Writes) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

// ProcessPipelineHook implements redis.Hook; pipelines pass through
// uncounted.
func (w *Writes) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Write(b []byte) (int, error) {
	c.n.Add(1)
	return c.Conn.Write(b)
}
