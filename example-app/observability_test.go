package main

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/portico-go/portico/internal/redistest"
)

// The probes answer without a token, with the database (and Redis, when
// sessions live there) as components; every response carries a request
// id, and error bodies quote it.
func TestObservability(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   map[string]string
		comps []string
	}{
		{"memory sessions", nil, []string{"db"}},
		{"redis sessions", map[string]string{envRedisAddr: redistest.Server(t).Addr()}, []string{"db", "redis"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := startApp(t, tempDB(t), tc.env)
			get := func(path string, hdr map[string]string) (*http.Response, map[string]any) {
				req, _ := http.NewRequestWithContext(t.Context(), "GET", a.base+path, nil)
				for k, v := range hdr {
					req.Header.Set(k, v)
				}
				res, err := a.client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				raw, _ := io.ReadAll(res.Body)
				var body map[string]any
				if err := json.Unmarshal(raw, &body); err != nil {
					t.Fatalf("%s: %v: %s", path, err, raw)
				}
				return res, body
			}
			res, body := get("/health/ready", nil)
			if res.StatusCode != 200 || body["status"] != "UP" {
				t.Fatalf("ready: %d %v", res.StatusCode, body)
			}
			comps, _ := body["components"].(map[string]any)
			for _, c := range tc.comps {
				if st, _ := comps[c].(map[string]any); st["status"] != "UP" {
					t.Errorf("component %s: %v", c, comps[c])
				}
			}
			if res, _ := get("/health/live", nil); res.StatusCode != 200 {
				t.Errorf("live: %d", res.StatusCode)
			}

			res, body = get("/no/such/page", map[string]string{"X-Request-ID": "support-ticket-42"})
			if res.StatusCode != 404 || body["requestId"] != "support-ticket-42" || res.Header.Get("X-Request-ID") != "support-ticket-42" {
				t.Errorf("404: %d %v, header %q", res.StatusCode, body, res.Header.Get("X-Request-ID"))
			}
			res, body = get("/api/user/info", nil)
			if id := res.Header.Get("X-Request-ID"); res.StatusCode != 401 || id == "" || body["requestId"] != id {
				t.Errorf("401: %d %v, header %q", res.StatusCode, body, id)
			}
		})
	}
}
