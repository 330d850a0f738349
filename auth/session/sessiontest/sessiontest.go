package sessiontest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/portico-go/portico/auth/session"
)

// Run runs the conformance suite. newStore must return an empty store, or
// at least one whose sessions are invisible to other calls (for example a
// Redis store with a fresh key prefix); the suite never closes it.
func Run(t *testing.T, newStore func(t *testing.T) session.Store) {
	t.Run("CreateTouch", func(t *testing.T) { testCreateTouch(t, newStore(t)) })
	t.Run("Unknown", func(t *testing.T) { testUnknown(t, newStore(t)) })
	t.Run("Revoke", func(t *testing.T) { testRevoke(t, newStore(t)) })
	t.Run("RevokeUser", func(t *testing.T) { testRevokeUser(t, newStore(t)) })
	t.Run("Limit", func(t *testing.T) { testLimit(t, newStore(t)) })
	t.Run("Rotate", func(t *testing.T) { testRotate(t, newStore(t)) })
	t.Run("RotateReuse", func(t *testing.T) { testRotateReuse(t, newStore(t)) })
	t.Run("RotateRace", func(t *testing.T) { testRotateRace(t, newStore(t)) })
	t.Run("RotateGrace", func(t *testing.T) { testRotateGrace(t, newStore(t)) })
	t.Run("RotateGraceRace", func(t *testing.T) { testRotateGraceRace(t, newStore(t)) })
	t.Run("RotateUnknown", func(t *testing.T) { testRotateUnknown(t, newStore(t)) })
	t.Run("RotateBounded", func(t *testing.T) { testRotateBounded(t, newStore(t)) })
	t.Run("Timing", func(t *testing.T) {
		// Real-clock tests sleep; running them side by side keeps the
		// suite's wall time near the longest one.
		t.Run("IdleExpiry", func(t *testing.T) { t.Parallel(); testIdleExpiry(t, newStore(t)) })
		t.Run("Sliding", func(t *testing.T) { t.Parallel(); testSliding(t, newStore(t)) })
		t.Run("HardDeadline", func(t *testing.T) { t.Parallel(); testHardDeadline(t, newStore(t)) })
		t.Run("NoRevive", func(t *testing.T) { t.Parallel(); testNoRevive(t, newStore(t)) })
	})
}

// Hash returns a fresh random refresh hash in the form stores expect.
func Hash(t testing.TB) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random: %v", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func record(t *testing.T, user string, life time.Duration) session.Record {
	now := time.Now()
	return session.Record{
		UserID:      user,
		Name:        "name of " + user,
		ClientIP:    "192.0.2.7",
		CreatedAt:   now,
		Deadline:    now.Add(life),
		RefreshHash: Hash(t),
	}
}

func create(t *testing.T, s session.Store, rec session.Record, idle time.Duration, limit int) session.Record {
	t.Helper()
	got, err := s.Create(context.Background(), rec, time.Now().Add(idle), limit)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if got.ID == "" {
		t.Fatal("Create returned an empty ID")
	}
	return got
}

func touch(s session.Store, id string, idle time.Duration) (session.Record, error) {
	return s.Touch(context.Background(), id, time.Now().Add(idle))
}

func wantAlive(t *testing.T, s session.Store, id string) session.Record {
	t.Helper()
	rec, err := touch(s, id, time.Hour)
	if err != nil {
		t.Fatalf("Touch(%s): %v, want alive", id, err)
	}
	return rec
}

// wantGone checks that session id is gone for the given reason; "" means
// expired.
func wantGone(t *testing.T, s session.Store, id string, reason session.Reason) {
	t.Helper()
	_, err := touch(s, id, time.Hour)
	if err := checkGone(err, reason); err != nil {
		t.Fatalf("Touch(%s): %v", id, err)
	}
}

