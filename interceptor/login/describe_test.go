package login_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor/login"
)

func TestRequirement(t *testing.T) {
	f := newFixture(t)
	allow := func(context.Context, *http.Request, *login.User) error { return nil }
	plain, err := login.New(f.mgr)
	if err != nil {
		t.Fatal(err)
	}
	annotated, err := login.New(f.mgr, login.OnlyAnnotated(), login.WithRules(
		login.Rule{Match: []string{"/admin/**"}, Check: allow},
		login.Rule{Match: []string{"/files/**"}, NotMatch: []string{"/files/public/**"}, Check: allow},
		login.Rule{Match: []string{"/orders/**"}, Methods: []string{"DELETE"}, Check: allow},
	))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		i      *login.Interceptor
		method string
		path   string
		meta   []any
		need   login.Need
		rules  int
	}{
		{"plain: every route", plain, "GET", "/books", nil, login.AlwaysNeeded, 0},
		{"Ignore beats all", plain, "GET", "/books", []any{login.Ignore(), login.RequireRoles(login.All, "admin")}, login.NeverNeeded, 0},
		{"annotated: nothing asks", annotated, "GET", "/books", nil, login.NeverNeeded, 0},
		{"annotated: RequireLogin", annotated, "GET", "/books", []any{login.RequireLogin()}, login.AlwaysNeeded, 0},
		{"annotated: roles", annotated, "GET", "/books", []any{login.RequireRoles(login.Any, "a")}, login.AlwaysNeeded, 0},
		{"rule matching every path", annotated, "GET", "/admin/{id}", nil, login.AlwaysNeeded, 1},
		{"rule matching some paths", annotated, "GET", "/files/{*path}", nil, login.NeededPerRequest, 1},
		{"rule excluded for every path", annotated, "GET", "/files/public/{name}", nil, login.NeverNeeded, 0},
		{"rule for another method", annotated, "GET", "/orders/{id}", nil, login.NeverNeeded, 0},
		{"rule for this method", annotated, "DELETE", "/orders/{id}", nil, login.AlwaysNeeded, 1},
	}
	for _, tt := range tests {
		req := tt.i.Requirement(&handler.Route{Method: tt.method, Path: tt.path, Meta: tt.meta})
		if req.Login != tt.need || req.Rules != tt.rules {
			t.Errorf("%s: got %v with %d rules, want %v with %d", tt.name, req.Login, req.Rules, tt.need, tt.rules)
		}
	}
	req := plain.Requirement(&handler.Route{Method: "GET", Path: "/x", Meta: []any{login.RequirePermissions(login.Any, "p1", "p2")}})
	if len(req.Permissions) != 2 || req.PermissionsMode != login.Any {
		t.Errorf("permissions %+v", req)
	}
}
