package auth_test

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/portico-go/portico/auth"
)

func TestClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	tests := []struct {
		name   string
		remote string
		xff    []string
		realIP string
		want   string
	}{
		{"direct client", "203.0.113.5:4711", nil, "", "203.0.113.5"},
		{"untrusted peer forging XFF", "203.0.113.5:4711", []string{"1.2.3.4"}, "", "203.0.113.5"},
		{"untrusted peer forging X-Real-IP", "203.0.113.5:4711", nil, "1.2.3.4", "203.0.113.5"},
		{"one trusted proxy", "10.0.0.2:80", []string{"198.51.100.7"}, "", "198.51.100.7"},
		{"client-supplied entries left of the real one", "10.0.0.2:80", []string{"6.6.6.6, 198.51.100.7"}, "", "198.51.100.7"},
		{"proxy chain", "10.0.0.2:80", []string{"198.51.100.7, 10.1.1.1", "10.2.2.2"}, "", "198.51.100.7"},
		{"garbage behind trusted hops", "10.0.0.2:80", []string{"evil, 10.1.1.1"}, "", "10.1.1.1"},
		{"all hops trusted", "10.0.0.2:80", []string{"10.9.9.9, 10.1.1.1"}, "", "10.9.9.9"},
		{"X-Real-IP from trusted proxy", "10.0.0.2:80", nil, "198.51.100.7", "198.51.100.7"},
		{"XFF wins over X-Real-IP", "10.0.0.2:80", []string{"198.51.100.7"}, "6.6.6.6", "198.51.100.7"},
		{"invalid X-Real-IP", "10.0.0.2:80", nil, "nope", "10.0.0.2"},
		{"XFF entry with port", "10.0.0.2:80", []string{"198.51.100.7:5555"}, "", "198.51.100.7"},
		{"IPv6 peer", "[2001:db8::1]:443", nil, "", "2001:db8::1"},
		{"IPv6 behind IPv6 proxy", "[fd00::1]:443", []string{"2001:db8::7"}, "", "2001:db8::7"},
		{"IPv4-mapped peer", "[::ffff:203.0.113.5]:1", nil, "", "203.0.113.5"},
		{"IPv4-mapped trusted peer", "[::ffff:10.0.0.2]:1", []string{"198.51.100.7"}, "", "198.51.100.7"},
		{"zone stripped", "[fe80::1%eth0]:1", nil, "", "fe80::1"},
		{"unparsable RemoteAddr", "pipe", []string{"1.2.3.4"}, "", "pipe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if tt.realIP != "" {
				r.Header.Set("X-Real-IP", tt.realIP)
			}
			if got := auth.ClientIP(r, trusted); got != tt.want {
				t.Fatalf("ClientIP = %q, want %q", got, tt.want)
			}
		})
	}
}
