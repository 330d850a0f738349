package firewall

import (
	"unicode"
	"unicode/utf8"
)

// SafeRedirectPath reports whether p may be sent as the Location of a
// redirect that must stay on this site, such as a trailing-slash redirect
// built from the request's path. p is a path with an optional query and
// fragment, never a full URL.
//
// It accepts only a path that starts with a single '/' followed by anything
// but '/' or '\' (browsers read "//host" and "/\host" as another host),
// with no '\', control or other non-printable character anywhere (browsers
// drop TAB and newlines, so "/\t/evil.com" becomes "//evil.com"), and with
// no "." or ".." segment, empty segment, or encoded '/', '\', '.', '%' or
// control character in the path part, so that no later decoding or
// normalization can turn it into one of the above. A scheme cannot occur
// since p starts with '/'.
func SafeRedirectPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return false
	}
	inPath := true
	seg := 1
	for i := 1; i < len(p); {
		c := p[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(p[i:])
			if (r == utf8.RuneError && size == 1) || !unicode.IsPrint(r) {
				return false
			}
			i += size
			continue
		}
		if c < ' ' || c == 0x7f || c == '\\' {
			return false
		}
		if inPath {
			switch c {
			case '%':
				if i+2 >= len(p) {
					return false
				}
				hi, ok1 := unhex(p[i+1])
				lo, ok2 := unhex(p[i+2])
				if !ok1 || !ok2 {
					return false
				}
				if d := hi<<4 | lo; d == '/' || d == '\\' || d == '.' || d == '%' || d < ' ' || d == 0x7f {
					return false
				}
				i += 3
				continue
			case '/', '?', '#':
				s := p[seg:i]
				if (c == '/' && s == "") || s == "." || s == ".." {
					return false
				}
				seg = i + 1
				inPath = c == '/'
			}
		}
		i++
	}
	if inPath {
		s := p[seg:]
		return s != "." && s != ".."
	}
	return true
}
