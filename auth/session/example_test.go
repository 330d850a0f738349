package session_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/portico-go/portico/auth/session"
)

func ExampleMemory() {
	s := session.NewMemory(session.MemoryConfig{})
	defer s.Close()
	ctx := context.Background()
	now := time.Now()

	rec, _ := s.Create(ctx, session.Record{
		UserID:      "42",
		Deadline:    now.Add(7 * 24 * time.Hour),
		RefreshHash: strings.Repeat("0", 64),
	}, now.Add(30*time.Minute), 0)

	// Each request: check the session and slide its idle timeout at once.
	_, err := s.Touch(ctx, rec.ID, time.Now().Add(30*time.Minute))
	fmt.Println(err)

	_, _ = s.RevokeUser(ctx, "42", session.ReasonKickedOut)
	_, err = s.Touch(ctx, rec.ID, time.Now().Add(30*time.Minute))
	var re *session.RevokedError
	fmt.Println(errors.As(err, &re), re.Reason)
	// Output:
	// <nil>
	// true kicked_out
}

// A Redis store whose hot sessions are answered from go-redis's client-side
// cache: RESP3, a client of its own, and CacheConfig's bounds.
func ExampleCacheConfig() {
	client := redis.NewClient(&redis.Options{
		Addr:                  "127.0.0.1:6379",
		Protocol:              3,
		ContextTimeoutEnabled: true,
		ClientSideCacheConfig: session.CacheConfig(0),
	})
	defer client.Close()
	store, err := session.NewRedis(client, session.RedisConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = store // pass as auth.Config.Store
}
