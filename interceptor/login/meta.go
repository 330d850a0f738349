package login

// Mode says whether a role or permission check needs all of its values or
// any one of them.
type Mode int

// Modes for RequireRoles and RequirePermissions.
const (
	All Mode = iota
	Any
)

func (m Mode) String() string {
	if m == Any {
		return "any"
	}
	return "all"
}

// ignore is @SaIgnore: no check at all, beating every other rule.
type ignore struct{}

// requireLogin is @SaCheckLogin.
type requireLogin struct{}

// roles is @SaCheckRole.
type roles struct {
	mode   Mode
	values []string
}

// permissions is @SaCheckPermission.
type permissions struct {
	mode   Mode
	values []string
}

// The functions below return route metadata, attached at registration
// with dispatcher.WithMeta:
//
//	d.POST("/book", create, dispatcher.WithMeta(login.RequirePermissions(login.All, "book:create")))

// Ignore marks a route as public: the login interceptor lets every request
// through, whatever its path rules say (seed 003's @SaIgnore).
func Ignore() any { return ignore{} }

// RequireLogin marks a route as needing a logged-in user, for interceptors
// built with OnlyAnnotated.
func RequireLogin() any { return requireLogin{} }

// RequireRoles requires the user to have all (or any) of the roles.
func RequireRoles(mode Mode, values ...string) any { return roles{mode, values} }

// RequirePermissions requires all (or any) of the permissions, each granted
// directly or through a wildcard (see PermissionMatches).
func RequirePermissions(mode Mode, values ...string) any { return permissions{mode, values} }
