// Package clocktest provides a settable clock for tests of code that takes
// a `Now func() time.Time`, so expiry can be tested without sleeping.
package clocktest

import (
	"sync"
	"time"
)

// Clock is a settable, concurrency-safe clock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a clock set to a fixed instant, so tests are reproducible.
func New() *Clock { return &Clock{now: time.Unix(1_700_000_000, 0)} }

// Now returns the clock's time; pass c.Now where a clock is configured.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
