package health_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"go.uber.org/fx"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/health"
)

// Readiness turns DOWN as soon as fx stop begins, while the listener still
// accepts and answers: the window a load balancer needs to stop routing.
func TestReadyDownBeforeListenerCloses(t *testing.T) {
	var srv *portico.Server
	app := fx.New(
		fx.NopLogger,
		portico.Module,
		health.Module,
		fx.Supply(&portico.Config{Addr: "127.0.0.1:0"}),
		fx.Supply(&health.Config{DrainDelay: 2 * time.Second}),
		fx.Provide(health.AsCheck(func() health.Check {
			return health.Check{Name: "db", Check: func(context.Context) error { return nil }}
		})),
		fx.Populate(&srv),
	)
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	base := "http://" + srv.Addr()
	get := func(path string) int {
		resp, err := http.Get(base + path)
		if err != nil {
			return -1
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := get("/health/ready"); c != 200 {
		t.Fatalf("ready before stop: %d", c)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- app.Stop(context.Background()) }()

	deadline := time.Now().Add(5 * time.Second)
	for {
		c := get("/health/ready")
		if c == http.StatusServiceUnavailable {
			break
		}
		if c != 200 || time.Now().After(deadline) {
			t.Fatalf("ready during stop: %d; want 503 from a still-open listener", c)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if c := get("/health/live"); c != 200 {
		t.Fatalf("live while draining: %d", c)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if c := get("/health/ready"); c != -1 {
		t.Fatalf("listener still open after stop: %d", c)
	}
}
