package client

import (
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// redacted replaces secrets in log output.
const redacted = "REDACTED"

// Logging is an [Interceptor] that logs each request it sees on log/slog:
// method, URL, attempt number, status (or error) and duration, at Info, or
// Warn for 5xx responses, or Error for failures. The duration runs until the
// response headers arrived; the body is the caller's to read.
//
// Secrets stay out of the log. Bodies are never logged, so neither are the
// tokens in login and refresh responses. Query parameters and headers whose
// names suggest a credential (access_token, password, api_key, Authorization,
// Cookie, Set-Cookie, New-Token, ...) have their values replaced, and so has
// a password in the URL.
//
// As a network interceptor Logging records every attempt and redirect hop,
// with the attempt number [Retry] or [BearerAuth] gave it; as an
// application interceptor, one line per call. The zero value logs to
// slog.Default().
type Logging struct {
	// Logger receives the records; nil means slog.Default().
	Logger *slog.Logger
	// Headers adds the request and response headers, masked, to each record.
	Headers bool
}

// Intercept implements [Interceptor].
func (l Logging) Intercept(c Chain) (*http.Response, error) {
	req := c.Request()
	start := time.Now()
	resp, err := c.Proceed(req)
	elapsed := time.Since(start)

	logger := l.Logger
	if logger == nil {
		logger = slog.Default()
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("url", redactURL(req.URL)),
		slog.Int("attempt", attempt(req)),
	}
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.String("error", err.Error()))
	} else {
		if resp.StatusCode >= 500 {
			level = slog.LevelWarn
		}
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	attrs = append(attrs, slog.Duration("duration", elapsed))
	if l.Headers {
		attrs = append(attrs, headerGroup("request_headers", req.Header))
		if resp != nil {
			attrs = append(attrs, headerGroup("response_headers", resp.Header))
		}
	}
	logger.LogAttrs(req.Context(), level, "http request", attrs...)
	return resp, err
}

// redactURL renders u with secret query values and any password masked,
// keeping the parameters in their original order.
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	r := *u
	r.Fragment, r.RawFragment = "", ""
	if r.RawQuery != "" {
		parts := strings.Split(r.RawQuery, "&")
		for i, p := range parts {
			name, _, hasValue := strings.Cut(p, "=")
			if key, err := url.QueryUnescape(name); err == nil && hasValue && sensitive(key) {
				parts[i] = name + "=" + redacted
			}
		}
		r.RawQuery = strings.Join(parts, "&")
	}
	return r.Redacted()
}

func headerGroup(name string, h http.Header) slog.Attr {
	attrs := make([]any, 0, len(h))
	for _, k := range slices.Sorted(maps.Keys(h)) {
		vs := h[k]
		v := strings.Join(vs, ", ")
		if sensitive(k) {
			v = redactValue(k, vs)
		}
		attrs = append(attrs, slog.String(k, v))
	}
	return slog.Group(name, attrs...)
}

// redactValue masks a header's values, keeping an Authorization scheme
// because "Bearer" or "Basic" helps debugging and gives nothing away.
func redactValue(name string, vs []string) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = redacted
		if strings.HasSuffix(strings.ToLower(name), "authorization") {
			if scheme, _, ok := strings.Cut(v, " "); ok {
				out[i] = scheme + " " + redacted
			}
		}
	}
	return strings.Join(out, ", ")
}

// sensitive reports whether a query parameter or header name suggests that
// its value is a credential. It errs on the side of masking.
func sensitive(name string) bool {
	n := strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(name))
	switch n {
	case "key", "code", "sig", "jwt":
		return true
	}
	for _, s := range []string{"token", "secret", "password", "passwd", "apikey", "auth", "session", "signature", "cookie", "credential"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}
