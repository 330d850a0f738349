package firewall_test

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/portico-go/portico/firewall"
)

// TestThroughServer sends the nastiest spellings as raw request lines to a
// real server, since Go's client would clean some of them before sending.
// It shows the firewall sees what net/http's own parser produced.
func TestThroughServer(t *testing.T) {
	srv := httptest.NewServer(firewall.New().Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	})))
	defer srv.Close()

	tests := []struct {
		method, target string
		want           int
	}{
		{"GET", "/book/1", http.StatusOK},
		{"GET", "/b%C3%BCcher", http.StatusOK},
		{"GET", "/files/my%20doc.pdf", http.StatusOK},
		{"GET", "/admin/x;.js", http.StatusBadRequest},
		{"GET", "/admin;jsessionid=1/x", http.StatusBadRequest},
		{"GET", "/public/..;/admin/x", http.StatusBadRequest},
		{"GET", "/public/%2e%2e/admin", http.StatusBadRequest},
		{"GET", "/public/.%2E/admin", http.StatusBadRequest},
		{"GET", "/public/../admin", http.StatusBadRequest},
		{"GET", "/public/..%2Fadmin", http.StatusBadRequest},
		{"GET", "/public/..%5cadmin", http.StatusBadRequest},
		{"GET", `/public\..\admin`, http.StatusBadRequest},
		{"GET", "/%252e%252e/admin", http.StatusBadRequest},
		{"GET", "//admin/x", http.StatusBadRequest},
		{"GET", "//evil.com/", http.StatusBadRequest},
		{"GET", `/\evil.com/`, http.StatusBadRequest},
		{"GET", "/admin/index%0a", http.StatusBadRequest},
		{"GET", "/admin%20", http.StatusBadRequest},
		{"GET", "/admin%00.js", http.StatusBadRequest},
		{"GET", "/admin%E2%80%A8", http.StatusBadRequest},
		{"GET", "/admin%C0%AE%C0%AE", http.StatusBadRequest},
		{"GET", "/admin#x", http.StatusBadRequest},
		{"GET", "/b\xc3\xbccher", http.StatusBadRequest},
		{"GET", "http://example.com/admin%2Fx", http.StatusBadRequest},
		{"TRACE", "/book/1", http.StatusMethodNotAllowed},
		{"PROPFIND", "/book/1", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			if got := rawRequest(t, srv.Listener.Addr().String(), tt.method, tt.target); got != tt.want {
				t.Fatalf("status %d, want %d", got, tt.want)
			}
		})
	}
}

// rawRequest writes one HTTP/1.1 request line byte for byte and returns the
// response status.
func rawRequest(t *testing.T, addr, method, target string) int {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(method + " " + target + " HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode
}
