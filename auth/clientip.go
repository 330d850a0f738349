package auth

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP returns the address of the client that sent r.
//
// Forwarding headers are client-controlled unless a proxy we trust wrote
// them, so they are consulted only when the direct peer (r.RemoteAddr) is in
// trusted. X-Forwarded-For is then walked from the right, skipping trusted
// proxies, and the first address not in trusted is the client: entries
// further left were supplied by that client and may be forged. X-Real-IP is
// used when X-Forwarded-For is absent. If every hop is trusted, the
// leftmost one is returned.
//
// The result is a canonical address without port or zone (IPv4-mapped IPv6
// is unmapped), or RemoteAddr unchanged if it cannot be parsed.
func ClientIP(r *http.Request, trusted []netip.Prefix) string {
	peer, ok := parseAddr(r.RemoteAddr)
	if !ok {
		return r.RemoteAddr
	}
	if !contains(trusted, peer) {
		return peer.String()
	}
	if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		hops := strings.Split(strings.Join(xff, ","), ",")
		client := peer
		for i := len(hops) - 1; i >= 0; i-- {
			a, ok := parseAddr(strings.TrimSpace(hops[i]))
			if !ok {
				// A trusted proxy would not write garbage; whatever is left
				// of it cannot be trusted either.
				break
			}
			client = a
			if !contains(trusted, a) {
				break
			}
		}
		return client.String()
	}
	if a, ok := parseAddr(strings.TrimSpace(r.Header.Get("X-Real-IP"))); ok {
		return a.String()
	}
	return peer.String()
}

// parseAddr accepts "ip", "ip:port" and "[ipv6]:port".
func parseAddr(s string) (netip.Addr, bool) {
	if s == "" {
		return netip.Addr{}, false
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

func contains(prefixes []netip.Prefix, a netip.Addr) bool {
	for _, p := range prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
