// Command e2eserver serves one of the end-to-end targets on a loopback
// address for run.sh to load with wrk: a hello route through Portico's
// dispatcher, raw httprouter or a bare net/http ServeMux, or the protected
// GET /book/{id} behind Portico's login interceptor (in-memory or Redis
// sessions, the latter with or without go-redis's client-side cache) or
// behind seed 001's check on gin.
//
// For the protected targets it writes a valid access token to -token-file.
// On SIGINT/SIGTERM it prints "requests=N roundtrips=M" so run.sh can
// report Redis round trips per request measured over the whole run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/auth/session"
	"github.com/portico-go/portico/bench/internal/fixture"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18080", "listen address (loopback only)")
	mode := flag.String("mode", "hello-portico", "hello-portico, hello-httprouter, hello-nethttp, book-portico-memory, book-portico-redis, book-portico-redis-cached or book-seed-redis")
	tokenFile := flag.String("token-file", "", "where to write the access token for the protected targets")
	flag.Parse()
	if err := run(*addr, *mode, *tokenFile); err != nil {
		log.Fatal(err)
	}
}

func run(addr, mode, tokenFile string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("refusing to listen on %s: the load generator targets loopback only", addr)
	}
	ctx := context.Background()
	trips := &fixture.RoundTrips{}
	h, tok, cleanup, err := target(ctx, mode, trips)
	if err != nil {
		return err
	}
	defer cleanup()
	if tok != "" {
		if tokenFile == "" {
			return errors.New("-token-file is required for the protected targets")
		}
		if err := os.WriteFile(tokenFile, []byte(tok), 0o600); err != nil {
			return err
		}
	}
	// Round trips from here on are the requests'; the login before was not.
	base := trips.Load()
	var requests atomic.Int64
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		h.ServeHTTP(w, r)
	})
	srv := &http.Server{Addr: addr, Handler: counted, ReadHeaderTimeout: 5 * time.Second}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-stop:
	case err := <-done:
		return err
	}
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	fmt.Printf("requests=%d roundtrips=%d\n", requests.Load(), trips.Load()-base)
	return nil
}

// target builds the handler for mode and, for protected ones, a token.
func target(ctx context.Context, mode string, trips *fixture.RoundTrips) (http.Handler, string, func(), error) {
	nothing := func() {}
	switch mode {
	case "hello-portico":
		d, err := fixture.HelloPortico()
		return d, "", nothing, err
	case "hello-httprouter":
		return fixture.HelloHTTPRouter(), "", nothing, nil
	case "hello-nethttp":
		return fixture.HelloNetHTTP(), "", nothing, nil
	case "book-portico-memory":
		m, err := fixture.NewManager(nil)
		if err != nil {
			return nil, "", nothing, err
		}
		return porticoBook(ctx, m, func() { m.Close() })
	case "book-portico-redis", "book-portico-redis-cached":
		c, err := redisClient(ctx, trips, mode == "book-portico-redis-cached")
		if err != nil {
			return nil, "", nothing, err
		}
		store, err := session.NewRedis(c, session.RedisConfig{Prefix: fixture.KeyPrefix()})
		if err != nil {
			return nil, "", nothing, err
		}
		m, err := fixture.NewManager(store)
		if err != nil {
			return nil, "", nothing, err
		}
		return porticoBook(ctx, m, func() { c.Close() })
	case "book-seed-redis":
		c, err := redisClient(ctx, trips, false)
		if err != nil {
			return nil, "", nothing, err
		}
		prefix := fixture.KeyPrefix()
		tok, err := fixture.SeedIssue(ctx, c, prefix)
		if err != nil {
			return nil, "", nothing, err
		}
		return fixture.SeedBookApp(c, prefix), tok, func() { c.Close() }, nil
	}
	return nil, "", nothing, fmt.Errorf("unknown mode %q", mode)
}

func porticoBook(ctx context.Context, m *auth.Manager, cleanup func()) (http.Handler, string, func(), error) {
	d, err := fixture.PorticoBookApp(m)
	if err != nil {
		return nil, "", cleanup, err
	}
	tok, err := fixture.Login(ctx, m)
	return d, tok, cleanup, err
}

func redisClient(ctx context.Context, trips *fixture.RoundTrips, cached bool) (*redis.Client, error) {
	if cached {
		return fixture.CachingRedis(ctx, os.Getenv(fixture.RedisAddrEnv), trips)
	}
	return fixture.Redis(ctx, os.Getenv(fixture.RedisAddrEnv), trips)
}
