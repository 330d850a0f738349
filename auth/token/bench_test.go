package token_test

import (
	"strings"
	"testing"

	"github.com/portico-go/portico/auth/token"
)

func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct {
		name  string
		cache int
	}{{"NoCache", 0}, {"Cache", 1024}} {
		b.Run(bc.name, func(b *testing.B) {
			now := t0
			s := newService(b, &now, func(c *token.Config) { c.CacheSize = bc.cache })
			tok := issue(b, s, claims(now))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Parse(tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseGarbage shows that hostile inputs cost no more than a length
// check or a scan of at most MaxLen bytes.
func BenchmarkParseGarbage(b *testing.B) {
	now := t0
	s := newService(b, &now)
	for _, bc := range []struct{ name, tok string }{
		{"100kDots", strings.Repeat(".", 100_000)},
		{"4KiBDots", strings.Repeat(".", token.DefaultMaxLen)},
		{"1MiB", strings.Repeat("a", 1<<20)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Parse(bc.tok); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}
