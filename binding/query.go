package binding

import (
	"net/url"
	"strings"
)

// queryValues appends to dst the values of key in the raw query string,
// with url.ParseQuery's rules (pairs with a semicolon or a bad escape are
// skipped), but without building the whole url.Values map: a handler
// reads a few parameters, and unescaped values are substrings of raw.
func queryValues(dst []string, raw, key string) []string {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" || strings.Contains(pair, ";") {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, ok := unescape(k)
		if !ok || k != key {
			continue
		}
		if v, ok = unescape(v); ok {
			dst = append(dst, v)
		}
	}
	return dst
}

func unescape(s string) (string, bool) {
	if !strings.ContainsAny(s, "%+") {
		return s, true
	}
	u, err := url.QueryUnescape(s)
	return u, err == nil
}
