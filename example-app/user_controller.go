package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor/login"
	"github.com/portico-go/portico/openapi"
)

// dummyHash is a bcrypt hash (cost 10, like the real ones) of a password
// nobody has. Checking it when the user does not exist makes a wrong user
// name cost as much as a wrong password, so timing does not reveal which
// names exist.
const dummyHash = "$2a$10$B5LtckJDw.qSCJ.vwIYvWOm.BUo9TmTNlCKPF3M5kTZ97lTy4RLma"

// userController is the @RestController for logging in and out.
type userController struct {
	users   *Store
	auth    *auth.Manager
	limiter *auth.Limiter
}

func newUserController(users *Store, m *auth.Manager, l *auth.Limiter) *userController {
	return &userController{users: users, auth: m, limiter: l}
}

// RegisterRoutes maps the controller; login and refresh are excluded from
// the login interceptor in interceptors.go, the others need a token.
func (c *userController) RegisterRoutes(d *dispatcher.Dispatcher) error {
	doc := func(summary string, meta ...any) dispatcher.RouteOption {
		return dispatcher.WithMeta(append([]any{openapi.Tags("users"), openapi.Summary(summary)}, meta...)...)
	}
	pair := openapi.Returns[apiResponse[tokenResponse]](200, "a new token pair")
	return errors.Join(
		d.POST("/user/login", handler.Typed(c.login), doc("Log in", pair,
			openapi.ReturnsError(401, "wrong username or password (reason bad_credentials)"),
			openapi.ReturnsError(429, "too many failed attempts; see Retry-After"))),
		d.POST("/user/refresh", handler.Typed(c.refresh), doc("Exchange a refresh token for a new pair", pair,
			openapi.ReturnsError(401, "the refresh token is invalid, expired or reused"))),
		d.POST("/user/logout", handler.Typed(c.logout), doc("Log out", openapi.Returns[apiResponse[*struct{}]](200, "logged out"))),
		d.GET("/api/user/info", handler.Typed(c.info), doc("Who am I", openapi.Returns[apiResponse[userInfo]](200, "the caller"))),
		d.POST("/api/admin/users/{username}/kickout", handler.Typed(c.kickout),
			dispatcher.WithMeta(login.RequireRoles(login.All, "admin")), doc("End every session of a user",
				openapi.Returns[apiResponse[map[string]string]](200, "the user whose sessions ended"),
				openapi.ReturnsError(404, "no such user"))),
	)
}

type loginRequest struct {
	Username string `json:"username" validate:"required,max=64"`
	Password string `json:"password" validate:"required,max=72"`
}

// tokenResponse is the login and refresh answer, in the camelCase of the
// rest of the API (auth.TokenPair itself marshals with OAuth's names).
type tokenResponse struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	TokenType    string `json:"tokenType"`
	ExpiresIn    int64  `json:"expiresIn"`
}

func tokens(p auth.TokenPair) *handler.Response {
	return ok(tokenResponse{AccessToken: p.AccessToken, RefreshToken: p.RefreshToken, TokenType: p.TokenType, ExpiresIn: p.ExpiresIn})
}

// login checks the password (behind the failed-login limiter) and starts a
// session.
func (c *userController) login(ctx context.Context, in loginRequest) (*handler.Response, error) {
	ip := clientIP(ctx)
	if err := c.limiter.Allow(in.Username, ip); err != nil {
		return nil, login.ToHTTP(err) // 429 with Retry-After
	}
	u, err := c.users.FindUser(ctx, in.Username)
	found := err == nil
	if err != nil && !errors.Is(err, errNoUser) {
		return nil, err
	}
	hash := dummyHash
	if found {
		hash = u.PasswordHash
	}
	if err := auth.CheckPassword(hash, in.Password); err != nil || !found {
		c.limiter.Failure(in.Username, ip)
		if err == nil {
			err = &auth.Error{Reason: auth.ReasonBadCredentials, Err: errNoUser}
		}
		return nil, login.ToHTTP(err) // 401 bad_credentials
	}
	c.limiter.Success(in.Username)
	pair, err := c.auth.Login(ctx, auth.Principal{ID: strconv.FormatInt(u.ID, 10), Name: u.Username}, ip)
	if err != nil {
		return nil, login.ToHTTP(err)
	}
	return tokens(pair), nil
}

type refreshRequest struct {
	RefreshToken string `json:"refreshToken"`
}

// refresh exchanges a refresh token for a new pair. Presenting one that was
// already exchanged ends the whole session (reuse detection).
func (c *userController) refresh(ctx context.Context, in refreshRequest) (*handler.Response, error) {
	pair, err := c.auth.Refresh(ctx, in.RefreshToken, clientIP(ctx))
	if err != nil {
		return nil, login.ToHTTP(err)
	}
	return tokens(pair), nil
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

// logout ends the caller's session: its access and refresh tokens stop
// working at once, on every instance sharing the session store.
func (c *userController) logout(ctx context.Context, _ handler.Empty) (*handler.Response, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.auth.Logout(ctx, u.SessionID); err != nil {
		return nil, login.ToHTTP(err)
	}
	return reply(200, "logged out", nil), nil
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
