package client

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestLoggingMasksSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "cookie-secret"})
		w.Header().Set("New-Token", "renewed-secret")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"accessToken":"body-secret"}`))
	}))
	defer srv.Close()

	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	hc := New(WithNetworkInterceptors(Logging{Logger: logger, Headers: true}))

	req, err := http.NewRequest(http.MethodGet,
		srv.URL+"/api/items?page=2&access_token=query-secret&API_KEY=key-secret#frag", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer header-secret")
	req.Header.Set("Cookie", "sid=request-cookie-secret")
	req.Header.Set("X-Request-Id", "visible-id")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	out := buf.String()
	for _, secret := range []string{"query-secret", "key-secret", "header-secret", "cookie-secret", "renewed-secret", "body-secret"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{
		`"method":"GET"`, `"status":200`, `"attempt":1`, `"duration":`,
		`/api/items?page=2&access_token=REDACTED&API_KEY=REDACTED"`,
		`"Authorization":"Bearer REDACTED"`, `"X-Request-Id":"visible-id"`, `"Set-Cookie":"REDACTED"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
}

func TestLoggingLevels(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		status    int
		err       error
		wantLevel string
	}{
		{"success", 200, nil, "INFO"},
		{"client error", 404, nil, "INFO"},
		{"server error", 503, nil, "WARN"},
		{"failure", 0, boom, "ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			base := roundTripFunc(func(req *http.Request) (*http.Response, error) {
				if tt.err != nil {
					return nil, tt.err
				}
				return newResponse(req, tt.status, http.NoBody), nil
			})
			hc := New(WithInterceptors(Logging{Logger: slog.New(slog.NewTextHandler(&buf, nil))}), WithTransport(base))
			resp, err := hc.Get("http://example.test/")
			if err == nil {
				resp.Body.Close()
			}
			if out := buf.String(); !strings.Contains(out, "level="+tt.wantLevel) {
				t.Errorf("log = %q, want level %s", out, tt.wantLevel)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://api.test/x", "https://api.test/x"},
		{"https://api.test/x?q=go&token=abc", "https://api.test/x?q=go&token=REDACTED"},
		{"https://api.test/x?refresh_token=abc&code=123&state=s", "https://api.test/x?refresh_token=REDACTED&code=REDACTED&state=s"},
		{"https://api.test/x?Client-Secret=abc&flag", "https://api.test/x?Client-Secret=REDACTED&flag"},
		{"https://bob:hunter2@api.test/x", "https://bob:xxxxx@api.test/x"},
		{"https://api.test/x#access_token=abc", "https://api.test/x"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			u, err := url.Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := redactURL(u); got != tt.want {
				t.Errorf("redactURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
