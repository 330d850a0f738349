// Package session keeps the server-side half of a Portico login: one record
// per session, with an idle timeout that slides on use, a hard deadline that
// never moves, the hash of the current refresh token (and of the last few
// rotated away, so that only real reuse revokes), and a short-lived
// tombstone saying why a session ended when it was ended on purpose.
//
// Two Store implementations are provided: Memory for a single process and
// Redis for anything larger (single node, Sentinel or Cluster through
// redis.UniversalClient; with CacheConfig, hot sessions are read from
// go-redis's server-assisted client-side cache). Both pass the same
// conformance suite in package sessiontest.
//
// A store never reports a session as valid when it cannot tell: any failure
// to reach the backing store is returned wrapped in ErrUnavailable, which is
// distinct from ErrExpired (no such live session) and ErrRevoked.
package session
