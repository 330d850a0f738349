package cors

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.uber.org/fx"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/registry"
)

// DefaultMaxAge is how long browsers may cache a preflight answer unless a
// mapping sets MaxAge; Spring's default.
const DefaultMaxAge = 30 * time.Minute

// RenewalHeader is always exposed: the login interceptor sends renewed
// access tokens in it, and a script cannot read a header that is not
// exposed.
const RenewalHeader = "New-Token"

// Registry collects CORS mappings, Spring's CorsRegistry. It is not safe
// for concurrent use; fill it at start-up, then pass it to New.
type Registry struct {
	mappings []*Registration
}

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry { return &Registry{} }

// AddMapping adds a mapping for the Spring path pattern (see
// registry.ParsePattern) and returns it for configuration. Mappings are
// consulted in the order they were added; the first that matches applies.
func (r *Registry) AddMapping(pattern string) *Registration {
	m := &Registration{
		pattern: pattern,
		origins: []string{"*"},
		methods: []string{http.MethodGet, http.MethodHead, http.MethodPost},
		headers: []string{"*"},
		maxAge:  DefaultMaxAge,
	}
	r.mappings = append(r.mappings, m)
	return m
}

// Registration is one mapping's configuration, Spring's CorsRegistration.
// Each setter replaces the previous value.
type Registration struct {
	pattern     string
	origins     []string
	patterns    []string
	methods     []string
	headers     []string
	exposed     []string
	credentials bool
	maxAge      time.Duration
}

// AllowedOrigins sets the origins allowed, exactly as browsers send them
// ("https://app.example.com", compared case-insensitively, a trailing
// slash ignored), or "*" for any. Without a call, any origin is allowed.
func (m *Registration) AllowedOrigins(origins ...string) *Registration {
	m.origins = slices.Clone(origins)
	return m
}

// AllowedOriginPatterns allows origins matching patterns in which "*"
// matches any characters and a trailing ":[8080,8081]" or ":[*]" lists
// ports: "https://*.example.com", "http://localhost:[*]". Unlike "*" in
// AllowedOrigins, patterns may be combined with credentials: the request's
// own origin is echoed. Calling it clears the default "*" of
// AllowedOrigins unless AllowedOrigins was called too.
func (m *Registration) AllowedOriginPatterns(patterns ...string) *Registration {
	m.patterns = slices.Clone(patterns)
	if len(m.origins) == 1 && m.origins[0] == "*" {
		m.origins = nil
	}
	return m
}

// AllowedMethods sets the methods a preflight may ask for, or "*" for any.
// The default is GET, HEAD and POST.
func (m *Registration) AllowedMethods(methods ...string) *Registration {
	m.methods = slices.Clone(methods)
	return m
}

// AllowedHeaders sets the request headers a preflight may ask for, or "*"
// (the default) for any.
func (m *Registration) AllowedHeaders(headers ...string) *Registration {
	m.headers = slices.Clone(headers)
	return m
}

// ExposedHeaders sets response headers scripts may read, beyond the
// CORS-safelisted ones; New-Token is always added.
func (m *Registration) ExposedHeaders(headers ...string) *Registration {
	m.exposed = slices.Clone(headers)
	return m
}

// AllowCredentials lets browsers send cookies and Authorization headers
// and show the response to the script. It cannot be combined with the
// wildcard origin.
func (m *Registration) AllowCredentials(allow bool) *Registration {
	m.credentials = allow
	return m
}

// MaxAge sets how long browsers may cache a preflight answer; zero or less
// asks them not to cache it.
func (m *Registration) MaxAge(d time.Duration) *Registration {
	m.maxAge = d
	return m
}

// mapping is a validated Registration.
type mapping struct {
	name        string
	path        *registry.Pattern
	anyOrigin   bool
	origins     map[string]bool
	patterns    []*regexp.Regexp
	anyMethod   bool
	methods     map[string]bool
	allowMethod string // Access-Control-Allow-Methods when not anyMethod
	anyHeader   bool
	headers     map[string]bool
	expose      string
	credentials bool
	maxAge      string
}

