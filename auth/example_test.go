package auth_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/netip"

	"github.com/redis/go-redis/v9"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/auth/token"
)

func ExampleManager() {
	m, err := auth.New(auth.Config{
		Issuer:    "portico",
		Audience:  "portico-api",
		Keys:      []token.Key{{ID: "k1", Secret: []byte("a 32+ byte secret from your vault!")}},
		ActiveKey: "k1",
		// Store: a session.Redis for more than one process.
	})
	if err != nil {
		panic(err)
	}
	defer m.Close()
	ctx := context.Background()

	pair, _ := m.Login(ctx, auth.Principal{ID: "42", Name: "alice"}, "192.0.2.1")
	id, _, err := m.Authenticate(ctx, pair.AccessToken, "192.0.2.1")
	fmt.Println(id.Name, err)

	pair, _ = m.Refresh(ctx, pair.RefreshToken, "192.0.2.1")
	_ = m.Logout(ctx, id.SessionID)
	_, _, err = m.Authenticate(ctx, pair.AccessToken, "192.0.2.1")
	fmt.Println(auth.ReasonOf(err), err.(*auth.Error).HTTPStatus())
	// Output:
	// alice <nil>
	// revoked 401
}

func ExampleClientIP() {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.2:443" // our load balancer
	r.Header.Set("X-Forwarded-For", "6.6.6.6, 198.51.100.7")
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	fmt.Println(auth.ClientIP(r, trusted))
	// Output: 198.51.100.7
}

func ExampleLimiter() {
	var l auth.LoginLimiter = auth.NewLimiter(auth.LimiterConfig{MaxFailures: 2})
	ctx := context.Background()
	for range 3 {
		if err := l.Allow(ctx, "alice", "192.0.2.1"); err != nil {
			fmt.Println(auth.ReasonOf(err))
			break
		}
		// ... password check failed:
		if err := l.Failure(ctx, "alice", "192.0.2.1"); err != nil {
			fmt.Println(err) // the store is down: answer 503
			return
		}
	}
	// Output: too_many_requests
}

// Failed logins counted in Redis, so that every instance enforces the same
// limits. Create the client with ContextTimeoutEnabled so that a hung Redis
// fails the login (503) instead of holding it.
func ExampleNewRedisLimiter() {
	client := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:6379"}, ContextTimeoutEnabled: true})
	defer client.Close()
	l, err := auth.NewRedisLimiter(client, auth.LimiterConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	var _ auth.LoginLimiter = l // call Allow, then Failure or Success, around the password check
}
