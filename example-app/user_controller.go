package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/auth/loginapi"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor/login"
	"github.com/portico-go/portico/openapi"
)

// userController is the @RestController for the current user and the
// administrators' kick-out. Logging in and out are the framework's
// endpoints (auth/loginapi), mounted at the app's paths by newLoginAPI.
type userController struct {
	users *Store
	auth  *auth.Manager
}

func newUserController(users *Store, m *auth.Manager) *userController {
	return &userController{users: users, auth: m}
}

// RegisterRoutes maps the controller; every route needs a token.
func (c *userController) RegisterRoutes(d *dispatcher.Dispatcher) error {
	doc := func(summary string, meta ...any) dispatcher.RouteOption {
		return dispatcher.WithMeta(append([]any{openapi.Tags("users"), openapi.Summary(summary)}, meta...)...)
	}
	return errors.Join(
		d.GET("/api/user/info", handler.Typed(c.info), doc("Who am I", openapi.Returns[apiResponse[userInfo]](200, "the caller"))),
		d.POST("/api/admin/users/{username}/kickout", handler.Typed(c.kickout),
			dispatcher.WithMeta(login.RequireRoles(login.All, "admin")), doc("End every session of a user",
				openapi.Returns[apiResponse[map[string]string]](200, "the user whose sessions ended"),
				openapi.ReturnsError(404, "no such user"))),
	)
}

// newLoginAPI is the framework's login, refresh, logout and log out
// everywhere endpoints at the paths this app has always used; login and
// refresh are excluded from the login interceptor in interceptors.go.
func newLoginAPI(users *Store, m *auth.Manager, l auth.LoginLimiter) (*loginapi.API, error) {
	return loginapi.New(m, loginapi.AuthenticatorFunc(users.account), l, loginapi.Config{
		LoginPath:     "/user/login",
		RefreshPath:   "/user/refresh",
		LogoutPath:    "/user/logout",
		LogoutAllPath: "/user/logout-all",
		ClientIP:      func(r *http.Request) string { return clientIP(r.Context()) },
		Meta:          loginDocs(),
	})
}

// loginDocs describes the login endpoints in the API document.
func loginDocs() map[string][]any {
	doc := func(summary string, meta ...any) []any {
		return append([]any{openapi.Tags("users"), openapi.Summary(summary),
			openapi.ReadsRequest("the client address, for the failed-login limiter and the session")}, meta...)
	}
	pair := openapi.Returns[apiResponse[auth.TokenPair]](200, "a new token pair")
	done := openapi.Returns[apiResponse[*struct{}]](200, "logged out")
	return map[string][]any{
		"/user/login": doc("Log in", pair,
			openapi.ReturnsError(401, "wrong username or password (reason bad_credentials)"),
			openapi.ReturnsError(429, "too many failed attempts; see Retry-After")),
		"/user/refresh": doc("Exchange a refresh token for a new pair", pair,
			openapi.ReturnsError(401, "the refresh token is invalid, expired or reused"),
			openapi.ReturnsError(409, "the token was exchanged a moment ago by another tab (reason refresh_in_progress)")),
		"/user/logout":     doc("Log out", done),
		"/user/logout-all": doc("Log out everywhere", done),
	}
}

// account is the loginapi.Authenticator over the users table.
func (s *Store) account(ctx context.Context, name string) (loginapi.User, error) {
	u, err := s.FindUser(ctx, name)
	if errors.Is(err, errNoUser) {
		return loginapi.User{}, loginapi.ErrUnknownUser
	}
	if err != nil {
		return loginapi.User{}, err
	}
	return loginapi.User{ID: strconv.FormatInt(u.ID, 10), Name: u.Username, PasswordHash: u.PasswordHash}, nil
}

// currentUser returns the user the login interceptor put in the request.
func currentUser(ctx context.Context) (*login.User, error) {
	u, ok := login.CurrentUser(ctx)
	if !ok {
		// Only possible if the interceptor registration were changed.
		return nil, errors.New("no current user: is the login interceptor registered for this route?")
	}
	return u, nil
}

type userInfo struct {
	ID          int64    `json:"id"`
	Username    string   `json:"username"`
	Roles       []string `json:"roles"`
	Permissions []string `json:"permissions"`
}

// info describes the caller; the books page uses the permissions to decide
// which buttons to show (the API checks them again on every call).
func (c *userController) info(ctx context.Context, _ handler.Empty) (*handler.Response, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	roles, err := u.Roles(ctx)
	if err != nil {
		return nil, fmt.Errorf("roles of user %s: %w", u.ID, err)
	}
	perms, err := u.Permissions(ctx)
	if err != nil {
		return nil, fmt.Errorf("permissions of user %s: %w", u.ID, err)
	}
	id, err := strconv.ParseInt(u.ID, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("user id %q: %w", u.ID, err)
	}
	return ok(userInfo{ID: id, Username: u.Name, Roles: nonNil(roles), Permissions: nonNil(perms)}), nil
}

type kickoutRequest struct {
	Username string `path:"username" validate:"required,max=64"`
}

// kickout ends every session of a user (admins only); their next request
// fails with reason kicked_out.
func (c *userController) kickout(ctx context.Context, in kickoutRequest) (*handler.Response, error) {
	u, err := c.users.FindUser(ctx, in.Username)
	if errors.Is(err, errNoUser) {
		return nil, handler.Errorf(404, "user %q not found", in.Username)
	}
	if err != nil {
		return nil, err
	}
	if err := c.auth.Kickout(ctx, strconv.FormatInt(u.ID, 10)); err != nil {
		return nil, login.ToHTTP(err)
	}
	return reply(200, "sessions ended", map[string]string{"username": u.Username}), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
