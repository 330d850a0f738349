package firewall

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/portico-go/portico/handler"
)

// checkPathPlain is checkPath without the shortcut that skips
// checkSegment for most segments, the reference it must agree with.
func (f *Firewall) checkPathPlain(p string) *handler.Error {
	seg := 1
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
			if e := f.checkSegment(p[seg:i], true); e != nil {
				return e
			}
			seg = i + 1
		}
	}
	return f.checkSegment(p[seg:], false)
}

// relaxedBy returns a firewall with the options chosen by the bits of b.
func relaxedBy(b uint8) *Firewall {
	all := []Option{AllowSemicolon(), AllowEncodedPercent(), AllowBackslash(), AllowDoubleSlash(), AllowPaddedSegments()}
	var opts []Option
	for i, o := range all {
		if b&(1<<i) != 0 {
			opts = append(opts, o)
		}
	}
	return New(opts...)
}

// FuzzCheckPathShortcut checks that skipping checkSegment for segments of
// three bytes or more with no space at either end never changes a verdict,
// under every relaxation that touches segments.
func FuzzCheckPathShortcut(f *testing.F) {
	for _, s := range []string{
		"/", "/repos/julienschmidt/httprouter/stargazers", "/a/../b", "/abc/./h", "/ab/ .. /c", "/a//b", "/abc /d", "/ abc/d", "/.../x", "/abcdefgh\x00",
		"/ab;cdefghijk", "/abcdefgh%2e", "/aaaaaaa\\aaaaaaaa", "/\u00e9\u00e9\u00e9\u00e9\u00e9/x", "/aaaaaaaaaaaaaaa\x7f",
		"/a\xffbcdefghi", "/abcdefg//hij", "/ abcdefgh/ijklmnop ", "/\u2028abcdefgh",
	} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(31))
	}
	f.Fuzz(func(t *testing.T, p string, b uint8) {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		fw := relaxedBy(b & 31)
		if got, want := fw.checkPath(p), fw.checkPathPlain(p); got != want {
			t.Fatalf("relax %05b, %q: checkPath %v, without the shortcut %v", b&31, p, got, want)
		}
	})
}
