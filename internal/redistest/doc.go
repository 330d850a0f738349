// Package redistest gives tests a Redis to talk to, preferring the real
// thing: the server named by REDIS_ADDR, else a throwaway redis-server
// started on a free port, else a miniredis server. miniredis runs in its own
// process, built from the nested module miniredisd with `go run`, so the
// framework's go.mod does not require it. Tests that must stop and restart
// the server (outage tests) use Server, which needs a redis-server binary
// and skips without one. Cluster starts a three-master Redis Cluster (or
// uses REDIS_CLUSTER_ADDRS); it needs redis-server and redis-cli and skips
// without them. CachingClient makes a RESP3 client with go-redis's
// client-side cache (it needs a real server), and CommandCalls reads the
// server's own command statistics, so tests can count what reached Redis.
package redistest
