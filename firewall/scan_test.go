package firewall

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/portico-go/portico/handler"
)

// checkPathBytes is checkPath as a plain byte loop, the reference the
// word-at-a-time scan must agree with on every path.
func (f *Firewall) checkPathBytes(p string) *handler.Error {
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

// TestStopMaskMatchesTable checks the word test against the stop table
// for every byte in every lane, under every relaxation that changes it.
func TestStopMaskMatchesTable(t *testing.T) {
	for b := range uint8(32) {
		f := relaxedBy(b)
		for lane := range 8 {
			for c := range 256 {
				w := []byte("abcdefgh")
				w[lane] = byte(c)
				m := f.stopMask(load64(string(w), 0))
				want := -1
				if f.stop[c] {
					want = lane
				}
				if got := lowestLane(m); got != want {
					t.Fatalf("relax %05b, byte %#x in lane %d: mask %#x flags lane %d, want %d", b, c, lane, m, got, want)
				}
			}
		}
	}
}

func lowestLane(m uint64) int {
	for i := range 8 {
		if m&(0x80<<(8*i)) != 0 {
			return i
		}
	}
	return -1
}

func FuzzCheckPathWords(f *testing.F) {
	for _, s := range []string{
		"/", "/repos/julienschmidt/httprouter/stargazers", "/a/../b", "/abcdefg/./h", "/abcdefgh\x00",
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
		if got, want := fw.checkPath(p), fw.checkPathBytes(p); got != want {
			t.Fatalf("relax %05b, %q: word scan %v, byte loop %v", b&31, p, got, want)
		}
	})
}
