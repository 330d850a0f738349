package firewall

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/portico-go/portico/handler"
)

// DefaultMaxPathLength bounds the decoded and the raw path unless
// MaxPathLength says otherwise. Real routes are far shorter; the bound keeps
// the cost of hostile inputs small and predictable.
const DefaultMaxPathLength = 8 << 10

// relax is a set of rules an application has chosen to switch off.
type relax uint8

const (
	allowSemicolon relax = 1 << iota
	allowEncodedSlash
	allowEncodedPeriod
	allowEncodedPercent
	allowBackslash
	allowDoubleSlash
	allowPaddedSegment
)

// Firewall decides whether a request's path, method and headers are
// unambiguous enough to be routed. It is immutable after New and safe for
// concurrent use. Make one with New: the zero Firewall allows no method, so
// it rejects every request.
type Firewall struct {
	relax   relax
	methods []string // sorted, without duplicates
	// std has the stdBit of every allowed method, so the common methods
	// are judged without a loop over strings.
	std     uint8
	allow   string // methods joined for the Allow header
	maxPath int
	headers bool // check header names and values too
	// stop marks the bytes checkPath must look at; the rest are skipped
	// in a tight loop, which is most of every clean path.
	stop [256]bool
}

// Option configures a Firewall. Every option relaxes or tunes one rule.
type Option func(*Firewall)

// New returns a Firewall with every rule on, then applies opts in order.
//
// By default it allows the methods DELETE, GET, HEAD, OPTIONS, PATCH, POST
// and PUT, and paths of at most DefaultMaxPathLength bytes that start with
// '/' and contain no ';', '\', '%' (after decoding), encoded '/' or '.',
// empty, "." or ".." segments, segments that start or end with a space,
// control or other non-printable characters, or invalid UTF-8. With
// CheckHeaders, also no control characters in header names, header values
// or the host. The
// target "*" is allowed for OPTIONS only.
func New(opts ...Option) *Firewall {
	f := &Firewall{
		methods: []string{
			http.MethodDelete, http.MethodGet, http.MethodHead, http.MethodOptions,
			http.MethodPatch, http.MethodPost, http.MethodPut,
		},
		maxPath: DefaultMaxPathLength,
	}
	for _, opt := range opts {
		if opt != nil {
			opt(f)
		}
	}
	slices.Sort(f.methods)
	f.methods = slices.Compact(f.methods)
	f.allow = strings.Join(f.methods, ", ")
	for _, m := range f.methods {
		f.std |= stdBit(m)
	}
	for c := range f.stop {
		f.stop[c] = c < ' ' || c >= 0x7f || c == '/' || c == '\\' ||
			(c == ';' && f.relax&allowSemicolon == 0) ||
			(c == '%' && f.relax&allowEncodedPercent == 0)
	}
	return f
}

// AllowSemicolon lets ';' (raw or %3B) through, for matrix variables.
// Even then a segment is judged by what comes before its first ';', so
// "/..;/admin" still counts as a ".." segment for the containers behind a
// proxy that would strip the parameter.
func AllowSemicolon() Option { return func(f *Firewall) { f.relax |= allowSemicolon } }

// AllowEncodedSlash lets %2F through. The router matches the decoded path,
// so "/a%2Fb" is served by the route for "/a/b"; relax this only when no
// component judges the raw path.
func AllowEncodedSlash() Option { return func(f *Firewall) { f.relax |= allowEncodedSlash } }

// AllowEncodedPeriod lets %2E through. Dot segments are still rejected
// after decoding, so "%2e%2e" alone as a segment never passes.
func AllowEncodedPeriod() Option { return func(f *Firewall) { f.relax |= allowEncodedPeriod } }

// AllowEncodedPercent lets %25 through, so the decoded path may hold '%'.
// The router does not decode twice, but anything downstream that does
// (a proxy, a file server, a template) would see a different path.
func AllowEncodedPercent() Option { return func(f *Firewall) { f.relax |= allowEncodedPercent } }

// AllowBackslash lets '\' (raw or %5C) through. Dot segments are then
// detected with '\' as a separator too, since Windows file APIs and
// browsers split on it.
func AllowBackslash() Option { return func(f *Firewall) { f.relax |= allowBackslash } }

