package login

import (
	"context"
	"time"

	"github.com/portico-go/portico/handler"
)

// User is the logged-in user of a request.
type User struct {
	ID        string
	Name      string
	SessionID string
	// ExpiresAt is when the presented access token expires.
	ExpiresAt time.Time

	authz     Authorizer
	roles     []string
	perms     []string
	rolesErr  error
	permsErr  error
	haveRoles bool
	havePerms bool
}

// Authorizer supplies a user's roles and permissions: Sa-Token's
// StpInterface. The interceptor asks it at most once per request for each,
// and only when a check needs them.
type Authorizer interface {
	Roles(ctx context.Context, userID string) ([]string, error)
	Permissions(ctx context.Context, userID string) ([]string, error)
}

var currentUser = handler.NewKey[*User]("login.user")

// CurrentUser returns the user the login interceptor authenticated for the
// request ctx belongs to.
func CurrentUser(ctx context.Context) (*User, bool) {
	u, ok := currentUser.Value(ctx)
	return u, ok && u != nil
}

// Roles returns the user's roles, asking the Authorizer once per request.
func (u *User) Roles(ctx context.Context) ([]string, error) {
	if !u.haveRoles {
		u.haveRoles = true
		if u.authz != nil {
			u.roles, u.rolesErr = u.authz.Roles(ctx, u.ID)
		}
	}
	return u.roles, u.rolesErr
}

// Permissions returns the user's permissions, asking the Authorizer once
// per request.
func (u *User) Permissions(ctx context.Context) ([]string, error) {
	if !u.havePerms {
		u.havePerms = true
		if u.authz != nil {
			u.perms, u.permsErr = u.authz.Permissions(ctx, u.ID)
		}
	}
	return u.perms, u.permsErr
}

// HasRole reports whether the user has role.
func (u *User) HasRole(ctx context.Context, role string) (bool, error) {
	roles, err := u.Roles(ctx)
	if err != nil {
		return false, err
	}
	for _, r := range roles {
		if r == role {
			return true, nil
		}
	}
	return false, nil
}

// HasPermission reports whether one of the user's permissions grants perm
// (see PermissionMatches for wildcards).
func (u *User) HasPermission(ctx context.Context, perm string) (bool, error) {
	perms, err := u.Permissions(ctx)
	if err != nil {
		return false, err
	}
	for _, p := range perms {
		if PermissionMatches(p, perm) {
			return true, nil
		}
	}
	return false, nil
}

// PermissionMatches reports whether the granted permission grants want.
// Permissions are ':'-separated parts; a '*' part in granted matches any
// one part, and a trailing '*' matches one or more remaining parts, so
// "book:*" grants "book:read" and "book:chapter:edit", and "*" grants
// everything. Matching is exact otherwise: "book" does not grant
// "book:read".
func PermissionMatches(granted, want string) bool {
	for {
		g, grest, gmore := cut(granted)
		w, wrest, wmore := cut(want)
		if g == "*" && !gmore {
			return w != ""
		}
		if g != "*" && g != w || w == "" {
			return false
		}
		if !gmore || !wmore {
			return gmore == wmore
		}
		granted, want = grest, wrest
	}
}

func cut(s string) (head, rest string, more bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
