package security

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portico-go/portico/auth/session"
	"github.com/portico-go/portico/internal/redistest"
)

// TestLoad runs 10,000 requests from 100 concurrent clients through the
// in-process app (so -race sees the framework): each client logs in,
// reads and writes books, reads its profile, is refused an admin-only
// delete, refreshes its tokens, logs out and finds its token revoked.
// Every status must be the expected one.
func TestLoad(t *testing.T) {
	const clients, perClient = 100, 100
	a := newApp(t, appConfig{anyUser: true}).serve()
	hc := a.client(clients)
	var sent, unexpected atomic.Int64
	var firstErr sync.Once
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			expect := func(what string, r reply, err error, status int, reason string) {
				sent.Add(1)
				if err != nil || r.status != status || r.reason() != reason {
					unexpected.Add(1)
					firstErr.Do(func() {
						t.Errorf("client %d, %s: %d %s %v, want %d %s", i, what, r.status, trim(r.body), err, status, reason)
					})
				}
			}
			r, err := tryCall(hc, http.MethodPost, a.srv.URL+"/user/login", "", loginIn{fmt.Sprintf("u%d", i), "pw"})
			expect("login", r, err, 200, "")
			if err != nil || r.status != 200 {
				return
			}
			tok := r.tokens(t)
			for n := 1; n < perClient-2; n++ {
				switch {
				case n%20 == 0:
					r, err := tryCall(hc, http.MethodPost, a.srv.URL+"/user/refresh", "", refreshIn{tok.RefreshToken})
					expect("refresh", r, err, 200, "")
					if err == nil && r.status == 200 {
						tok = r.tokens(t)
					}
				case n%20 == 7:
					r, err := tryCall(hc, http.MethodDelete, a.srv.URL+"/book/1", tok.AccessToken, nil)
					expect("admin-only delete", r, err, 403, "forbidden")
				case n%4 == 0:
					r, err := tryCall(hc, http.MethodPost, a.srv.URL+"/book", tok.AccessToken, newBookIn{"t"})
					expect("write", r, err, 200, "")
				case n%4 == 1:
					r, err := tryCall(hc, http.MethodGet, a.srv.URL+"/api/user/info", tok.AccessToken, nil)
					expect("profile", r, err, 200, "")
				case n%4 == 2:
					r, err := tryCall(hc, http.MethodGet, fmt.Sprintf("%s/book/%d", a.srv.URL, n), tok.AccessToken, nil)
					expect("read one", r, err, 200, "")
				default:
					r, err := tryCall(hc, http.MethodGet, a.srv.URL+"/book/list", tok.AccessToken, nil)
					expect("read list", r, err, 200, "")
				}
			}
			r, err = tryCall(hc, http.MethodPost, a.srv.URL+"/user/logout", tok.AccessToken, nil)
			expect("logout", r, err, 200, "")
			r, err = tryCall(hc, http.MethodGet, a.srv.URL+"/book/list", tok.AccessToken, nil)
			expect("read after logout", r, err, 401, "revoked")
		}()
	}
	wg.Wait()
	t.Logf("%d requests from %d clients in %v, %d unexpected", sent.Load(), clients, time.Since(start), unexpected.Load())
	if sent.Load() != clients*perClient {
		t.Errorf("sent %d requests, want %d", sent.Load(), clients*perClient)
	}
	if unexpected.Load() != 0 {
		t.Errorf("%d unexpected statuses", unexpected.Load())
	}
	a.checkNoBypass(t)
}

// TestRefreshRace sends one refresh token from 50 clients at once:
// exactly one gets new tokens. The others present the token rotated away a
// moment ago, within the reuse grace: that is one client racing itself (two
// tabs), not theft, so they get 409 refresh_in_progress and the session
// lives on with the winner's tokens. (Before the grace existed, the losers
// revoked the session: two tabs refreshing at once logged the user out.)
func TestRefreshRace(t *testing.T) {
	for _, store := range []string{"memory", "redis"} {
		t.Run(store, func(t *testing.T) {
			cfg := appConfig{}
			if store == "redis" {
				s, err := session.NewRedis(redistest.Client(t), session.RedisConfig{Prefix: redistest.Prefix(t)})
				must(t, err)
				cfg.store, cfg.storeTimeout = s, 2*time.Second
			}
			a := newApp(t, cfg).serve()
			const racers = 50
			hc := a.client(racers)
			tok := a.login(t, hc, "reader", "reader123")
			// Warm one connection per racer so they start together.
			var wg sync.WaitGroup
			for i := 0; i < racers; i++ {
				wg.Add(1)
				go func() { defer wg.Done(); tryCall(hc, http.MethodGet, a.srv.URL+"/", "", nil) }()
			}
			wg.Wait()

			gate := make(chan struct{})
			replies := make(chan reply, racers)
			for i := 0; i < racers; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-gate
					r, err := tryCall(hc, http.MethodPost, a.srv.URL+"/user/refresh", "", refreshIn{tok.RefreshToken})
					if err != nil {
						t.Error(err)
						return
					}
					replies <- r
				}()
			}
			close(gate)
			wg.Wait()
			close(replies)
			var winners []tokensOut
			losers := 0
			for r := range replies {
				switch {
				case r.status == 200:
					winners = append(winners, r.tokens(t))
				case r.status == 409 && r.reason() == "refresh_in_progress":
					losers++
				default:
					t.Errorf("racer got %d %s", r.status, r.body)
				}
			}
			if len(winners) != 1 || losers != racers-1 {
				t.Fatalf("%d winners and %d refresh_in_progress losers, want 1 and %d", len(winners), losers, racers-1)
			}
			for _, tk := range []string{winners[0].AccessToken, tok.AccessToken} {
				if r := call(t, hc, http.MethodGet, a.srv.URL+"/book/list", tk, nil); r.status != 200 {
					t.Errorf("token of the raced session: %d %s, want 200", r.status, r.body)
				}
			}
			if r := call(t, hc, http.MethodPost, a.srv.URL+"/user/refresh", "", refreshIn{winners[0].RefreshToken}); r.status != 200 {
				t.Errorf("winner's refresh token: %d %s, want 200", r.status, r.body)
			}
		})
	}
}
