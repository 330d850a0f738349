package login

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/registry"
)

// MaxHeaderLen bounds the Authorization header the interceptor reads; a
// longer one is an invalid token, decided before any parsing.
const MaxHeaderLen = 8 << 10

// Authenticator is what the interceptor needs from auth.Manager.
type Authenticator interface {
	Authenticate(ctx context.Context, accessToken, clientIP string) (*auth.Identity, string, error)
}

// Interceptor is the login interceptor. Register it on the paths that need
// a user, the Spring way:
//
//	d.Interceptors().AddInterceptor(li).AddPathPatterns("/**").ExcludePathPatterns("/user/login")
type Interceptor struct {
	auth          Authenticator
	authz         Authorizer
	trusted       []netip.Prefix
	onlyAnnotated bool
	rules         []compiledRule
	err           error
}

// Option configures an Interceptor.
type Option func(*Interceptor)

// WithAuthorizer sets where roles and permissions come from.
func WithAuthorizer(a Authorizer) Option { return func(i *Interceptor) { i.authz = a } }

// TrustedProxies lists the peers whose X-Forwarded-For / X-Real-IP headers
// are believed when finding the client address for IP-bound sessions.
func TrustedProxies(prefixes ...netip.Prefix) Option {
	return func(i *Interceptor) { i.trusted = append(i.trusted, prefixes...) }
}

// OnlyAnnotated makes login required only on routes that carry
// RequireLogin, RequireRoles or RequirePermissions, or that a rule checks
// (Sa-Token's annotation mode). By default every route the interceptor is
// registered for requires login.
func OnlyAnnotated() Option { return func(i *Interceptor) { i.onlyAnnotated = true } }

// Rule is a SaRouter-style path rule: for requests whose path matches one
// of Match (and none of NotMatch), and whose method is in Methods when
// Methods is set, Check runs after the user is authenticated. A rule makes
// login required for the paths it matches.
type Rule struct {
	Match    []string
	NotMatch []string
	Methods  []string
	// Check returns nil to allow, or an error; use Forbidden for the
	// standard 403.
	Check func(ctx context.Context, r *http.Request, u *User) error
}

type compiledRule struct {
	match, notMatch []*registry.Pattern
	methods         []string
	check           func(ctx context.Context, r *http.Request, u *User) error
}

// WithRules adds path rules, checked in order.
func WithRules(rules ...Rule) Option {
	return func(i *Interceptor) {
		for _, r := range rules {
			c := compiledRule{methods: r.Methods, check: r.Check}
			for _, p := range r.Match {
				pat, err := registry.ParsePattern(p)
				if err != nil {
					i.err = errors.Join(i.err, fmt.Errorf("login rule: %w", err))
					continue
				}
				c.match = append(c.match, pat)
			}
			for _, p := range r.NotMatch {
				pat, err := registry.ParsePattern(p)
				if err != nil {
					i.err = errors.Join(i.err, fmt.Errorf("login rule: %w", err))
					continue
				}
				c.notMatch = append(c.notMatch, pat)
			}
			if r.Check == nil {
				i.err = errors.Join(i.err, errors.New("login rule: Check is nil"))
			}
			i.rules = append(i.rules, c)
		}
	}
}

// New returns a login interceptor over a (normally an *auth.Manager). Bad
// rules are reported here, at startup.
func New(a Authenticator, opts ...Option) (*Interceptor, error) {
	if a == nil {
		return nil, errors.New("login: Authenticator is nil")
	}
	i := &Interceptor{auth: a}
	for _, o := range opts {
		o(i)
	}
	if i.err != nil {
		return nil, i.err
	}
	return i, nil
}

// Forbidden is the error for a failed role or permission check: 403 with
// reason forbidden.
func Forbidden(detail string) error {
	return &handler.Error{Status: http.StatusForbidden, Message: "forbidden", Reason: string(auth.ReasonForbidden), Err: errors.New(detail)}
}

