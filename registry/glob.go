package registry

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// globMatch reports whether seg, one path segment, matches pat, made of
// literal text, '?' (one character) and '*' (zero or more characters).
// It is the linear wildcard algorithm (backtrack to the last '*' only)
// over runes, so '?' means one character even when it is several bytes.
// An invalid byte in seg counts as one character and equals no pattern
// rune: a decoded %ff never matches a literal U+FFFD.
func globMatch(pat, seg string, fold bool) bool {
	px, sx := 0, 0
	nextPx, nextSx := 0, 0 // restart point; nextSx == 0 means no '*' yet
	for px < len(pat) || sx < len(seg) {
		if px < len(pat) {
			switch c := pat[px]; c {
			case '*':
				nextPx = px
				nextSx = sx + runeWidth(seg, sx)
				if sx == len(seg) {
					nextSx = len(seg) + 1
				}
				px++
				continue
			case '?':
				if sx < len(seg) {
					px++
					sx += runeWidth(seg, sx)
					continue
				}
			default:
				if sx < len(seg) {
					pw, sw := runeMatch(pat[px:], seg[sx:], fold)
					if pw > 0 {
						px += pw
						sx += sw
						continue
					}
				}
			}
		}
		if 0 < nextSx && nextSx <= len(seg) {
			px, sx = nextPx, nextSx
			continue
		}
		return false
	}
	return true
}

// runeWidth returns the width of the rune at s[i:], 1 for an invalid byte,
// 0 at the end.
func runeWidth(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, w := utf8.DecodeRuneInString(s[i:])
	return w
}

// runeMatch compares the first rune of pat (valid UTF-8) with the first of
// s and returns the widths consumed in each, or zeros when they differ.
func runeMatch(pat, s string, fold bool) (int, int) {
	if pat[0] < utf8.RuneSelf && s[0] < utf8.RuneSelf {
		// Two ASCII bytes fold together only as the two cases of a letter.
		a, b := pat[0], s[0]
		if a == b || fold && asciiLower(a) == asciiLower(b) && isASCIILetter(a) {
			return 1, 1
		}
		return 0, 0
	}
	pr, pw := utf8.DecodeRuneInString(pat)
	sr, sw := utf8.DecodeRuneInString(s)
	if sr == utf8.RuneError && sw == 1 {
		return 0, 0
	}
	if pr == sr || fold && foldRune(pr, sr) {
		return pw, sw
	}
	return 0, 0
}

func asciiLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isASCIILetter(c byte) bool {
	c = asciiLower(c)
	return 'a' <= c && c <= 'z'
}

// foldRune reports whether a and b are equal under Unicode simple folding,
// the relation regexp's (?i) and strings.EqualFold use.
func foldRune(a, b rune) bool {
	if a == b {
		return true
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

// foldEqual is strings.EqualFold, except that an invalid byte in s (the
// path) equals nothing: EqualFold would decode it to U+FFFD and let it
// match a literal U+FFFD in the pattern.
func foldEqual(pat, s string) bool {
	if len(pat) == len(s) && pat == s {
		return true
	}
	for pat != "" && s != "" {
		pw, sw := runeMatch(pat, s, true)
		if pw == 0 {
			return false
		}
		pat, s = pat[pw:], s[sw:]
	}
	return pat == "" && s == ""
}

// globOnlyStars reports how a glob constrains a segment's length when it
// has no literal text: q '?'s and, if star, any number of '*'. For any
// other glob ok is false.
func globOnlyStars(pat string) (q int, star, ok bool) {
	if strings.Trim(pat, "*?") != "" {
		return 0, false, false
	}
	return strings.Count(pat, "?"), strings.Contains(pat, "*"), true
}
