package auth_test

import (
	"strings"
	"testing"

	"github.com/portico-go/portico/auth"
	"golang.org/x/crypto/bcrypt"
)

func TestPassword(t *testing.T) {
	hash, err := auth.HashPassword("correct horse", bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(hash, "correct horse") {
		t.Fatal("hash contains the password")
	}
	if err := auth.CheckPassword(hash, "correct horse"); err != nil {
		t.Fatalf("CheckPassword(right) = %v", err)
	}
	tests := []struct{ name, hash, password string }{
		{"wrong password", hash, "wrong horse"},
		{"empty password", hash, ""},
		{"malformed hash", "not-a-bcrypt-hash", "correct horse"},
		{"empty hash", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantReason(t, auth.CheckPassword(tt.hash, tt.password), auth.ReasonBadCredentials)
		})
	}
}

func TestHashPasswordRefusesTruncation(t *testing.T) {
	if _, err := auth.HashPassword(strings.Repeat("p", 73), bcrypt.MinCost); err == nil {
		t.Fatal("HashPassword accepted a password bcrypt would truncate")
	}
}

// TestDummyHash: the dummy costs what a default-cost hash costs, and no
// password matches it by accident.
func TestDummyHash(t *testing.T) {
	cost, err := bcrypt.Cost([]byte(auth.DummyHash))
	if err != nil || cost != bcrypt.DefaultCost {
		t.Fatalf("cost %d, %v; want %d", cost, err, bcrypt.DefaultCost)
	}
	for _, pw := range []string{"", "admin123", "password"} {
		if err := auth.CheckPassword(auth.DummyHash, pw); auth.ReasonOf(err) != auth.ReasonBadCredentials || strings.Contains(err.Error(), "unusable") {
			t.Errorf("%q: %v", pw, err)
		}
	}
}