func (c *compiledRule) applies(r *http.Request) bool {
	if len(c.methods) > 0 {
		ok := false
		for _, m := range c.methods {
			if m == r.Method || m == http.MethodGet && r.Method == http.MethodHead {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, p := range c.notMatch {
		if p.Match(r.URL.Path) {
			return false
		}
	}
	for _, p := range c.match {
		if p.Match(r.URL.Path) {
			return true
		}
	}
	return len(c.match) == 0
}

// UsesRequestState reports true: PreHandle stores the user for
// CurrentUser, so every route this interceptor guards carries a request
// scope.
func (i *Interceptor) UsesRequestState() bool { return true }

// PreHandle authenticates the request and runs the authorization checks.
func (i *Interceptor) PreHandle(w http.ResponseWriter, r *http.Request, rt *handler.Route) (bool, error) {
	if _, ok := handler.MetaOf[ignore](rt); ok {
		return true, nil
	}
	rs, hasRoles := handler.MetaOf[roles](rt)
	ps, hasPerms := handler.MetaOf[permissions](rt)
	_, annotated := handler.MetaOf[requireLogin](rt)
	var rules []*compiledRule
	for k := range i.rules {
		if i.rules[k].applies(r) {
			rules = append(rules, &i.rules[k])
		}
	}
	if i.onlyAnnotated && !annotated && !hasRoles && !hasPerms && len(rules) == 0 {
		return true, nil
	}

	tok, err := bearer(r)
	if err != nil {
		return false, err
	}
	id, renewed, err := i.auth.Authenticate(r.Context(), tok, auth.ClientIP(r, i.trusted))
	if err != nil {
		return false, toHTTP(err)
	}
	u := &User{ID: id.UserID, Name: id.Name, SessionID: id.SessionID, ExpiresAt: id.ExpiresAt, authz: i.authz}
	currentUser.Set(r, u)
	if renewed != "" {
		h := w.Header()
		h.Set("New-Token", renewed)
		h.Add("Access-Control-Expose-Headers", "New-Token")
	}

	ctx := r.Context()
	if hasRoles {
		if err := check(ctx, rs.mode, rs.values, u.HasRole, "role"); err != nil {
			return false, err
		}
	}
	if hasPerms {
		if err := check(ctx, ps.mode, ps.values, u.HasPermission, "permission"); err != nil {
			return false, err
		}
	}
	for _, c := range rules {
		if err := c.check(ctx, r, u); err != nil {
			return false, err
		}
	}
	return true, nil
}

// check applies an all/any check with has, turning a provider failure into
// a 503: an authorization source that cannot answer never means "allowed".
func check(ctx context.Context, mode Mode, values []string, has func(context.Context, string) (bool, error), kind string) error {
	for _, v := range values {
		ok, err := has(ctx, v)
		if err != nil {
			return &handler.Error{Status: http.StatusServiceUnavailable, Message: "authorization unavailable", Reason: string(auth.ReasonStoreUnavailable), Err: err}
		}
		if ok && mode == Any {
			return nil
		}
		if !ok && mode == All {
			return Forbidden("missing " + kind + " " + v)
		}
	}
	if mode == Any && len(values) > 0 {
		return Forbidden("none of the " + kind + "s " + strings.Join(values, ", "))
	}
	return nil
}

// PostHandle does nothing.
func (i *Interceptor) PostHandle(http.ResponseWriter, *http.Request, *handler.Route, *handler.Result) error {
	return nil
}

// AfterCompletion does nothing.
func (i *Interceptor) AfterCompletion(http.ResponseWriter, *http.Request, *handler.Route, error) {}

// bearer extracts the token of "Authorization: Bearer <token>", the scheme
// matched case-insensitively. Two headers, an oversized one or another
// scheme are invalid; no header is missing.
func bearer(r *http.Request) (string, error) {
	vals := r.Header.Values("Authorization")
	switch len(vals) {
	case 0:
		return "", authError(auth.ReasonMissingToken, "no Authorization header")
	case 1:
	default:
		return "", authError(auth.ReasonInvalidToken, "more than one Authorization header")
	}
	v := vals[0]
	if len(v) > MaxHeaderLen {
		return "", authError(auth.ReasonInvalidToken, "Authorization header too long")
	}
	scheme, tok, _ := strings.Cut(strings.TrimSpace(v), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		if strings.TrimSpace(v) == "" {
			return "", authError(auth.ReasonMissingToken, "empty Authorization header")
		}
		return "", authError(auth.ReasonInvalidToken, "Authorization scheme is not Bearer")
	}
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return "", authError(auth.ReasonMissingToken, "empty Bearer token")
	}
	return tok, nil
}

func authError(reason auth.Reason, detail string) error {
	return toHTTP(&auth.Error{Reason: reason, Err: errors.New(detail)})
}

// messages are the client-facing texts per reason.
var messages = map[auth.Reason]string{
	auth.ReasonMissingToken:      "login required",
	auth.ReasonInvalidToken:      "invalid token",
	auth.ReasonExpired:           "session expired, log in again",
	auth.ReasonRevoked:           "session ended, log in again",
	auth.ReasonReplaced:          "logged in elsewhere, log in again",
	auth.ReasonKickedOut:         "session ended by an administrator",
	auth.ReasonStoreUnavailable:  "session store unavailable, try again",
	auth.ReasonBadCredentials:    "wrong username or password",
	auth.ReasonForbidden:         "forbidden",
	auth.ReasonTooManyRequests:   "too many attempts, try again later",
	auth.ReasonRefreshInProgress: "refreshed a moment ago by another request, use its tokens",
}

// ToHTTP converts an auth error into the framework's error with status and
// reason (with Retry-After for 429); other errors are returned unchanged.
// Login and refresh endpoints use it to answer like the interceptor does.
func ToHTTP(err error) error { return toHTTP(err) }

func toHTTP(err error) error {
	var ae *auth.Error
	if !errors.As(err, &ae) {
		return err
	}
	msg := messages[ae.Reason]
	if msg == "" {
		msg = string(ae.Reason)
	}
	he := &handler.Error{Status: ae.HTTPStatus(), Message: msg, Reason: string(ae.Reason), Err: err}
	if ae.RetryAfter > 0 {
		he.Header = http.Header{"Retry-After": {strconv.Itoa(int((ae.RetryAfter + 999_999_999) / 1_000_000_000))}}
	}
	return he
}
