package security

import (
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portico-go/portico/auth/session"
	"github.com/portico-go/portico/internal/redistest"
)

// storeTimeout is the StoreTimeout of the fault tests: short, so slow
// Redis answers fail fast and the tests stay quick.
const storeTimeout = 150 * time.Millisecond

// recoveryDeadline bounds how long the app may take to serve again once
// Redis is back. The requirement is about a second; the deadline is
// generous so a loaded CI machine does not fail it, and the measured time
// is logged.
const recoveryDeadline = 5 * time.Second

// redisApp serves the guarded app on a Redis store at addr.
func redisApp(t *testing.T, addr string) *app {
	t.Helper()
	store, err := session.NewRedis(redistest.Connect(t, []string{addr}), session.RedisConfig{Prefix: redistest.Prefix(t)})
	must(t, err)
	return newApp(t, appConfig{store: store, storeTimeout: storeTimeout, anyUser: true}).serve()
}

// tally counts statuses and reasons, safe for concurrent use.
type tally struct {
	mu     sync.Mutex
	counts map[string]int
	durs   []time.Duration
}

func (t *tally) add(r reply, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.counts == nil {
		t.counts = map[string]int{}
	}
	key := "transport error"
	if err == nil {
		key = http.StatusText(r.status)
		if reason := r.reason(); reason != "" {
			key += " " + reason
		}
		t.durs = append(t.durs, r.dur)
	}
	t.counts[key]++
}

func (t *tally) only(keys ...string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k := range t.counts {
		if !slices.Contains(keys, k) {
			return false
		}
	}
	return true
}

func (t *tally) maxDur() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Max(append(t.durs, 0))
}

const (
	ok200Key       = "OK"
	unavailableKey = "Service Unavailable store_unavailable"
)

// untilOK polls fn until it answers 200 or the deadline passes, and
// returns how long that took.
func untilOK(t *testing.T, deadline time.Duration, fn func() (reply, error)) time.Duration {
	t.Helper()
	start := time.Now()
	var last reply
	var lastErr error
	for time.Since(start) < deadline {
		last, lastErr = fn()
		if lastErr == nil && last.status == 200 {
			return time.Since(start)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("not serving %v after Redis came back: %d %s %v", deadline, last.status, trim(last.body), lastErr)
	return 0
}

// TestRedisStoppedUnderLoad stops a real redis-server while clients read
// protected routes: every request that starts after the stop answers 503
// store_unavailable (none 200, none 500), logins too, and once Redis is
// back the app serves again by itself.
func TestRedisStoppedUnderLoad(t *testing.T) {
	srv := redistest.Server(t)
	a := redisApp(t, srv.Addr())
	hc := a.client(32)
	const workers = 16
	toks := make([]tokensOut, workers)
	for i := range toks {
		toks[i] = a.login(t, hc, "user"+string(rune('a'+i)), "pw")
	}

	var stopped atomic.Bool
	var during, after tally
	var wg sync.WaitGroup
	done := make(chan struct{})
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				// Decide before sending: a request already past its
				// session check when Redis dies may still get a 200.
				afterStop := stopped.Load()
				r, err := tryCall(hc, http.MethodGet, a.srv.URL+"/book/list", toks[i].AccessToken, nil)
				if afterStop {
					after.add(r, err)
				} else {
					during.add(r, err)
				}
			}
		}()
	}
	time.Sleep(100 * time.Millisecond) // some load before the stop
	srv.Stop()
	stopped.Store(true)
	time.Sleep(500 * time.Millisecond) // load against the dead store
	login, err := tryCall(hc, http.MethodPost, a.srv.URL+"/user/login", "", loginIn{"late", "pw"})
	close(done)
	wg.Wait()

	t.Logf("while stopping: %v; after the stop: %v (slowest %v)", during.counts, after.counts, after.maxDur())
	if !during.only(ok200Key, unavailableKey) {
		t.Errorf("while stopping Redis: %v, want only 200 and 503 store_unavailable", during.counts)
	}
	if !after.only(unavailableKey) || after.counts[unavailableKey] == 0 {
		t.Errorf("with Redis stopped: %v, want only 503 store_unavailable", after.counts)
	}
	if err != nil || login.status != 503 || login.reason() != "store_unavailable" {
		t.Errorf("login with Redis stopped: %d %s %v, want 503 store_unavailable", login.status, login.body, err)
	}
	a.checkNoBypass(t)

	// redis-server keeps no data across the restart here, so sessions are
	// gone: recovery means a fresh login and a protected read both work.
	srv.Start()
	took := untilOK(t, recoveryDeadline, func() (reply, error) {
		r, err := tryCall(hc, http.MethodPost, a.srv.URL+"/user/login", "", loginIn{"back", "pw"})
		if err != nil || r.status != 200 {
			return r, err
		}
		return tryCall(hc, http.MethodGet, a.srv.URL+"/book/list", r.tokens(t).AccessToken, nil)
	})
	t.Logf("serving again %v after Redis restarted", took)
	if r := call(t, hc, http.MethodGet, a.srv.URL+"/book/list", toks[0].AccessToken, nil); r.status != 401 || r.reason() != "expired" {
		t.Errorf("a session lost with Redis's data: %d %s, want 401 expired", r.status, r.body)
	}
}

