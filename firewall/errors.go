package firewall

import (
	"net/http"

	"github.com/portico-go/portico/handler"
)

// Reasons carried in the Reason field of the errors Check returns, so
// clients, logs and metrics can tell a firewall rejection from other 400s.
const (
	ReasonPath   = "rejected_path"
	ReasonMethod = "rejected_method"
	ReasonHeader = "rejected_header"
)

// Errors Check returns, one per rule. Check returns a copy, so callers may
// set fields on what they receive; errors.Is matches the copy against these
// values. The messages name the rule and never contain request data, since
// the rejected input is hostile by assumption and may be reflected.
var (
	// ErrMethod rejects a method outside the allowed set. It is a 405
	// because the method is not ambiguous, only unsupported; Check adds an
	// Allow header listing the firewall's methods.
	ErrMethod = reject(http.StatusMethodNotAllowed, ReasonMethod, "request rejected: method not allowed")

	// ErrPathTooLong rejects a path (decoded or raw) longer than the
	// configured bound.
	ErrPathTooLong = reject(http.StatusRequestURITooLong, ReasonPath, "request rejected: path too long")

	// ErrNotAbsolute rejects a path that does not start with '/', such as
	// the empty path of an absolute-form target without one.
	ErrNotAbsolute = reject(http.StatusBadRequest, ReasonPath, "request rejected: path does not start with '/'")

	// ErrEncodedSlash rejects %2F, which the router decodes into a
	// separator that a matcher on the raw path would not see.
	ErrEncodedSlash = reject(http.StatusBadRequest, ReasonPath, "request rejected: encoded slash in path")

	// ErrEncodedPeriod rejects %2E, the usual disguise of "..".
	ErrEncodedPeriod = reject(http.StatusBadRequest, ReasonPath, "request rejected: encoded period in path")

	// ErrEncodedPercent rejects a '%' left in the decoded path, that is
	// %25 on the wire: double encoding such as %252e or %252f.
	ErrEncodedPercent = reject(http.StatusBadRequest, ReasonPath, "request rejected: encoded percent in path")

	// ErrSemicolon rejects ';', raw or as %3B: servlet containers and some
	// matchers cut the segment there, Go's router does not.
	ErrSemicolon = reject(http.StatusBadRequest, ReasonPath, "request rejected: semicolon in path")

	// ErrBackslash rejects '\', raw or as %5C, which browsers and Windows
	// file APIs treat as a separator.
	ErrBackslash = reject(http.StatusBadRequest, ReasonPath, "request rejected: backslash in path")

	// ErrDoubleSlash rejects an empty segment ("//"), which some matchers
	// collapse and httprouter does not.
	ErrDoubleSlash = reject(http.StatusBadRequest, ReasonPath, "request rejected: empty segment in path")

	// ErrPaddedSegment rejects a segment that starts or ends with a
	// space, which a trimming matcher reads as another segment.
	ErrPaddedSegment = reject(http.StatusBadRequest, ReasonPath, "request rejected: segment starts or ends with a space")

	// ErrDotSegment rejects "." and ".." segments in the decoded path.
	ErrDotSegment = reject(http.StatusBadRequest, ReasonPath, "request rejected: dot segment in path")

	// ErrControl rejects control characters and other non-printable runes
	// (NUL, CR, LF, TAB, DEL, U+2028, U+2029, format characters) in the
	// decoded path.
	ErrControl = reject(http.StatusBadRequest, ReasonPath, "request rejected: non-printable character in path")

	// ErrInvalidUTF8 rejects a decoded path that is not valid UTF-8,
	// including overlong forms such as %C0%AE.
	ErrInvalidUTF8 = reject(http.StatusBadRequest, ReasonPath, "request rejected: invalid UTF-8 in path")

	// ErrRawCharacter rejects a request target that carries, unencoded, a
	// byte outside printable ASCII or a '#'.
	ErrRawCharacter = reject(http.StatusBadRequest, ReasonPath, "request rejected: unencoded character in request target")

	// ErrRawMismatch rejects a request whose RawPath does not decode to
	// its Path, which happens when code before the firewall rewrote one
	// and not the other.
	ErrRawMismatch = reject(http.StatusBadRequest, ReasonPath, "request rejected: raw path does not match path")

	// ErrHeader rejects a header name or value, or the host, that holds a
	// control character other than TAB.
	ErrHeader = reject(http.StatusBadRequest, ReasonHeader, "request rejected: control character in header")
)

func reject(status int, reason, msg string) *handler.Error {
	return &handler.Error{Status: status, Reason: reason, Message: msg}
}
