// Command miniredisd serves an in-process miniredis on a free loopback port
// for internal/redistest, its last resort when neither REDIS_ADDR nor a
// redis-server binary is available. It lives in its own module so that the
// framework's go.mod never requires miniredis.
//
// It prints "ADDR host:port" on standard output once it accepts
// connections, and exits when its standard input reaches end of file, so it
// never outlives the test process that started it.
package main

import (
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/alicebob/miniredis/v2"
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		log.Fatalf("miniredisd: %v", err)
	}
}

func run(stdin io.Reader, stdout io.Writer) error {
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	defer m.Close()
	stop := make(chan struct{})
	go tick(m, stop)
	defer close(stop)
	if _, err := fmt.Fprintf(stdout, "ADDR %s\n", m.Addr()); err != nil {
		return fmt.Errorf("announce address: %w", err)
	}
	// Block until the parent closes our stdin (or dies).
	_, err := io.Copy(io.Discard, stdin)
	return err
}

// tick makes miniredis expire keys in real time: on its own it only counts
// TTLs down when told to with FastForward.
func tick(m *miniredis.Miniredis, stop <-chan struct{}) {
	const step = 10 * time.Millisecond
	tk := time.NewTicker(step)
	defer tk.Stop()
	last := time.Now()
	for {
		select {
		case <-stop:
			return
		case now := <-tk.C:
			m.FastForward(now.Sub(last))
			last = now
		}
	}
}