// AllowDoubleSlash lets empty segments ("//") through. Leading "//" then
// also reaches trailing-slash redirects, which must use SafeRedirectPath.
func AllowDoubleSlash() Option { return func(f *Firewall) { f.relax |= allowDoubleSlash } }

// AllowPaddedSegments lets through segments that start or end with a
// space ("/admin%20"). Spaces inside a segment are always allowed; at its
// edges they are what trimming matchers and Windows file names silently
// drop, which made "/admin%20" reach a controller its security rule did not
// cover (Spring, CVE-2016-5007).
func AllowPaddedSegments() Option { return func(f *Firewall) { f.relax |= allowPaddedSegment } }

// CheckHeaders also rejects control characters in header names, header
// values and the host. Go's own servers refuse such requests before any
// handler runs, so this matters only when requests come from elsewhere.
func CheckHeaders() Option { return func(f *Firewall) { f.headers = true } }

// AllowMethods adds methods to the allowed set, e.g. "PROPFIND" for WebDAV.
// Methods are case-sensitive, as in HTTP: "get" is not GET.
func AllowMethods(methods ...string) Option {
	return func(f *Firewall) {
		for _, m := range methods {
			if m != "" {
				f.methods = append(f.methods, m)
			}
		}
	}
}

// MaxPathLength sets the longest decoded or raw path accepted, in bytes.
// A value below 1 keeps the default, so a zero value from configuration
// can never switch the bound off.
func MaxPathLength(n int) Option {
	return func(f *Firewall) {
		if n > 0 {
			f.maxPath = n
		}
	}
}

// Check returns nil when r may be routed, and otherwise a *handler.Error
// that names the first rule r breaks: status 400 with Reason ReasonPath or
// ReasonHeader, 405 with Reason ReasonMethod and an Allow header, or 414
// for an over-long path. errors.Is matches it against the Err… values.
//
// Check allocates nothing for a request it allows.
func (f *Firewall) Check(r *http.Request) error {
	e := f.check(r)
	if e == nil {
		return nil
	}
	c := *e
	if e == ErrMethod {
		c.Header = http.Header{"Allow": {f.allow}}
	}
	return &c
}

// RequestOK and SegmentOK split Check for a caller that has already cut
// the path into segments, as a router does while it matches, so the path
// is not read twice: when RequestOK(r) holds and SegmentOK holds for every
// segment of r.URL.Path (a trailing empty segment aside), Check(r) is nil.
// Both may report false for a request Check would allow; the caller then
// asks Check, which names the rule broken, if any.
//
// RequestOK reports whether r passes every rule that is not about the
// bytes of its decoded path's segments: the method, the target's form and
// length, and, since it reports false whenever they would have to be
// read, the raw path and the headers.
func (f *Firewall) RequestOK(r *http.Request) bool {
	if r.URL == nil || r.URL.RawPath != "" || f.headers {
		return false
	}
	p := r.URL.Path
	return len(p) <= f.maxPath && p != "" && p[0] == '/' && f.methodAllowed(r.Method)
}

// SegmentOK reports whether s, one segment of a decoded path, passes every
// rule Check applies to segments, whether a '/' follows it or not. See
// RequestOK. An empty segment is not OK: between two slashes it is a
// doubled slash.
func (f *Firewall) SegmentOK(s string) bool {
	for i := 0; i < len(s); i++ {
		if f.stop[s[i]] {
			return false
		}
	}
	return f.nameOK(s)
}

// Segment returns the length of the segment rest starts with (up to its
// first '/') and whether SegmentOK admits it, in one pass, for a router
// that needs the segment's end anyway.
func (f *Firewall) Segment(rest string) (n int, ok bool) {
	ok = true
	for ; n < len(rest); n++ {
		if c := rest[n]; f.stop[c] {
			if c == '/' {
				break
			}
			ok = false
		}
	}
	if !ok || n == 0 {
		return n, false
	}
	if f.relax&allowSemicolon != 0 || n <= 2 {
		return n, f.nameOK(rest[:n])
	}
	// Longer than "..", and with no ';' to cut it short: only padding is
	// left to judge.
	return n, rest[0] != ' ' && rest[n-1] != ' '
}

