package session_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/portico-go/portico/auth/session"
	"github.com/portico-go/portico/auth/session/sessiontest"
	"github.com/portico-go/portico/internal/redistest"
)

func TestRedisConformance(t *testing.T) {
	t.Parallel()
	c := redistest.Client(t)
	sessiontest.Run(t, func(t *testing.T) session.Store {
		s, err := session.NewRedis(c, session.RedisConfig{Prefix: redistest.Prefix(t)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestRedisPrefixValidated(t *testing.T) {
	c := redistest.Client(t)
	if _, err := session.NewRedis(c, session.RedisConfig{Prefix: "a{b}:"}); err == nil {
		t.Fatal("NewRedis accepted a prefix with braces")
	}
}

func TestRedisOutage(t *testing.T) {
	srv := redistest.Server(t)
	c := srv.Client(t)
	s, err := session.NewRedis(c, session.RedisConfig{Prefix: redistest.Prefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now()
	rec, err := s.Create(ctx, newRecord(t, "u", now, time.Hour), now.Add(time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	calls := map[string]func(context.Context) error{
		"Touch": func(ctx context.Context) error {
			_, err := s.Touch(ctx, rec.ID, time.Now().Add(time.Minute))
			return err
		},
		"Rotate": func(ctx context.Context) error {
			_, err := s.Rotate(ctx, rec.ID, rec.RefreshHash, sessiontest.Hash(t), time.Now().Add(time.Minute), 0)
			return err
		},
		"Create": func(ctx context.Context) error {
			_, err := s.Create(ctx, newRecord(t, "u", time.Now(), time.Hour), time.Now().Add(time.Minute), 0)
			return err
		},
		"Revoke":     func(ctx context.Context) error { return s.Revoke(ctx, rec.ID, session.ReasonRevoked) },
		"RevokeUser": func(ctx context.Context) error { _, err := s.RevokeUser(ctx, "u", session.ReasonRevoked); return err },
	}
	for name, call := range calls {
		ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		err := call(ctx)
		cancel()
		if !errors.Is(err, session.ErrUnavailable) || errors.Is(err, session.ErrExpired) {
			t.Errorf("%s with Redis down = %v, want ErrUnavailable", name, err)
		}
	}
	srv.Start()
	// The server came back empty (no persistence): the session is gone, and
	// the same client works again without being re-created.
	if _, err := s.Touch(ctx, rec.ID, time.Now().Add(time.Minute)); !errors.Is(err, session.ErrExpired) {
		t.Fatalf("Touch after restart = %v, want ErrExpired", err)
	}
	if _, err := s.Create(ctx, newRecord(t, "u", time.Now(), time.Hour), time.Now().Add(time.Minute), 0); err != nil {
		t.Fatalf("Create after restart: %v", err)
	}
}
