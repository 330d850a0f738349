package session_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/portico-go/portico/internal/clocktest"

	"github.com/portico-go/portico/auth/session"
	"github.com/portico-go/portico/auth/session/sessiontest"
	"go.uber.org/goleak"
)

func TestMemoryConformance(t *testing.T) {
	t.Parallel()
	sessiontest.Run(t, func(t *testing.T) session.Store {
		m := session.NewMemory(session.MemoryConfig{CleanupInterval: 50 * time.Millisecond})
		t.Cleanup(func() { _ = m.Close() })
		return m
	})
}

func newRecord(t *testing.T, user string, now time.Time, life time.Duration) session.Record {
	return session.Record{UserID: user, CreatedAt: now, Deadline: now.Add(life), RefreshHash: sessiontest.Hash(t)}
}

func TestMemoryFakeClockExpiry(t *testing.T) {
	clk := clocktest.New()
	m := session.NewMemory(session.MemoryConfig{Now: clk.Now, CleanupInterval: -1})
	ctx := context.Background()
	rec, err := m.Create(ctx, newRecord(t, "u", clk.Now(), time.Hour), clk.Now().Add(30*time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		advance time.Duration
		wantErr error
	}{
		{29 * time.Minute, nil}, // slides to 59m
		{29 * time.Minute, nil}, // 58m: asks for 88m, capped at the 60m deadline
		{1*time.Minute + 59*time.Second, nil},
		{time.Second, session.ErrExpired}, // exactly at the hard deadline
		{0, session.ErrExpired},
	}
	for i, tt := range tests {
		clk.Advance(tt.advance)
		_, err := m.Touch(ctx, rec.ID, clk.Now().Add(30*time.Minute))
		if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
			t.Fatalf("step %d: Touch = %v, want %v", i, err, tt.wantErr)
		}
	}
}

func TestMemoryBounded(t *testing.T) {
	clk := clocktest.New()
	m := session.NewMemory(session.MemoryConfig{MaxSessions: 3, Now: clk.Now, CleanupInterval: -1})
	ctx := context.Background()
	for i := range 3 {
		if _, err := m.Create(ctx, newRecord(t, "u", clk.Now(), time.Hour), clk.Now().Add(time.Minute), 0); err != nil {
			t.Fatalf("Create %d: %v", i, err)
		}
	}
	_, err := m.Create(ctx, newRecord(t, "u", clk.Now(), time.Hour), clk.Now().Add(time.Minute), 0)
	if !errors.Is(err, session.ErrFull) || !errors.Is(err, session.ErrUnavailable) {
		t.Fatalf("Create past MaxSessions = %v, want ErrFull and ErrUnavailable", err)
	}
	// Once the old sessions have idled out, their room is reclaimed.
	clk.Advance(2 * time.Minute)
	if _, err := m.Create(ctx, newRecord(t, "u", clk.Now(), time.Hour), clk.Now().Add(time.Minute), 0); err != nil {
		t.Fatalf("Create after expiry: %v", err)
	}
	if n := m.Len(); n != 1 {
		t.Fatalf("Len = %d, want 1", n)
	}
}

func TestMemorySweeper(t *testing.T) {
	defer goleak.VerifyNone(t)
	clk := clocktest.New()
	m := session.NewMemory(session.MemoryConfig{Now: clk.Now, CleanupInterval: time.Millisecond})
	if _, err := m.Create(context.Background(), newRecord(t, "u", clk.Now(), time.Hour), clk.Now().Add(time.Minute), 0); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Minute)
	for m.Len() != 0 {
		time.Sleep(time.Millisecond) // the sweeper runs every millisecond
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestMemoryCanceledContext(t *testing.T) {
	m := session.NewMemory(session.MemoryConfig{CleanupInterval: -1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Touch(ctx, "x", time.Now().Add(time.Minute)); !errors.Is(err, session.ErrUnavailable) {
		t.Fatalf("Touch with a canceled context = %v, want ErrUnavailable", err)
	}
}

func TestCreateValidates(t *testing.T) {
	m := session.NewMemory(session.MemoryConfig{CleanupInterval: -1})
	now := time.Now()
	good := newRecord(t, "u", now, time.Hour)
	tests := []struct {
		name string
		edit func(*session.Record)
	}{
		{"no user", func(r *session.Record) { r.UserID = "" }},
		{"deadline past", func(r *session.Record) { r.Deadline = now.Add(-time.Second) }},
		{"bad hash", func(r *session.Record) { r.RefreshHash = "xyz" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := good
			tt.edit(&rec)
			if _, err := m.Create(context.Background(), rec, now.Add(time.Minute), 0); err == nil {
				t.Fatal("Create accepted an invalid record")
			}
		})
	}
}
