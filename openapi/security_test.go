package openapi_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestSecurityFollowsTheChain(t *testing.T) {
	app := newApp(t)
	var doc struct {
		Paths map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(documentOf(t, app), &doc); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, path string
		login        any // x-portico-login, nil when no login interceptor runs
		security     any
		roles, perms any
		has403       bool
	}{
		{"get", "/books", "always", []any{map[string]any{"bearer": []any{}}}, nil, nil, false},
		{"post", "/books", "always", []any{map[string]any{"bearer": []any{}}}, nil,
			map[string]any{"mode": "all", "values": []any{"book:create"}}, true},
		{"put", "/books/{id}", "always", []any{map[string]any{"bearer": []any{}}},
			map[string]any{"mode": "all", "values": []any{"admin"}}, nil, true},
		{"get", "/files/{path}", "per-request", []any{map[string]any{"bearer": []any{}}, map[string]any{}}, nil, nil, false},
		// Ignore beats the interceptor registered on /**.
		{"get", "/health", "never", nil, nil, nil, false},
		// Excluded by path: no login interceptor in the chain at all.
		{"post", "/login", nil, nil, nil, nil, false},
	}
	for _, tt := range tests {
		op := doc.Paths[tt.path][tt.method]
		if op == nil {
			t.Errorf("%s %s missing", tt.method, tt.path)
			continue
		}
		for k, want := range map[string]any{"x-portico-login": tt.login, "security": tt.security, "x-portico-roles": tt.roles, "x-portico-permissions": tt.perms} {
			if got := op[k]; !reflect.DeepEqual(got, want) {
				t.Errorf("%s %s %s = %v, want %v", tt.method, tt.path, k, got, want)
			}
		}
		_, has401 := op["responses"].(map[string]any)["401"]
		_, has403 := op["responses"].(map[string]any)["403"]
		if wantAuth := tt.security != nil; has401 != wantAuth && tt.path != "/login" {
			t.Errorf("%s %s 401 documented %v, want %v", tt.method, tt.path, has401, wantAuth)
		}
		if has403 != tt.has403 {
			t.Errorf("%s %s 403 documented %v, want %v", tt.method, tt.path, has403, tt.has403)
		}
	}
}

func TestGapsListUndescribedRoutesOnly(t *testing.T) {
	app := newApp(t)
	_, gaps, err := app.docs.Document()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range gaps {
		got = append(got, g.Method+" "+g.Path)
	}
	// The catch-all handler has no types and no Returns option; /health
	// has no types but its options describe it.
	if strings.Join(got, ",") != "GET /files/{*path}" {
		t.Errorf("gaps %v", gaps)
	}
}
