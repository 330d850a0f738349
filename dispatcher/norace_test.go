//go:build !race

package dispatcher_test

// race is set when the race detector is on. It makes sync.Pool drop
// objects at random, so allocation counts mean nothing then.
const race = false
