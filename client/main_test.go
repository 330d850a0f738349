package client

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a test leaves goroutines behind: a refresh that
// never finished, or a connection whose body nobody closed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