// CORS applies a Registry's mappings to requests. It is immutable and safe
// for concurrent use.
type CORS struct {
	mappings []*mapping
}

// New validates the registry's mappings and returns the CORS processor.
// Every problem is reported, each naming its mapping.
func New(reg *Registry) (*CORS, error) {
	if reg == nil {
		return nil, errors.New("cors: nil Registry")
	}
	c := &CORS{}
	var errs []error
	for _, r := range reg.mappings {
		m, err := compile(r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.mappings = append(c.mappings, m)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

func compile(r *Registration) (*mapping, error) {
	name := fmt.Sprintf("cors: mapping %q", r.pattern)
	p, err := registry.ParsePattern(r.pattern)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	m := &mapping{
		name:        name,
		path:        p,
		origins:     map[string]bool{},
		methods:     map[string]bool{},
		headers:     map[string]bool{},
		credentials: r.credentials,
		maxAge:      strconv.FormatInt(int64(max(r.maxAge, 0)/time.Second), 10),
	}
	var errs []error
	for _, o := range r.origins {
		if o == "*" {
			m.anyOrigin = true
			continue
		}
		if o == "" || strings.ContainsAny(o, " ,*") {
			errs = append(errs, fmt.Errorf("%s: origin %q is not a single origin such as https://app.example.com (use AllowedOriginPatterns for wildcards)", name, o))
			continue
		}
		m.origins[normalize(o)] = true
	}
	if m.anyOrigin && r.credentials {
		errs = append(errs, fmt.Errorf(`%s: AllowCredentials(true) with allowed origin "*": browsers refuse this combination; list the origins, or use AllowedOriginPatterns`, name))
	}
	for _, s := range r.patterns {
		re, err := originPattern(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		m.patterns = append(m.patterns, re)
	}
	if !m.anyOrigin && len(m.origins) == 0 && len(m.patterns) == 0 {
		errs = append(errs, fmt.Errorf("%s: no allowed origins", name))
	}
	var methods []string
	for _, v := range r.methods {
		switch {
		case v == "*":
			m.anyMethod = true
		case v == "" || strings.ContainsAny(v, " ,"):
			errs = append(errs, fmt.Errorf("%s: %q is not a method", name, v))
		default:
			v = strings.ToUpper(v)
			m.methods[v] = true
			methods = append(methods, v)
		}
	}
	m.allowMethod = strings.Join(methods, ",")
	for _, v := range r.headers {
		if v == "*" {
			m.anyHeader = true
			continue
		}
		m.headers[strings.ToLower(strings.TrimSpace(v))] = true
	}
	exposed := []string{RenewalHeader}
	for _, v := range r.exposed {
		if !slices.ContainsFunc(exposed, func(e string) bool { return strings.EqualFold(e, v) }) {
			exposed = append(exposed, v)
		}
	}
	m.expose = strings.Join(exposed, ",")
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return m, nil
}

// originPattern compiles Spring's origin pattern syntax.
func originPattern(s string) (*regexp.Regexp, error) {
	if s == "" {
		return nil, errors.New("empty origin pattern")
	}
	s = normalize(s)
	ports := ""
	if i := strings.LastIndex(s, ":["); i >= 0 && strings.HasSuffix(s, "]") {
		list := s[i+2 : len(s)-1]
		s = s[:i]
		if list == "*" {
			ports = `(:\d+)?`
		} else {
			var alts []string
			for p := range strings.SplitSeq(list, ",") {
				p = strings.TrimSpace(p)
				if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
					return nil, fmt.Errorf("origin pattern %q: %q is not a port", s, p)
				}
				alts = append(alts, p)
			}
			ports = `:(` + strings.Join(alts, "|") + `)`
		}
	}
	if s == "*" {
		return regexp.Compile(`^.*$`)
	}
	var b strings.Builder
	b.WriteString("^")
	for i, part := range strings.Split(s, "*") {
		if i > 0 {
			b.WriteString(".*")
		}
		b.WriteString(regexp.QuoteMeta(part))
	}
	b.WriteString(ports + "$")
	return regexp.Compile(b.String())
}

// normalize makes origins comparable: browsers send them lower-case and
// without a trailing slash, configuration may not.
func normalize(o string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(o)), "/")
}

// allowOrigin returns the Access-Control-Allow-Origin value for origin, or
// "" when it is not allowed.
func (m *mapping) allowOrigin(origin string) string {
	o := normalize(origin)
	if m.anyOrigin {
		return "*"
	}
	if m.origins[o] {
		return origin
	}
	for _, re := range m.patterns {
		if re.MatchString(o) {
			return origin
		}
	}
	return ""
}

func (c *CORS) match(path string) *mapping {
	for _, m := range c.mappings {
		if m.path.Match(path) {
			return m
		}
	}
	return nil
}

// Wrap returns next behind the CORS checks.
func (c *CORS) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := c.match(r.URL.Path)
		if m == nil {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		// Caches must key on these even when this request is not a CORS
		// one, or a same-origin response could be served to a cross-origin
		// script.
		h.Add("Vary", "Origin")
		h.Add("Vary", "Access-Control-Request-Method")
		h.Add("Vary", "Access-Control-Request-Headers")
		origin := r.Header.Get("Origin")
		preflight := r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != ""
		if origin == "" || (!preflight && sameOrigin(r, origin)) {
			next.ServeHTTP(w, r)
			return
		}
		allowed := m.allowOrigin(origin)
		if allowed == "" {
			reject(w)
			return
		}
		if preflight {
			if !m.preflight(h, r) {
				reject(w)
				return
			}
		} else if m.expose != "" {
			h.Set("Access-Control-Expose-Headers", m.expose)
		}
		h.Set("Access-Control-Allow-Origin", allowed)
		if m.credentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if preflight {
			w.WriteHeader(http.StatusOK)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// preflight checks the requested method and headers and sets the preflight
// answer's headers; false means the preflight is refused.
func (m *mapping) preflight(h http.Header, r *http.Request) bool {
	method := strings.TrimSpace(r.Header.Get("Access-Control-Request-Method"))
	if !m.anyMethod && !m.methods[method] {
		return false
	}
	var want []string
	for _, v := range r.Header.Values("Access-Control-Request-Headers") {
		for name := range strings.SplitSeq(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				if !m.anyHeader && !m.headers[strings.ToLower(name)] {
					return false
				}
				want = append(want, name)
			}
		}
	}
	if m.anyMethod {
		h.Set("Access-Control-Allow-Methods", method)
	} else {
		h.Set("Access-Control-Allow-Methods", m.allowMethod)
	}
	if len(want) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(want, ","))
	}
	h.Set("Access-Control-Max-Age", m.maxAge)
	return true
}

// sameOrigin reports whether origin is the request's own scheme, host and
// port, in which case the request is not a CORS one. No forwarding header
// is trusted.
func sameOrigin(r *http.Request, origin string) bool {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return strings.EqualFold(origin, scheme+"://"+r.Host)
}

func reject(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte("Invalid CORS request"))
}

// Filter returns c as a portico.Filter at portico.OrderCORS.
func (c *CORS) Filter() portico.Filter {
	return portico.Filter{Name: "cors", Order: portico.OrderCORS, Wrap: c.Wrap}
}

// NewFilter validates reg and returns its portico.Filter; a bad mapping
// fails start-up.
func NewFilter(reg *Registry) (portico.Filter, error) {
	c, err := New(reg)
	if err != nil {
		return portico.Filter{}, err
	}
	return c.Filter(), nil
}

// Module wraps portico.Module's dispatcher in the CORS filter built from
// the *Registry the application provides:
//
//	fx.Provide(func() *cors.Registry {
//		reg := cors.NewRegistry()
//		reg.AddMapping("/api/**").AllowedOrigins("https://app.example.com")
//		return reg
//	}),
//	cors.Module,
var Module = fx.Module("cors", fx.Provide(portico.AsFilter(NewFilter)))