// nameOK is SegmentOK's test of a segment as a whole.
func (f *Firewall) nameOK(s string) bool {
	name := s
	if f.relax&allowSemicolon != 0 {
		name = segmentName(s)
	}
	return name != "" && name[0] != ' ' && name[len(name)-1] != ' ' && name != "." && name != ".."
}

// Wrap returns middleware that runs Check before next and answers a
// rejected request itself, with the framework's JSON error shape:
// {"code":400,"message":"…","reason":"rejected_path"}.
func (f *Firewall) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e := f.check(r)
		if e == nil {
			next.ServeHTTP(w, r)
			return
		}
		if e == ErrMethod {
			w.Header().Set("Allow", f.allow)
		}
		writeError(w, e)
	})
}

func writeError(w http.ResponseWriter, e *handler.Error) {
	body, err := json.Marshal(struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Reason  string `json:"reason,omitempty"`
	}{e.Status, e.Message, e.Reason})
	if err != nil {
		// Unreachable with the package's own messages; the status alone
		// still tells the client what happened.
		w.WriteHeader(e.Status)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

// check returns the package's error for the first rule r breaks, shared
// and never to be modified, or nil.
func (f *Firewall) check(r *http.Request) *handler.Error {
	if !f.methodAllowed(r.Method) {
		return ErrMethod
	}
	if r.URL == nil {
		return ErrNotAbsolute
	}
	p, raw := r.URL.Path, r.URL.RawPath
	if len(p) > f.maxPath || len(raw) > f.maxPath {
		return ErrPathTooLong
	}
	if p == "*" && raw == "" && r.Method == http.MethodOptions {
		// The asterisk-form target of RFC 9112 §3.2.4 names the server,
		// not a resource; it has no segments to disguise.
		return f.checkHeaders(r)
	}
	if p == "" || p[0] != '/' {
		return ErrNotAbsolute
	}
	if raw != "" {
		// Go's URL parser fills RawPath only when the wire form is not the
		// default encoding of Path, so a clean request skips this.
		if e := f.checkRaw(raw, p); e != nil {
			return e
		}
	}
	if e := f.checkPath(p); e != nil {
		return e
	}
	return f.checkHeaders(r)
}

// stdBit is the bit of std for m, or 0 for a method outside the common
// seven.
func stdBit(m string) uint8 {
	switch m {
	case http.MethodGet:
		return 1 << 0
	case http.MethodHead:
		return 1 << 1
	case http.MethodPost:
		return 1 << 2
	case http.MethodPut:
		return 1 << 3
	case http.MethodPatch:
		return 1 << 4
	case http.MethodDelete:
		return 1 << 5
	case http.MethodOptions:
		return 1 << 6
	}
	return 0
}

func (f *Firewall) methodAllowed(m string) bool {
	if bit := stdBit(m); bit != 0 {
		return f.std&bit != 0
	}
	for _, a := range f.methods {
		if a == m {
			return true
		}
	}
	return false
}

// checkRaw judges the path as it was sent. Only the encodings that decode
// into characters with a meaning of their own are looked for here: the
// rest (%25, %3B, %5C, %00, …) leave a trace in the decoded path, which
// checkPath sees whether or not RawPath was kept.
func (f *Firewall) checkRaw(raw, p string) *handler.Error {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c <= ' ' || c >= 0x7f || c == '#' {
			return ErrRawCharacter
		}
		if c != '%' || i+2 >= len(raw) {
			continue
		}
		switch {
		case raw[i+1] == '2' && (raw[i+2] == 'F' || raw[i+2] == 'f'):
			if f.relax&allowEncodedSlash == 0 {
				return ErrEncodedSlash
			}
		case raw[i+1] == '2' && (raw[i+2] == 'E' || raw[i+2] == 'e'):
			if f.relax&allowEncodedPeriod == 0 {
				return ErrEncodedPeriod
			}
		}
	}
	if !decodesTo(raw, p) {
		return ErrRawMismatch
	}
	return nil
}