func checkGone(err error, reason session.Reason) error {
	if errors.Is(err, session.ErrUnavailable) {
		return fmt.Errorf("store unavailable: %w", err)
	}
	if reason == "" {
		if !errors.Is(err, session.ErrExpired) {
			return fmt.Errorf("got %v, want ErrExpired", err) //nolint:errorlint // reported, not wrapped; err may be nil
		}
		return nil
	}
	var re *session.RevokedError
	if !errors.As(err, &re) || !errors.Is(err, session.ErrRevoked) {
		return fmt.Errorf("got %v, want a RevokedError(%s)", err, reason) //nolint:errorlint // reported, not wrapped; err may be nil
	}
	if re.Reason != reason {
		return fmt.Errorf("reason %q, want %q", re.Reason, reason)
	}
	return nil
}

func testCreateTouch(t *testing.T, s session.Store) {
	rec := record(t, "alice", time.Hour)
	created := create(t, s, rec, time.Minute, 0)
	got := wantAlive(t, s, created.ID)
	if got.ID != created.ID || got.UserID != rec.UserID || got.Name != rec.Name ||
		got.ClientIP != rec.ClientIP || got.RefreshHash != rec.RefreshHash ||
		got.Deadline.UnixMilli() != rec.Deadline.UnixMilli() || got.CreatedAt.UnixMilli() != rec.CreatedAt.UnixMilli() {
		t.Fatalf("Touch returned %+v, want the created %+v", got, created)
	}
	other := create(t, s, rec, time.Minute, 0)
	if other.ID == created.ID {
		t.Fatal("two sessions got the same ID")
	}
}

func testUnknown(t *testing.T, s session.Store) {
	for _, id := range []string{"", "nope", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "../../etc/passwd", "{x}y", "a*"} {
		if _, err := touch(s, id, time.Minute); !errors.Is(err, session.ErrExpired) {
			t.Errorf("Touch(%q) = %v, want ErrExpired", id, err)
		}
		if _, err := s.Rotate(context.Background(), id, Hash(t), Hash(t), time.Now().Add(time.Minute), 0); !errors.Is(err, session.ErrExpired) {
			t.Errorf("Rotate(%q) = %v, want ErrExpired", id, err)
		}
		if err := s.Revoke(context.Background(), id, session.ReasonRevoked); err != nil {
			t.Errorf("Revoke(%q) = %v, want nil", id, err)
		}
	}
	if n, err := s.RevokeUser(context.Background(), "nobody", session.ReasonKickedOut); err != nil || n != 0 {
		t.Errorf("RevokeUser(nobody) = %d, %v; want 0, nil", n, err)
	}
}

func testRevoke(t *testing.T, s session.Store) {
	ctx := context.Background()
	a := create(t, s, record(t, "bob", time.Hour), time.Minute, 0)
	b := create(t, s, record(t, "bob", time.Hour), time.Minute, 0)
	if err := s.Revoke(ctx, a.ID, session.ReasonRevoked); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	wantGone(t, s, a.ID, session.ReasonRevoked)
	wantAlive(t, s, b.ID)
	// A second revocation must not rewrite the recorded reason.
	if err := s.Revoke(ctx, a.ID, session.ReasonKickedOut); err != nil {
		t.Fatalf("second Revoke: %v", err)
	}
	wantGone(t, s, a.ID, session.ReasonRevoked)
	if _, err := s.Rotate(ctx, a.ID, a.RefreshHash, Hash(t), time.Now().Add(time.Minute), 0); checkGone(err, session.ReasonRevoked) != nil {
		t.Fatalf("Rotate on a revoked session = %v, want RevokedError(revoked)", err)
	}
}

func testRevokeUser(t *testing.T, s session.Store) {
	for _, reason := range []session.Reason{session.ReasonKickedOut, session.ReasonRevoked} {
		t.Run(string(reason), func(t *testing.T) {
			u := "carol-" + string(reason)
			a := create(t, s, record(t, u, time.Hour), time.Minute, 0)
			b := create(t, s, record(t, u, time.Hour), time.Minute, 0)
			other := create(t, s, record(t, "dave-"+string(reason), time.Hour), time.Minute, 0)
			n, err := s.RevokeUser(context.Background(), u, reason)
			if err != nil || n != 2 {
				t.Fatalf("RevokeUser = %d, %v; want 2, nil", n, err)
			}
			wantGone(t, s, a.ID, reason)
			wantGone(t, s, b.ID, reason)
			wantAlive(t, s, other.ID)
			// The user can log in again afterwards.
			wantAlive(t, s, create(t, s, record(t, u, time.Hour), time.Minute, 0).ID)
		})
	}
}

