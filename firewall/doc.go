// Package firewall rejects requests whose path could be read two ways,
// before the router ever sees them. It is Portico's counterpart of Spring
// Security's StrictHttpFirewall.
//
// Most published bypasses of interceptor-based authorization came from an
// interceptor judging one path while the router served another: a
// semicolon the matcher kept and the router dropped ("/admin/x;.js"), an
// encoded slash or dot one side decoded and the other did not ("%2F",
// "%2e%2e"), a doubled slash, a newline a regular expression did not
// expect ("%0a"). Normalizing such requests is fragile, because every
// later component would have to normalize them the same way; the firewall
// refuses them instead, so every component sees a path with only one
// reading.
//
// The dispatcher runs [Firewall.Check] before it maps a request to a route.
// A rejected request is answered with 400 (405 for a method outside the
// allowed set, 414 for an over-long path) and never reaches routing,
// interceptors or handlers. [Firewall.Wrap] offers the same check as plain
// net/http middleware for servers that do not use the dispatcher.
//
// Every rule is on by default. Options named Allow… relax one rule each,
// for applications that have a reason to accept that input; rules whose
// relaxation would reopen a known bypass (dot segments, control
// characters, a path that does not start with '/') cannot be relaxed.
//
// [SafeRedirectPath] is the companion check for redirects the framework
// builds from request data, such as trailing-slash redirects, so that they
// can never be turned into open redirects.
package firewall