// decodesTo reports whether percent-decoding raw yields p exactly, without
// building the decoded string. A malformed escape never matches.
func decodesTo(raw, p string) bool {
	j := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '%' {
			if i+2 >= len(raw) {
				return false
			}
			hi, ok1 := unhex(raw[i+1])
			lo, ok2 := unhex(raw[i+2])
			if !ok1 || !ok2 {
				return false
			}
			c = hi<<4 | lo
			i += 2
		}
		if j >= len(p) || p[j] != c {
			return false
		}
		j++
	}
	return j == len(p)
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// checkPath judges the decoded path, the one the router matches. p starts
// with '/'.
func (f *Firewall) checkPath(p string) *handler.Error {
	seg := 1 // start of the current segment
	for i := 1; i < len(p); i++ {
		c := p[i]
		if !f.stop[c] {
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(p[i:])
			if r == utf8.RuneError && size == 1 {
				return ErrInvalidUTF8
			}
			// IsPrint leaves out controls, U+2028/U+2029, format
			// characters such as bidi overrides and zero-width spaces,
			// unassigned code points and spaces other than U+0020.
			if !unicode.IsPrint(r) {
				return ErrControl
			}
			i += size - 1
			continue
		}
		switch {
		case c < ' ' || c == 0x7f:
			return ErrControl
		case c == ';':
			if f.relax&allowSemicolon == 0 {
				return ErrSemicolon
			}
		case c == '%':
			if f.relax&allowEncodedPercent == 0 {
				return ErrEncodedPercent
			}
		case c == '\\':
			if f.relax&allowBackslash == 0 {
				return ErrBackslash
			}
			if e := f.checkSegment(p[seg:i], false); e != nil {
				return e
			}
			seg = i + 1
		case c == '/':
			// A segment of three bytes or more that neither starts nor
			// ends with a space cannot break a segment rule, which is
			// most segments: no call for them.
			if i-seg < 3 || p[seg] == ' ' || p[i-1] == ' ' || f.relax&allowSemicolon != 0 {
				if e := f.checkSegment(p[seg:i], true); e != nil {
					return e
				}
			}
			seg = i + 1
		}
	}
	// A trailing slash leaves an empty last segment; the router decides
	// what it means, so only the other segment rules apply.
	return f.checkSegment(p[seg:], false)
}

// checkSegment judges one segment of the decoded path. inner says a
// separator follows it, so that an empty segment is a doubled slash.
func (f *Firewall) checkSegment(s string, inner bool) *handler.Error {
	name := s
	if f.relax&allowSemicolon != 0 {
		name = segmentName(s)
	}
	if name == "" {
		if inner && f.relax&allowDoubleSlash == 0 {
			return ErrDoubleSlash
		}
		return nil
	}
	if name[0] != ' ' && name[len(name)-1] != ' ' {
		if name == "." || name == ".." {
			return ErrDotSegment
		}
		return nil
	}
	// A component that trims would read " .. " as "..", so dot segments
	// are judged trimmed even when padding is allowed.
	if t := strings.Trim(name, " "); t == "." || t == ".." {
		return ErrDotSegment
	}
	if f.relax&allowPaddedSegment == 0 {
		return ErrPaddedSegment
	}
	return nil
}

// segmentName returns s up to its first ';'. It matters only when
// semicolons are allowed: servlet containers behind or in front of Portico
// read "..;x" as ".." and "/;x/" as "//".
func segmentName(s string) string {
	if i := strings.IndexByte(s, ';'); i >= 0 {
		return s[:i]
	}
	return s
}

// checkHeaders rejects control characters in header names and values and
// in the host, when CheckHeaders is on. Go's HTTP/1 and HTTP/2 servers
// already refuse them, and walking the header map costs more than the rest
// of the firewall; the check is for requests that reach Portico by other
// routes (adapters for other front ends, code that builds requests).
func (f *Firewall) checkHeaders(r *http.Request) *handler.Error {
	if !f.headers {
		return nil
	}
	if hasControl(r.Host) {
		return ErrHeader
	}
	for name, values := range r.Header {
		if hasControl(name) {
			return ErrHeader
		}
		for _, v := range values {
			if hasControl(v) {
				return ErrHeader
			}
		}
	}
	return nil
}

// hasControl reports whether s holds an ASCII control character other than
// TAB, which RFC 9110 allows inside field values.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return true
		}
	}
	return false
}