func testLimit(t *testing.T, s session.Store) {
	var ids []string
	for range 4 {
		rec := record(t, "erin", time.Hour)
		ids = append(ids, create(t, s, rec, time.Minute, 2).ID)
		time.Sleep(2 * time.Millisecond) // distinct creation times order the eviction
	}
	wantGone(t, s, ids[0], session.ReasonReplaced)
	wantGone(t, s, ids[1], session.ReasonReplaced)
	wantAlive(t, s, ids[2])
	wantAlive(t, s, ids[3])
	// Unlimited logins of another user are not affected by erin's limit.
	for range 3 {
		create(t, s, record(t, "frank", time.Hour), time.Minute, 0)
	}
	if n, err := s.RevokeUser(context.Background(), "frank", session.ReasonRevoked); err != nil || n != 3 {
		t.Fatalf("RevokeUser(frank) = %d, %v; want 3", n, err)
	}
}

func testRotate(t *testing.T, s session.Store) {
	ctx := context.Background()
	rec := create(t, s, record(t, "gina", time.Hour), time.Minute, 0)
	next := Hash(t)
	got, err := s.Rotate(ctx, rec.ID, rec.RefreshHash, next, time.Now().Add(time.Minute), 0)
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if got.RefreshHash != next || got.ID != rec.ID || got.UserID != rec.UserID {
		t.Fatalf("Rotate returned %+v, want hash %s", got, next)
	}
	if alive := wantAlive(t, s, rec.ID); alive.RefreshHash != next {
		t.Fatalf("stored hash %s, want %s", alive.RefreshHash, next)
	}
	if _, err := s.Rotate(ctx, rec.ID, next, Hash(t), time.Now().Add(time.Minute), 0); err != nil {
		t.Fatalf("second Rotate with the current hash: %v", err)
	}
}

func testRotateReuse(t *testing.T, s session.Store) {
	ctx := context.Background()
	rec := create(t, s, record(t, "hank", time.Hour), time.Minute, 0)
	next := Hash(t)
	if _, err := s.Rotate(ctx, rec.ID, rec.RefreshHash, next, time.Now().Add(time.Minute), 0); err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	_, err := s.Rotate(ctx, rec.ID, rec.RefreshHash, Hash(t), time.Now().Add(time.Minute), 0)
	if !errors.Is(err, session.ErrReused) || checkGone(err, session.ReasonRevoked) != nil {
		t.Fatalf("Rotate with the old hash = %v, want ErrReused and RevokedError(revoked)", err)
	}
	wantGone(t, s, rec.ID, session.ReasonRevoked)
	if _, err := s.Rotate(ctx, rec.ID, next, Hash(t), time.Now().Add(time.Minute), 0); checkGone(err, session.ReasonRevoked) != nil {
		t.Fatalf("Rotate with the newest hash after reuse = %v, want RevokedError(revoked)", err)
	}
}

// rotateAtOnce presents rec's refresh hash to s from n goroutines
// released together, as n tabs refreshing at the same moment, and returns
// each Rotate's error.
func rotateAtOnce(t *testing.T, s session.Store, rec session.Record, n int, grace time.Duration) []error {
	t.Helper()
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make([]error, n)
	)
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = s.Rotate(context.Background(), rec.ID, rec.RefreshHash, Hash(t), time.Now().Add(time.Minute), grace)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

