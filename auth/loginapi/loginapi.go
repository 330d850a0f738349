package loginapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"go.uber.org/fx"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor/login"
)

// ErrUnknownUser is what an Authenticator returns (possibly wrapped) for a
// user name it does not know.
var ErrUnknownUser = errors.New("loginapi: unknown user")

// User is an account as the Authenticator finds it.
type User struct {
	// ID identifies the user in sessions and tokens (auth.Principal.ID).
	ID string
	// Name is the display name carried in tokens.
	Name string
	// PasswordHash is the bcrypt hash of the user's password (see
	// auth.HashPassword).
	PasswordHash string
}

// Authenticator finds the user a login names: the application's user
// store, Spring Security's UserDetailsService.
type Authenticator interface {
	// FindUser returns the user called username, or an error wrapping
	// ErrUnknownUser. Any other error fails the login with 500 (and is
	// logged), never as bad credentials.
	FindUser(ctx context.Context, username string) (User, error)
}

// AuthenticatorFunc adapts a function to Authenticator.
type AuthenticatorFunc func(ctx context.Context, username string) (User, error)

// FindUser calls f.
func (f AuthenticatorFunc) FindUser(ctx context.Context, username string) (User, error) {
	return f(ctx, username)
}

// Sessions is what the endpoints need of *auth.Manager.
type Sessions interface {
	Login(ctx context.Context, user auth.Principal, clientIP string) (auth.TokenPair, error)
	Refresh(ctx context.Context, refreshToken, clientIP string) (auth.TokenPair, error)
	Logout(ctx context.Context, sessionID string) error
	LogoutAll(ctx context.Context, userID string) error
}

// Default paths.
const (
	DefaultLoginPath     = "/auth/login"
	DefaultRefreshPath   = "/auth/refresh"
	DefaultLogoutPath    = "/auth/logout"
	DefaultLogoutAllPath = "/auth/logout-all"
)

// Config configures the API; every field has a default.
type Config struct {
	// Paths of the four endpoints; "-" leaves an endpoint out.
	LoginPath, RefreshPath, LogoutPath, LogoutAllPath string
	// DummyHash is checked when the user is unknown; default
	// auth.DummyHash. It must have the cost of the real hashes.
	DummyHash string
	// ClientIP finds the client address for the limiter and the session;
	// default auth.ClientIP(r, nil), which trusts no proxy.
	ClientIP func(r *http.Request) string
	// Meta adds route metadata to the endpoint registered at a path (a
	// key is one of the paths above, as configured): OpenAPI route
	// options, Portico's stand-in for annotations, for instance.
	Meta map[string][]any
}

// API is the registrar of the login endpoints.
type API struct {
	sessions Sessions
	users    Authenticator
	limiter  auth.LoginLimiter
	cfg      Config
}

// New returns the API. A nil limiter means a memory auth.Limiter with its
// defaults.
func New(sessions Sessions, users Authenticator, limiter auth.LoginLimiter, cfg Config) (*API, error) {
	if sessions == nil || users == nil {
		return nil, errors.New("loginapi: Sessions and Authenticator are required")
	}
	if limiter == nil {
		limiter = auth.NewLimiter(auth.LimiterConfig{})
	}
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&cfg.LoginPath, DefaultLoginPath)
	def(&cfg.RefreshPath, DefaultRefreshPath)
	def(&cfg.LogoutPath, DefaultLogoutPath)
	def(&cfg.LogoutAllPath, DefaultLogoutAllPath)
	def(&cfg.DummyHash, auth.DummyHash)
	if cfg.ClientIP == nil {
		cfg.ClientIP = func(r *http.Request) string { return auth.ClientIP(r, nil) }
	}
	return &API{sessions: sessions, users: users, limiter: limiter, cfg: cfg}, nil
}

// PublicPaths are the paths that must not require a token: exclude them
// from a login interceptor that does not honour login.Ignore().
func (a *API) PublicPaths() []string {
	var ps []string
	for _, p := range []string{a.cfg.LoginPath, a.cfg.RefreshPath} {
		if p != "-" {
			ps = append(ps, p)
		}
	}
	return ps
}

// RegisterRoutes maps the endpoints.
func (a *API) RegisterRoutes(d *dispatcher.Dispatcher) error {
	var errs []error
	add := func(path string, h any, meta any) {
		if path != "-" {
			errs = append(errs, d.POST(path, h, dispatcher.WithMeta(append([]any{meta}, a.cfg.Meta[path]...)...)))
		}
	}
	add(a.cfg.LoginPath, handler.Typed(a.login), login.Ignore())
	add(a.cfg.RefreshPath, handler.Typed(a.refresh), login.Ignore())
	add(a.cfg.LogoutPath, handler.Typed(a.logout), login.RequireLogin())
	add(a.cfg.LogoutAllPath, handler.Typed(a.logoutAll), login.RequireLogin())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("loginapi: %w", err)
	}
	return nil
}

// Envelope is the body of every successful answer; Data is an
// auth.TokenPair for login and refresh, null for the logouts.
type Envelope struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data"`
}

func reply(msg string, data any) *handler.Response {
	return handler.NewResponse(http.StatusOK, Envelope{Code: http.StatusOK, Message: msg, Data: data})
}

// LoginRequest is the login body. The password limit is bcrypt's.
type LoginRequest struct {
	Username string `json:"username" validate:"required,max=256"`
	Password string `json:"password" validate:"required,max=72"`
	req      *http.Request
}

