// Package registry is Portico's interceptor registry: Spring's
// InterceptorRegistry with its path patterns, and the startup decision of
// which interceptors each route runs.
//
// Registrations follow Spring: an interceptor applies to a request unless
// an exclude pattern matches, its method is excluded, include patterns are
// given and none matches, or include methods are given and none matches.
// Chains are sorted by Order, lowest first, stably.
//
// Patterns use Spring's PathPattern syntax plus AntPathMatcher's "**"
// anywhere (see ParsePattern and docs/path-patterns.md). Matching is by
// whole segments: "/api/admin/**" covers "/api/admin" and "/api/admin/x"
// but never "/api/administrator".
//
// Routes are known at startup, so Registry.Chain decides, for each pattern
// and route template, whether the pattern matches ALL, NONE or only SOME of
// the paths the route can serve. Only SOME is left to a per-request check
// (Entry.Cond), with precompiled patterns that do not allocate.
package registry