func testRotateRace(t *testing.T, s session.Store) {
	const n = 50
	rec := create(t, s, record(t, "ivy", time.Hour), time.Minute, 0)
	errs := rotateAtOnce(t, s, rec, n, 0)
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case errors.Is(err, session.ErrUnavailable):
			t.Fatalf("Rotate: %v", err)
		case !errors.Is(err, session.ErrRevoked):
			t.Errorf("losing Rotate = %v, want a revocation", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d of %d concurrent rotations succeeded, want exactly 1", wins, n)
	}
	// The losers presented a rotated token, which ends the session.
	wantGone(t, s, rec.ID, session.ReasonRevoked)
}

func testRotateGrace(t *testing.T, s session.Store) {
	ctx := context.Background()
	rec := create(t, s, record(t, "gail", time.Hour), time.Minute, 0)
	next := Hash(t)
	if _, err := s.Rotate(ctx, rec.ID, rec.RefreshHash, next, time.Now().Add(time.Minute), time.Minute); err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	_, err := s.Rotate(ctx, rec.ID, rec.RefreshHash, Hash(t), time.Now().Add(time.Minute), time.Minute)
	if !errors.Is(err, session.ErrRefreshInProgress) || errors.Is(err, session.ErrRevoked) {
		t.Fatalf("Rotate with the hash rotated away within the grace = %v, want ErrRefreshInProgress", err)
	}
	if alive := wantAlive(t, s, rec.ID); alive.RefreshHash != next {
		t.Fatalf("stored hash %s after a refused reuse, want %s", alive.RefreshHash, next)
	}
	// Past the grace (here: none), the same replay is reuse.
	_, err = s.Rotate(ctx, rec.ID, rec.RefreshHash, Hash(t), time.Now().Add(time.Minute), 0)
	if !errors.Is(err, session.ErrReused) {
		t.Fatalf("Rotate with the old hash past the grace = %v, want ErrReused", err)
	}
	wantGone(t, s, rec.ID, session.ReasonRevoked)
}

// testRotateGraceRace is two tabs refreshing at once, fifty times over: one
// wins, the others are told a refresh is in progress, the session lives.
func testRotateGraceRace(t *testing.T, s session.Store) {
	const n = 50
	rec := create(t, s, record(t, "iris", time.Hour), time.Minute, 0)
	errs := rotateAtOnce(t, s, rec, n, time.Minute)
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, session.ErrRefreshInProgress):
			t.Errorf("losing Rotate = %v, want ErrRefreshInProgress", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d of %d concurrent rotations succeeded, want exactly 1", wins, n)
	}
	wantAlive(t, s, rec.ID)
}

// testRotateUnknown: the session ID is public (it is in every access
// token), so a made-up secret must not end the session.
func testRotateUnknown(t *testing.T, s session.Store) {
	ctx := context.Background()
	rec := create(t, s, record(t, "uma", time.Hour), time.Minute, 0)
	for _, grace := range []time.Duration{0, time.Minute} {
		_, err := s.Rotate(ctx, rec.ID, Hash(t), Hash(t), time.Now().Add(time.Minute), grace)
		if !errors.Is(err, session.ErrUnknownRefresh) || errors.Is(err, session.ErrRevoked) {
			t.Fatalf("Rotate with a made-up hash (grace %v) = %v, want ErrUnknownRefresh", grace, err)
		}
	}
	if alive := wantAlive(t, s, rec.ID); alive.RefreshHash != rec.RefreshHash {
		t.Fatal("a made-up refresh hash changed the session")
	}
	if _, err := s.Rotate(ctx, rec.ID, rec.RefreshHash, Hash(t), time.Now().Add(time.Minute), 0); err != nil {
		t.Fatalf("Rotate with the real hash after a forgery: %v", err)
	}
}