// FromRequest implements handler.RequestReader: the client address is
// read from the request.
func (in *LoginRequest) FromRequest(r *http.Request) error {
	in.req = r
	return nil
}

// RefreshRequest is the refresh body. A missing token is 401
// missing_token, like a missing access token.
type RefreshRequest struct {
	RefreshToken string `json:"refreshToken" validate:"max=1024"`
	req          *http.Request
}

// FromRequest implements handler.RequestReader.
func (in *RefreshRequest) FromRequest(r *http.Request) error {
	in.req = r
	return nil
}

// refreshInProgress is the reason auth reports when another refresh of the
// same token is under way; the client should retry, not log in again.
const refreshInProgress auth.Reason = "refresh_in_progress"

// fail answers an auth error the way the login interceptor does, with 409
// for a refresh in progress and 503 for a limiter or store that failed
// without saying why.
func fail(err error) error {
	if auth.ReasonOf(err) == refreshInProgress {
		return &handler.Error{Status: http.StatusConflict, Message: "refresh already in progress, retry", Reason: string(refreshInProgress), Err: err}
	}
	return login.ToHTTP(err)
}

func (a *API) login(ctx context.Context, in LoginRequest) (*handler.Response, error) {
	ip := a.cfg.ClientIP(in.req)
	if err := a.limiter.Allow(ctx, in.Username, ip); err != nil {
		return nil, a.refused(limiterError(err))
	}
	u, err := a.users.FindUser(ctx, in.Username)
	known := err == nil
	if err != nil && !errors.Is(err, ErrUnknownUser) {
		return nil, fmt.Errorf("loginapi: finding user: %w", err)
	}
	hash := a.cfg.DummyHash
	if known {
		hash = u.PasswordHash
	}
	if err := auth.CheckPassword(hash, in.Password); err != nil || !known {
		if ferr := a.limiter.Failure(ctx, in.Username, ip); ferr != nil {
			return nil, a.refused(limiterError(ferr))
		}
		if err == nil {
			err = &auth.Error{Reason: auth.ReasonBadCredentials, Err: ErrUnknownUser}
		}
		return nil, a.refused(login.ToHTTP(err))
	}
	if err := a.limiter.Success(ctx, in.Username, ip); err != nil {
		return nil, a.refused(limiterError(err))
	}
	pair, err := a.sessions.Login(ctx, auth.Principal{ID: u.ID, Name: u.Name}, ip)
	if err != nil {
		return nil, fail(err)
	}
	return reply("ok", pair), nil
}

// failureReporter is the optional part of Sessions that counts the
// logins refused before Sessions.Login is called; *auth.Manager has it and
// passes the outcome to its auth.Observer (metrics).
type failureReporter interface {
	ReportLoginFailure(reason auth.Reason)
}

// refused reports err's reason, if it has one, to a failureReporter and
// returns err.
func (a *API) refused(err error) error {
	if r, ok := a.sessions.(failureReporter); ok {
		if reason := auth.ReasonOf(err); reason != "" {
			r.ReportLoginFailure(reason)
		}
	}
	return err
}

// limiterError keeps the limiter's auth errors (429 with Retry-After, 503)
// and turns anything else into 503: a limiter that cannot count must not
// let guessing through.
func limiterError(err error) error {
	if auth.ReasonOf(err) == "" {
		err = &auth.Error{Reason: auth.ReasonStoreUnavailable, Err: err}
	}
	return login.ToHTTP(err)
}

func (a *API) refresh(ctx context.Context, in RefreshRequest) (*handler.Response, error) {
	pair, err := a.sessions.Refresh(ctx, in.RefreshToken, a.cfg.ClientIP(in.req))
	if err != nil {
		return nil, fail(err)
	}
	return reply("ok", pair), nil
}

func currentUser(ctx context.Context) (*login.User, error) {
	u, ok := login.CurrentUser(ctx)
	if !ok {
		return nil, errors.New("loginapi: no current user: register the login interceptor for the logout paths")
	}
	return u, nil
}

func (a *API) logout(ctx context.Context, _ handler.Empty) (*handler.Response, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.sessions.Logout(ctx, u.SessionID); err != nil {
		return nil, fail(err)
	}
	return reply("logged out", nil), nil
}

func (a *API) logoutAll(ctx context.Context, _ handler.Empty) (*handler.Response, error) {
	u, err := currentUser(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.sessions.LogoutAll(ctx, u.ID); err != nil {
		return nil, fail(err)
	}
	return reply("logged out everywhere", nil), nil
}

// Params are what Module's constructor takes from fx: an *auth.Manager and
// an Authenticator are required; a LoginLimiter and a Config are optional.
type Params struct {
	fx.In
	Manager       *auth.Manager
	Authenticator Authenticator
	Limiter       auth.LoginLimiter `optional:"true"`
	Config        Config            `optional:"true"`
}

// NewFromParams is New for fx.
func NewFromParams(p Params) (*API, error) {
	return New(p.Manager, p.Authenticator, p.Limiter, p.Config)
}

// Module registers the endpoints with portico.Module. Provide an
// Authenticator (fx.Annotate(f, fx.As(new(loginapi.Authenticator)))), an
// *auth.Manager, and optionally an auth.LoginLimiter and a Config.
var Module = fx.Module("loginapi", fx.Provide(portico.AsRegistrar(NewFromParams)))