// slowProxy forwards TCP to a Redis and delays every chunk of the
// server's answers by a settable amount.
type slowProxy struct {
	ln       net.Listener
	upstream string
	delay    atomic.Int64 // nanoseconds
	done     chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    []net.Conn
}

func newSlowProxy(t *testing.T, upstream string) *slowProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	p := &slowProxy{ln: ln, upstream: upstream, done: make(chan struct{})}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *slowProxy) addr() string { return p.ln.Addr().String() }

func (p *slowProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		u, err := net.Dial("tcp", p.upstream)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, u)
		p.mu.Unlock()
		p.wg.Add(2)
		go func() { defer p.wg.Done(); io.Copy(u, c); u.Close(); c.Close() }()
		go func() { defer p.wg.Done(); p.slowCopy(c, u); u.Close(); c.Close() }()
	}
}

func (p *slowProxy) slowCopy(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if d := time.Duration(p.delay.Load()); d > 0 {
				select {
				case <-time.After(d):
				case <-p.done:
					return
				}
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *slowProxy) close() {
	close(p.done)
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// TestRedisSlow makes Redis answer 2 s late while 50 clients read: every
// request fails at StoreTimeout with 503 store_unavailable instead of
// waiting for Redis, none is 200 or 500, and the app recovers by itself
// when Redis is fast again.
func TestRedisSlow(t *testing.T) {
	srv := redistest.Server(t)
	proxy := newSlowProxy(t, srv.Addr())
	a := redisApp(t, proxy.addr())
	hc := a.client(64)
	tok := a.login(t, hc, "slowpoke", "pw")

	const redisDelay = 2 * time.Second
	proxy.delay.Store(int64(redisDelay))
	var got tally
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got.add(tryCall(hc, http.MethodGet, a.srv.URL+"/book/list", tok.AccessToken, nil))
		}()
	}
	wg.Wait()
	t.Logf("Redis %v late, StoreTimeout %v: %v, slowest answer %v", redisDelay, storeTimeout, got.counts, got.maxDur())
	if !got.only(unavailableKey) {
		t.Errorf("slow Redis: %v, want only 503 store_unavailable", got.counts)
	}
	// Generous: an answer that waited for Redis would take the full delay.
	if m := got.maxDur(); m >= redisDelay {
		t.Errorf("slowest answer took %v: requests waited for Redis instead of failing at StoreTimeout", m)
	}
	a.checkNoBypass(t)

	proxy.delay.Store(0)
	took := untilOK(t, recoveryDeadline, func() (reply, error) {
		return tryCall(hc, http.MethodGet, a.srv.URL+"/book/list", tok.AccessToken, nil)
	})
	t.Logf("serving again %v after Redis was fast again", took)
}
