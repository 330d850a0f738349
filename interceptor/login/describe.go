package login

import (
	"net/http"
	"slices"

	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/registry"
)

// Need says whether the interceptor demands a logged-in user on a route,
// decided from the route's metadata and the interceptor's rules the way
// PreHandle decides it per request.
type Need uint8

const (
	// NeverNeeded means every request passes without a token (Ignore, or
	// OnlyAnnotated with nothing on the route asking for a user).
	NeverNeeded Need = iota
	// AlwaysNeeded means every request needs a valid bearer token.
	AlwaysNeeded
	// NeededPerRequest means a path rule decides per request, because the
	// route serves paths its patterns match and paths they do not.
	NeededPerRequest
)

// String returns "never", "always" or "per request".
func (n Need) String() string {
	switch n {
	case AlwaysNeeded:
		return "always"
	case NeededPerRequest:
		return "per request"
	}
	return "never"
}

// Requirement is what the interceptor demands on one route, for tools that
// describe the application, such as API document generators.
type Requirement struct {
	// Login says whether a bearer token is needed.
	Login Need
	// Ignored is set when the route carries Ignore, which beats every
	// other rule.
	Ignored bool
	// Roles and Permissions are the route's RequireRoles and
	// RequirePermissions values, checked with RolesMode and
	// PermissionsMode.
	Roles           []string
	RolesMode       Mode
	Permissions     []string
	PermissionsMode Mode
	// Rules counts the path rules that apply to the route on every
	// request or on some; their checks are code, so a document can only
	// say that they may refuse with 403.
	Rules int
}

// Requirement reports what the interceptor demands on rt when it runs
// there. The route's template and method decide each rule with the
// registry's pattern decisions, so only a rule matching some of the
// route's paths makes the answer NeededPerRequest.
func (i *Interceptor) Requirement(rt *handler.Route) Requirement {
	var req Requirement
	if _, ok := handler.MetaOf[ignore](rt); ok {
		req.Ignored = true
		return req
	}
	rs, hasRoles := handler.MetaOf[roles](rt)
	ps, hasPerms := handler.MetaOf[permissions](rt)
	_, annotated := handler.MetaOf[requireLogin](rt)
	if hasRoles {
		req.Roles, req.RolesMode = slices.Clone(rs.values), rs.mode
	}
	if hasPerms {
		req.Permissions, req.PermissionsMode = slices.Clone(ps.values), ps.mode
	}
	someRule, allRule := false, false
	for k := range i.rules {
		switch i.rules[k].decide(rt) {
		case registry.MatchesAll:
			allRule = true
			req.Rules++
		case registry.MatchesSome:
			someRule = true
			req.Rules++
		}
	}
	switch {
	case !i.onlyAnnotated, annotated, hasRoles, hasPerms, allRule:
		req.Login = AlwaysNeeded
	case someRule:
		req.Login = NeededPerRequest
	}
	return req
}

// decide is applies for every request the route can receive at once.
func (c *compiledRule) decide(rt *handler.Route) registry.Decision {
	if len(c.methods) > 0 && !slices.ContainsFunc(c.methods, func(m string) bool {
		return m == rt.Method || m == http.MethodGet && rt.Method == http.MethodHead
	}) {
		return registry.MatchesNone
	}
	d := registry.MatchesAll
	for _, p := range c.notMatch {
		switch decision(p, rt.Path) {
		case registry.MatchesAll:
			return registry.MatchesNone
		case registry.MatchesSome:
			d = registry.MatchesSome
		}
	}
	if len(c.match) == 0 {
		return d
	}
	m := registry.MatchesNone
	for _, p := range c.match {
		switch decision(p, rt.Path) {
		case registry.MatchesAll:
			return d
		case registry.MatchesSome:
			m = registry.MatchesSome
		}
	}
	return m
}

// decision treats a template the registry cannot read as undecided, the
// safe answer.
func decision(p *registry.Pattern, tmpl string) registry.Decision {
	d, err := p.Decide(tmpl)
	if err != nil {
		return registry.MatchesSome
	}
	return d
}
