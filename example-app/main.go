// Command example-app is Portico's example application: a small book
// manager behind a login, and the framework's end-to-end proof.
//
//	go run ./example-app                 # http://127.0.0.1:8080, admin/admin123 or reader/reader123
//	go run ./example-app -routes         # print the route table and exit
//
// See docs/example-app.md for the configuration and the HTTP contract.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"github.com/portico-go/portico/auth/session"
	"github.com/portico-go/portico/dispatcher"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "example-app:", err)
		os.Exit(1)
	}
}

// run parses the configuration, then serves until ctx is cancelled (main
// cancels it on SIGINT or SIGTERM) and shuts down gracefully: in-flight
// requests finish, the database and the session store are closed. With
// -routes it prints the route table to stdout instead.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	cfg.traceOut = stdout
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if cfg.PrintRoutes {
		return printRoutes(cfg, stdout)
	}
	app := fx.New(newApp(cfg, log), fx.WithLogger(func() fxevent.Logger {
		l := &fxevent.SlogLogger{Logger: log}
		l.UseLogLevel(slog.LevelDebug) // fx's wiring chatter only when debugging
		return l
	}))
	if err := app.Err(); err != nil {
		return err
	}
	// A signal during start-up lets start finish and then stops cleanly:
	// cancelling start half-way would leave the hooks that already ran
	// (the listener, the database) to a failed start's rollback and
	// report an error for what is an ordinary shutdown.
	startCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), app.StartTimeout())
	defer cancel()
	if err := app.Start(startCtx); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case sig := <-app.Wait(): // fx.Shutdowner
		log.Info("shutdown requested", "signal", sig.Signal)
	}
	log.Info("shutting down")
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), app.StopTimeout())
	defer cancel()
	return app.Stop(stopCtx)
}

// printRoutes builds the application without starting it (no listener, no
// database file, no Redis connection) and prints every route with its
// interceptor chain.
func printRoutes(cfg Config, w io.Writer) error {
	cfg.RedisAddr = ""      // the route table does not depend on the store
	cfg.TraceStdout = false // the app never starts, so nothing would stop the span batcher
	var (
		d     *dispatcher.Dispatcher
		store session.Store
	)
	quiet := slog.New(slog.DiscardHandler)
	app := fx.New(newApp(cfg, quiet), fx.NopLogger, fx.Populate(&d, &store))
	if err := app.Err(); err != nil {
		return err
	}
	// The app never starts, so its stop hooks never run: stop the memory
	// store's sweeper here.
	if c, ok := store.(io.Closer); ok {
		defer c.Close()
	}
	routes, err := d.Routes()
	if err != nil {
		return err
	}
	return dispatcher.PrintRoutes(w, routes)
}
