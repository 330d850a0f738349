package health_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/health"
	"github.com/portico-go/portico/internal/redistest"
)

func ok(context.Context) error { return nil }

func probe(t *testing.T, h http.Handler, path string) (int, health.Report, string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	var rep health.Report
	if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil {
		t.Fatalf("%s: %v: %s", path, err, w.Body)
	}
	return w.Code, rep, w.Body.String()
}

func serve(t *testing.T, h *health.Health) http.Handler {
	t.Helper()
	d := dispatcher.New()
	if err := h.RegisterRoutes(d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestReadiness(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     health.Config
		checks  []health.Check
		status  int
		want    map[string]string
		details string
	}{
		{name: "no checks", status: 200, want: map[string]string{"readinessState": "UP"}},
		{name: "all up", checks: []health.Check{{Name: "db", Check: ok}, {Name: "redis", Check: ok}},
			status: 200, want: map[string]string{"db": "UP", "redis": "UP"}},
		{name: "one down", checks: []health.Check{{Name: "db", Check: ok}, {Name: "redis", Check: func(context.Context) error {
			return errors.New("dial tcp 10.0.0.3:6379: connection refused")
		}}}, status: 503, want: map[string]string{"db": "UP", "redis": "DOWN"}},
		{name: "details shown on request", cfg: health.Config{ShowDetails: true},
			checks: []health.Check{{Name: "redis", Check: func(context.Context) error { return errors.New("refused") }}},
			status: 503, want: map[string]string{"redis": "DOWN"}, details: "refused"},
		{name: "timeout honoured", checks: []health.Check{{Name: "slow", Timeout: 20 * time.Millisecond, Check: func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		}}}, status: 503, want: map[string]string{"slow": "DOWN"}},
		{name: "context ignored", checks: []health.Check{{Name: "stuck", Timeout: 20 * time.Millisecond, Check: func(context.Context) error {
			time.Sleep(time.Hour)
			return nil
		}}}, status: 503, want: map[string]string{"stuck": "DOWN"}},
		{name: "panic", checks: []health.Check{{Name: "buggy", Check: func(context.Context) error { panic("nil map") }}},
			status: 503, want: map[string]string{"buggy": "DOWN"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := health.New(tc.cfg, tc.checks...)
			if err != nil {
				t.Fatal(err)
			}
			code, rep, raw := probe(t, serve(t, h), "/health/ready")
			if code != tc.status || (code == 200) != (rep.Status == health.Up) {
				t.Fatalf("status %d %s, want %d: %s", code, rep.Status, tc.status, raw)
			}
			for name, st := range tc.want {
				if rep.Components[name].Status != st {
					t.Errorf("component %s = %q, want %q: %s", name, rep.Components[name].Status, st, raw)
				}
			}
			if tc.details == "" && strings.Contains(raw, "details") || !strings.Contains(raw, tc.details) {
				t.Errorf("details: %s", raw)
			}
			if strings.Contains(raw, "10.0.0.3") {
				t.Errorf("error detail leaked without ShowDetails: %s", raw)
			}
		})
	}
}

