package health

import (
	"context"
	"database/sql"

	"github.com/redis/go-redis/v9"
)

// DB checks a database with PingContext, named "db".
func DB(db *sql.DB) Check {
	return Check{Name: "db", Check: db.PingContext}
}

// Redis checks a go-redis client (single node, Cluster or Sentinel) with
// PING, named "redis".
func Redis(c redis.UniversalClient) Check {
	return Check{Name: "redis", Check: func(ctx context.Context) error { return c.Ping(ctx).Err() }}
}
