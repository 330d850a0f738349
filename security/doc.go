// Package security is Portico's security and fault suite. It has no API:
// its tests attack a guarded application assembled from the framework's
// own pieces (and, when it builds, the example application) the way an
// attacker or a failing dependency would, and check that the framework
// fails closed.
//
// The suite sends hostile request lines over real TCP connections (so no
// client normalizes them), hostile and truncated tokens, stops and slows
// Redis under load, panics at every step of the interceptor chain, cuts
// clients off mid-request, shuts the server down under load and runs
// 10,000 concurrent requests across login, refresh, reads, writes and
// logout. FuzzDispatchPath feeds random paths through the whole
// dispatcher. docs/security.md lists every attack class with the test that
// tries it and its result.
//
// It runs with plain "go test ./..." and needs nothing installed: tests
// that need a real redis-server skip without one, and the attacks on the
// example application skip while it does not build or does not yet answer
// its login contract.
package security
