package porticotest

import (
	"context"
	"crypto/rand"
	"net"
	"slices"
	"sync"
	"testing"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/auth/token"
	"github.com/portico-go/portico/interceptor/login"
)

// User is who Request.As acts as.
type User struct {
	// ID is the user's ID, as the application's login would establish it.
	ID string
	// Name is the display name carried in the token.
	Name string
	// Roles and Permissions are granted through the kit's Authorities;
	// leave them empty when the application's own Authorizer (a users
	// table) answers for this user.
	Roles       []string
	Permissions []string
}

// token logs u in for one request.
func (k *Kit) token(ctx context.Context, u User) string {
	k.t.Helper()
	if k.auth == nil {
		k.t.Fatalf("porticotest: As(%q): the kit has no auth.Manager (NewApp finds the app's; with New, pass WithAuth)", u.ID)
	}
	if len(u.Roles) > 0 || len(u.Permissions) > 0 {
		if k.authz == nil {
			k.t.Fatalf("porticotest: As(%q) with roles or permissions: the kit has no Authorities to grant them "+
				"(make a porticotest.Authorities the login interceptor's Authorizer and pass WithAuthorities)", u.ID)
		}
		k.authz.Grant(u.ID, u.Roles, u.Permissions)
	}
	ip, _, _ := net.SplitHostPort(RemoteAddr)
	pair, err := k.auth.Login(ctx, auth.Principal{ID: u.ID, Name: u.Name}, ip)
	if err != nil {
		k.t.Fatalf("porticotest: As(%q): login: %v", u.ID, err)
	}
	return pair.AccessToken
}

// Authorities is a login.Authorizer whose answers a test sets: give it to
// the login interceptor (login.WithAuthorizer) and to the kit
// (WithAuthorities), and Request.As grants each User's roles and
// permissions. It is safe for concurrent use.
type Authorities struct {
	mu    sync.RWMutex
	roles map[string][]string
	perms map[string][]string
}

var _ login.Authorizer = (*Authorities)(nil)

// NewAuthorities returns an empty Authorities: nobody has any role.
func NewAuthorities() *Authorities {
	return &Authorities{roles: map[string][]string{}, perms: map[string][]string{}}
}

// Grant sets userID's roles and permissions, replacing earlier ones.
func (a *Authorities) Grant(userID string, roles, permissions []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.roles[userID] = slices.Clone(roles)
	a.perms[userID] = slices.Clone(permissions)
}

// Roles returns userID's roles.
func (a *Authorities) Roles(_ context.Context, userID string) ([]string, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return slices.Clone(a.roles[userID]), nil
}

// Permissions returns userID's permissions.
func (a *Authorities) Permissions(_ context.Context, userID string) ([]string, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return slices.Clone(a.perms[userID]), nil
}

// NewAuthManager returns an auth.Manager on the in-memory session store
// with a random signing key, closed when the test ends: for tests that
// build their own dispatcher and login interceptor.
func NewAuthManager(t testing.TB) *auth.Manager {
	t.Helper()
	m, err := auth.New(auth.Config{
		Issuer: "porticotest", Audience: "porticotest",
		Keys:      []token.Key{{ID: "test", Secret: []byte(rand.Text() + rand.Text())}},
		ActiveKey: "test",
	})
	if err != nil {
		t.Fatalf("porticotest: auth manager: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}
