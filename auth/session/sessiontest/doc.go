// Package sessiontest is the conformance suite every session.Store must
// pass. A store implementation's tests call Run with a constructor; the
// suite then checks expiry, sliding, revocation reasons, per-user limits and
// refresh rotation, including a race of concurrent refreshes.
//
// The suite runs on the store's real clock. Expiry tests use lifetimes of
// one to two seconds and run in parallel, so a full run takes about four
// seconds. Their margins are wide (hundreds of milliseconds) so that a busy
// machine does not make them flaky.
package sessiontest
