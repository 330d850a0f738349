package session

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzDecode: a stored value, however damaged, decodes or fails with
// ErrUnavailable, never panics; and what encode writes decodes back.
func FuzzDecode(f *testing.F) {
	rec := Record{UserID: "u|1", Name: `n"x`, ClientIP: "192.0.2.1", CreatedAt: time.UnixMilli(1), Deadline: time.UnixMilli(5000), RefreshHash: strings.Repeat("a", 64)}
	good, err := encode(rec, time.UnixMilli(3000))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(strings.Repeat("a", 64) + "|1|2|{}")
	f.Add(strings.Repeat("a", 64) + "|x|2|{}")
	f.Add("")
	f.Fuzz(func(t *testing.T, v string) {
		got, idle, err := decode("id", v)
		if err != nil {
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("decode error %v does not wrap ErrUnavailable", err)
			}
			return
		}
		again, err := encode(got, idle)
		if err != nil {
			t.Fatal(err)
		}
		if got2, idle2, err := decode("id", again); err != nil || got2 != got || !idle2.Equal(idle) {
			t.Fatalf("round trip of %q: %+v %v %v, want %+v %v", v, got2, idle2, err, got, idle)
		}
	})
}