// The checks run at once: each waits for all the others to have started,
// which a sequential run would never see.
func TestChecksRunConcurrently(t *testing.T) {
	const n = 4
	var started atomic.Int32
	all := make(chan struct{})
	var checks []health.Check
	for i := range n {
		checks = append(checks, health.Check{Name: string(rune('a' + i)), Timeout: 5 * time.Second, Check: func(ctx context.Context) error {
			if started.Add(1) == n {
				close(all)
			}
			select {
			case <-all:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}})
	}
	h, err := health.New(health.Config{}, checks...)
	if err != nil {
		t.Fatal(err)
	}
	if rep := h.Readiness(context.Background()); rep.Status != health.Up {
		t.Fatalf("%+v", rep)
	}
}

func TestCache(t *testing.T) {
	var calls atomic.Int32
	c := health.Check{Name: "db", Check: func(context.Context) error { calls.Add(1); return nil }}
	for _, tc := range []struct {
		cacheFor time.Duration
		want     int32
	}{{0, 5}, {time.Hour, 1}} {
		calls.Store(0)
		h, _ := health.New(health.Config{CacheFor: tc.cacheFor}, c)
		for range 5 {
			h.Readiness(context.Background())
		}
		if calls.Load() != tc.want {
			t.Errorf("CacheFor %v: %d runs, want %d", tc.cacheFor, calls.Load(), tc.want)
		}
	}
}

func TestLivenessAndRefuse(t *testing.T) {
	h, err := health.New(health.Config{}, health.Check{Name: "db", Check: ok})
	if err != nil {
		t.Fatal(err)
	}
	s := serve(t, h)
	if code, rep, _ := probe(t, s, "/health/live"); code != 200 || rep.Status != health.Up {
		t.Fatalf("live: %d %+v", code, rep)
	}
	h.RefuseTraffic()
	if code, rep, raw := probe(t, s, "/health/ready"); code != 503 || rep.Components["readinessState"].Status != health.Down {
		t.Fatalf("ready after RefuseTraffic: %d %s", code, raw)
	}
	if code, _, _ := probe(t, s, "/health/live"); code != 200 {
		t.Fatalf("live after RefuseTraffic: %d; a draining process is still alive", code)
	}
}

func TestNewRejectsBadChecks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		checks []health.Check
		want   string
	}{
		{"no name", []health.Check{{Check: ok}}, "no name"},
		{"no func", []health.Check{{Name: "db"}}, `"db" has no Check`},
		{"duplicate", []health.Check{{Name: "db", Check: ok}, {Name: "db", Check: ok}}, `two checks are named "db"`},
		{"reserved", []health.Check{{Name: "readinessState", Check: ok}}, "two checks"},
		{"negative timeout", []health.Check{{Name: "db", Check: ok, Timeout: -1}}, "negative timeout"},
	} {
		if _, err := health.New(health.Config{}, tc.checks...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want it to mention %q", tc.name, err, tc.want)
		}
	}
}

// pingDB is a database/sql connector whose connections answer Ping with
// the error it holds: the DB check needs nothing more of a database.
type pingDB struct{ err atomic.Pointer[error] }

func (p *pingDB) Connect(context.Context) (driver.Conn, error) { return pingConn{p}, nil }
func (p *pingDB) Driver() driver.Driver                        { return nil }

type pingConn struct{ db *pingDB }

func (c pingConn) Ping(context.Context) error {
	if err := c.db.err.Load(); err != nil {
		return *err
	}
	return nil
}
func (pingConn) Prepare(string) (driver.Stmt, error) { return nil, errors.New("not supported") }
func (pingConn) Close() error                        { return nil }
func (pingConn) Begin() (driver.Tx, error)           { return nil, errors.New("not supported") }

func TestDBCheck(t *testing.T) {
	conn := &pingDB{}
	db := sql.OpenDB(conn)
	c := health.DB(db)
	if err := c.Check(context.Background()); err != nil {
		t.Fatalf("reachable db reported down: %v", err)
	}
	down := driver.ErrBadConn
	conn.err.Store(&down)
	if err := c.Check(context.Background()); err == nil {
		t.Fatal("unreachable db reported up")
	}
	conn.err.Store(nil)
	db.Close()
	if err := c.Check(context.Background()); err == nil {
		t.Fatal("closed db reported up")
	}
}

func TestRedisCheck(t *testing.T) {
	srv := redistest.Server(t)
	c := health.Redis(srv.Client(t))
	c.Timeout = 500 * time.Millisecond
	h, err := health.New(health.Config{}, c)
	if err != nil {
		t.Fatal(err)
	}
	if rep := h.Readiness(context.Background()); rep.Status != health.Up {
		t.Fatalf("redis running: %+v", rep)
	}
	srv.Stop()
	if rep := h.Readiness(context.Background()); rep.Status != health.Down || rep.Components["redis"].Status != health.Down {
		t.Fatalf("redis stopped: %+v", rep)
	}
	srv.Start()
	if rep := h.Readiness(context.Background()); rep.Status != health.Up {
		t.Fatalf("redis restarted: %+v", rep)
	}
}