// testRotateBounded: stores remember MaxPreviousRefresh rotated-away
// hashes; older ones are unknown, and refusing them revokes nothing.
func testRotateBounded(t *testing.T, s session.Store) {
	ctx := context.Background()
	rec := create(t, s, record(t, "vic", time.Hour), time.Minute, 0)
	hashes := []string{rec.RefreshHash}
	for range session.MaxPreviousRefresh + 1 {
		next := Hash(t)
		if _, err := s.Rotate(ctx, rec.ID, hashes[len(hashes)-1], next, time.Now().Add(time.Minute), 0); err != nil {
			t.Fatalf("Rotate: %v", err)
		}
		hashes = append(hashes, next)
	}
	if _, err := s.Rotate(ctx, rec.ID, hashes[0], Hash(t), time.Now().Add(time.Minute), 0); !errors.Is(err, session.ErrUnknownRefresh) {
		t.Fatalf("Rotate with a hash %d rotations old = %v, want ErrUnknownRefresh", len(hashes)-1, err)
	}
	wantAlive(t, s, rec.ID)
	oldest := hashes[len(hashes)-1-session.MaxPreviousRefresh]
	if _, err := s.Rotate(ctx, rec.ID, oldest, Hash(t), time.Now().Add(time.Minute), 0); !errors.Is(err, session.ErrReused) {
		t.Fatalf("Rotate with the oldest remembered hash = %v, want ErrReused", err)
	}
	wantGone(t, s, rec.ID, session.ReasonRevoked)
}

func testIdleExpiry(t *testing.T, s session.Store) {
	rec := create(t, s, record(t, "jack", time.Hour), 500*time.Millisecond, 0)
	time.Sleep(800 * time.Millisecond)
	wantGone(t, s, rec.ID, "")
}

// realClockAttempts bounds retries of real-clock tests whose run was too
// slow to be conclusive.
const realClockAttempts = 3

func testSliding(t *testing.T, s session.Store) {
	for range realClockAttempts {
		if slidingOnce(t, s) {
			return
		}
	}
	t.Skipf("machine too slow to test sliding on the real clock (%d attempts)", realClockAttempts)
}

// slidingOnce reports false when a touch came so late that expiry was the
// correct answer: then the run says nothing about the store.
func slidingOnce(t *testing.T, s session.Store) bool {
	const idle = 1500 * time.Millisecond
	rec := create(t, s, record(t, "kate", time.Hour), idle, 0)
	// Four touches 500ms apart outlive the idle timeout only because each
	// one slides it.
	last := time.Now()
	for range 4 {
		time.Sleep(500 * time.Millisecond)
		start := time.Now()
		if _, err := touch(s, rec.ID, idle); err != nil {
			if time.Since(last) >= idle {
				t.Logf("touch came %v after the previous one; retrying", time.Since(last))
				return false
			}
			t.Fatalf("Touch within the idle timeout: %v", err)
		}
		last = start
	}
	time.Sleep(idle + 300*time.Millisecond)
	wantGone(t, s, rec.ID, "")
	return true
}

func testHardDeadline(t *testing.T, s session.Store) {
	for range realClockAttempts {
		if hardDeadlineOnce(t, s) {
			return
		}
	}
	t.Skipf("machine too slow to test the hard deadline on the real clock (%d attempts)", realClockAttempts)
}

func hardDeadlineOnce(t *testing.T, s session.Store) bool {
	const life = 2 * time.Second
	start := time.Now()
	rec := create(t, s, record(t, "liam", life), time.Hour, 0)
	// Touching with a far idle expiry must not carry the session past its
	// deadline.
	time.Sleep(300 * time.Millisecond)
	if _, err := touch(s, rec.ID, time.Hour); err != nil {
		if time.Since(start) >= life {
			return false
		}
		t.Fatalf("Touch before the deadline: %v", err)
	}
	time.Sleep(life)
	wantGone(t, s, rec.ID, "")
	if _, err := s.Rotate(context.Background(), rec.ID, rec.RefreshHash, Hash(t), time.Now().Add(time.Hour), 0); !errors.Is(err, session.ErrExpired) {
		t.Fatalf("Rotate after the deadline = %v, want ErrExpired", err)
	}
	return true
}

func testNoRevive(t *testing.T, s session.Store) {
	rec := create(t, s, record(t, "mia", time.Hour), 400*time.Millisecond, 0)
	time.Sleep(800 * time.Millisecond)
	wantGone(t, s, rec.ID, "")
	// The failed touch above asked for an hour; it must not have created
	// the session again.
	wantGone(t, s, rec.ID, "")
}
