package health

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/interceptor/login"
)

// Status values, as Actuator spells them.
const (
	Up   = "UP"
	Down = "DOWN"
)

// Defaults for Config and Check.
const (
	DefaultLivePath  = "/health/live"
	DefaultReadyPath = "/health/ready"
	DefaultTimeout   = time.Second
)

// Check is one readiness check, a HealthIndicator: a store or database the
// application cannot serve without.
type Check struct {
	// Name is the component's key in the readiness body.
	Name string
	// Timeout bounds one run; zero means DefaultTimeout. A check that
	// runs over is DOWN.
	Timeout time.Duration
	// Check returns nil when the component is usable. It must honour
	// ctx's deadline.
	Check func(ctx context.Context) error
}

// Config configures a Health. The zero value serves the default paths,
// hides details and runs the checks on every probe.
type Config struct {
	// LivePath and ReadyPath are where the groups are served.
	LivePath, ReadyPath string
	// ShowDetails adds each failing check's error to the body.
	ShowDetails bool
	// CacheFor reuses a readiness result for this long, so a flood of
	// probes cannot turn into a flood of database pings. Zero runs the
	// checks on every probe.
	CacheFor time.Duration
	// DrainDelay is how long the server keeps serving after readiness
	// turned DOWN at shutdown, so load balancers notice before the
	// listener closes (see Module and Drain). Zero means no wait.
	DrainDelay time.Duration
}

// Health serves the liveness and readiness groups. It is safe for
// concurrent use.
type Health struct {
	cfg      Config
	checks   []Check
	refusing atomic.Bool

	mu       sync.Mutex
	cachedAt time.Time
	cached   *Report
}

// New returns a Health running checks for readiness. It reports an error
// naming a check without a name, a function, or a unique name.
func New(cfg Config, checks ...Check) (*Health, error) {
	if cfg.LivePath == "" {
		cfg.LivePath = DefaultLivePath
	}
	if cfg.ReadyPath == "" {
		cfg.ReadyPath = DefaultReadyPath
	}
	seen := map[string]bool{"readinessState": true}
	for i, c := range checks {
		switch {
		case c.Name == "":
			return nil, fmt.Errorf("health: check %d has no name", i)
		case c.Check == nil:
			return nil, fmt.Errorf("health: check %q has no Check function", c.Name)
		case seen[c.Name]:
			return nil, fmt.Errorf("health: two checks are named %q", c.Name)
		case c.Timeout < 0:
			return nil, fmt.Errorf("health: check %q has a negative timeout", c.Name)
		}
		seen[c.Name] = true
	}
	return &Health{cfg: cfg, checks: checks}, nil
}

// RefuseTraffic turns readiness DOWN for good: Spring's
// ReadinessState.REFUSING_TRAFFIC. Shutdown calls it.
func (h *Health) RefuseTraffic() { h.refusing.Store(true) }

// Drain turns readiness DOWN and waits Config.DrainDelay (or until ctx
// ends), so load balancers stop sending traffic. Call it before
// http.Server.Shutdown, which closes the listener at once.
func (h *Health) Drain(ctx context.Context) error {
	h.RefuseTraffic()
	if h.cfg.DrainDelay <= 0 {
		return nil
	}
	t := time.NewTimer(h.cfg.DrainDelay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("health: drain: %w", ctx.Err())
	}
}

// Component is one entry of the components map.
type Component struct {
	Status  string            `json:"status"`
	Details map[string]string `json:"details,omitempty"`
}

// Report is a group's body: the aggregate status and, for readiness, each
// component's.
type Report struct {
	Status     string               `json:"status"`
	Components map[string]Component `json:"components,omitempty"`
}

// Live answers the liveness group: UP while the process serves.
func (h *Health) Live(w http.ResponseWriter, _ *http.Request) {
	write(w, &Report{Status: Up})
}

// Ready answers the readiness group: UP (200) when not shutting down and
// every check passes, DOWN (503) otherwise.
func (h *Health) Ready(w http.ResponseWriter, r *http.Request) {
	write(w, h.Readiness(r.Context()))
}

// Readiness runs the checks (or reuses a result younger than
// Config.CacheFor) and returns the readiness report.
func (h *Health) Readiness(ctx context.Context) *Report {
	if h.refusing.Load() {
		return &Report{Status: Down, Components: map[string]Component{"readinessState": {Status: Down}}}
	}
	if h.cfg.CacheFor > 0 {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.cached != nil && time.Since(h.cachedAt) < h.cfg.CacheFor {
			return h.cached
		}
	}
	b := h.run(ctx)
	if h.cfg.CacheFor > 0 {
		h.cached, h.cachedAt = b, time.Now()
	}
	return b
}

func (h *Health) run(ctx context.Context) *Report {
	results := make([]error, len(h.checks))
	var wg sync.WaitGroup
	for i, c := range h.checks {
		wg.Go(func() { results[i] = runCheck(ctx, c) })
	}
	wg.Wait()
	b := &Report{Status: Up, Components: make(map[string]Component, len(h.checks)+1)}
	b.Components["readinessState"] = Component{Status: Up}
	for i, c := range h.checks {
		comp := Component{Status: Up}
		if err := results[i]; err != nil {
			comp.Status, b.Status = Down, Down
			if h.cfg.ShowDetails {
				comp.Details = map[string]string{"error": err.Error()}
			}
		}
		b.Components[c.Name] = comp
	}
	return b
}

// runCheck runs one check under its timeout; a panic is a failure, not a
// crashed probe.
func runCheck(ctx context.Context, c Check) (err error) {
	timeout := c.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- fmt.Errorf("check panicked: %v", v)
			}
		}()
		done <- c.Check(ctx)
	}()
	// A check that ignores its context must not hold the probe: it is
	// abandoned (its goroutine finishes on its own) and counted DOWN.
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("check timed out after %v: %w", timeout, ctx.Err())
	}
}

func write(w http.ResponseWriter, b *Report) {
	status := http.StatusOK
	if b.Status != Up {
		status = http.StatusServiceUnavailable
	}
	out, err := json.Marshal(b)
	if err != nil {
		http.Error(w, `{"status":"DOWN"}`, http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(out, '\n')) //nolint:errcheck // the prober went away
}

// RegisterRoutes serves the two groups on d. They are marked
// login.Ignore: probes carry no token.
func (h *Health) RegisterRoutes(d *dispatcher.Dispatcher) error {
	if err := d.GET(h.cfg.LivePath, http.HandlerFunc(h.Live), dispatcher.WithName("health.live"), dispatcher.WithMeta(login.Ignore())); err != nil {
		return fmt.Errorf("health: %w", err)
	}
	if err := d.GET(h.cfg.ReadyPath, http.HandlerFunc(h.Ready), dispatcher.WithName("health.ready"), dispatcher.WithMeta(login.Ignore())); err != nil {
		return fmt.Errorf("health: %w", err)
	}
	return nil
}
