package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// AddrEnv names the environment variable holding the address (or a
// comma-separated list, for a cluster) of an existing Redis to use.
const AddrEnv = "REDIS_ADDR"

// startTimeout bounds how long a starting redis-server may take to answer.
const startTimeout = 10 * time.Second

// Client returns a client for the test's Redis, closed at cleanup. Tests
// sharing a server through REDIS_ADDR must keep their keys apart; Prefix
// gives each test its own key prefix.
func Client(t testing.TB) redis.UniversalClient {
	t.Helper()
	return Connect(t, Addrs(t))
}

// Addrs returns the address list of a Redis for this test: REDIS_ADDR split
// at commas if set, else a redis-server started for the test, else an
// in-process miniredis. Connect several clients to it to simulate several
// processes sharing one Redis.
func Addrs(t testing.TB) []string {
	t.Helper()
	if addr := os.Getenv(AddrEnv); addr != "" {
		return strings.Split(addr, ",")
	}
	if _, err := exec.LookPath("redis-server"); err == nil {
		return []string{Server(t).Addr()}
	}
	t.Logf("redistest: no redis-server on PATH and %s unset; using miniredis, which only approximates Redis", AddrEnv)
	return []string{Miniredis(t)}
}

// Connect returns a new client for addrs, closed at cleanup. Like any
// client used for sessions, it honours context deadlines
// (ContextTimeoutEnabled), so per-call store timeouts work.
func Connect(t testing.TB, addrs []string) redis.UniversalClient {
	t.Helper()
	c := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: addrs, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Prefix returns a key prefix unique to this test run.
func Prefix(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("redistest: random: %v", err)
	}
	return "test:" + hex.EncodeToString(b) + ":"
}

// Instance is a redis-server process owned by one test.
type Instance struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	args []string // extra redis-server arguments, e.g. cluster mode

	mu  sync.Mutex
	cmd *exec.Cmd
}

// Server starts a private redis-server on a free port, without persistence,
// and stops it at cleanup. It skips the test when no redis-server binary is
// installed.
func Server(t testing.TB) *Instance {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skipf("redistest: redis-server not installed (%v); this test needs a real server it can stop and start", err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	return start(t, bin, port, nil)
}

// start starts an Instance with extra redis-server arguments and stops it
// at cleanup.
func start(t testing.TB, bin string, port int, args []string) *Instance {
	t.Helper()
	s := &Instance{t: t, bin: bin, dir: t.TempDir(), port: port, args: args}
	t.Cleanup(s.Stop)
	s.Start()
	return s
}

// Addr is the server's host:port; it stays the same across restarts.
func (s *Instance) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// Client returns a new client for the server, closed at cleanup.
func (s *Instance) Client(t testing.TB) redis.UniversalClient {
	t.Helper()
	return Connect(t, []string{s.Addr()})
}

// Start starts the server if it is not running and waits until it answers.
// Data does not survive a Stop: there is no persistence.
func (s *Instance) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return
	}
	log, err := os.OpenFile(filepath.Join(s.dir, "redis.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		s.t.Fatalf("redistest: %v", err)
	}
	defer log.Close()
	args := append([]string{
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir,
	}, s.args...)
	cmd := exec.Command(s.bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("redistest: start redis-server: %v", err)
	}
	s.cmd = cmd
	if err := s.waitReady(); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		s.cmd = nil
		out, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
		s.t.Fatalf("redistest: redis-server on %s: %v\n%s", s.Addr(), err, out)
	}
}

// Stop kills the server and waits for it to exit, so the port refuses
// connections when Stop returns.
func (s *Instance) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

func (s *Instance) waitReady() error {
	c := redis.NewClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %v: %w", startTimeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freePort asks the kernel for an unused port. Another process could take
// it before redis-server binds it; that shows up as a start failure.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("free port: not a TCP address")
	}
	return addr.Port, nil
}

// CachingClient returns a standalone RESP3 client for addr with go-redis's
// server-assisted client-side caching configured by cfg, closed at cleanup.
// It needs a real redis-server: miniredis has no CLIENT TRACKING, and
// go-redis then serves nothing from the cache.
func CachingClient(t testing.TB, addr string, cfg *redis.ClientSideCacheConfig) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 3, ContextTimeoutEnabled: true, ClientSideCacheConfig: cfg})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// CommandCalls returns how many commands the server behind c has executed
// since its start (or CONFIG RESETSTAT), from INFO commandstats. With names
// (lower case, such as "evalsha") only those count; without, every command
// counts, including those run inside Lua scripts, except INFO itself so
// that measuring costs nothing. Take the difference of two calls.
func CommandCalls(t testing.TB, c redis.UniversalClient, names ...string) int64 {
	t.Helper()
	stats, err := c.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatalf("redistest: INFO commandstats: %v", err)
	}
	var n int64
	for _, line := range strings.Split(stats, "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		cmd, isStat := strings.CutPrefix(name, "cmdstat_")
		if !ok || !isStat || cmd == "info" || len(names) > 0 && !slices.Contains(names, cmd) {
			continue
		}
		calls, _, _ := strings.Cut(strings.TrimPrefix(rest, "calls="), ",")
		v, err := strconv.ParseInt(calls, 10, 64)
		if err != nil {
			t.Fatalf("redistest: commandstats line %q: %v", line, err)
		}
		n += v
	}
	return n
}
