package accesslog

import (
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"go.uber.org/fx"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/internal/recorder"
)

// MaxPathLen bounds the path logged for unmatched requests, so a scanner
// sending 8 KB URLs cannot bloat the log.
const MaxPathLen = 200

// Config configures the access log. The zero value logs to slog.Default
// and takes the client address from the connection.
type Config struct {
	// Logger receives the lines; nil means slog.Default().
	Logger *slog.Logger
	// TrustedProxies are the proxies whose X-Forwarded-For and X-Real-IP
	// headers are believed when naming the client (see auth.ClientIP).
	TrustedProxies []netip.Prefix
	// Message is the log message; default "request".
	Message string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Log is the access-log filter.
type Log struct {
	log     *slog.Logger
	trusted []netip.Prefix
	msg     string
	now     func() time.Time
}

// New returns the access log for cfg.
func New(cfg Config) *Log {
	l := &Log{log: cfg.Logger, trusted: cfg.TrustedProxies, msg: cfg.Message, now: cfg.Now}
	if l.log == nil {
		l.log = slog.Default()
	}
	if l.msg == "" {
		l.msg = "request"
	}
	if l.now == nil {
		l.now = time.Now
	}
	return l
}

// Level is the level of a request's line: error for 5xx, warn for 4xx,
// info otherwise.
func Level(status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

// Wrap returns next behind the access log.
func (l *Log) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := l.now()
		rw := recorder.Get(w)
		defer recorder.Put(rw)
		next.ServeHTTP(rw, r)
		status := rw.Status()
		level := Level(status)
		ctx := r.Context()
		if !l.log.Enabled(ctx, level) {
			return
		}
		attrs := make([]slog.Attr, 0, 8)
		attrs = append(attrs, slog.String("method", r.Method))
		if r.Pattern != "" {
			attrs = append(attrs, slog.String("route", r.Pattern))
		} else {
			attrs = append(attrs, slog.String("path", Path(r)))
		}
		attrs = append(attrs,
			slog.Int("status", status),
			slog.Duration("duration", l.now().Sub(start)),
			slog.Int64("bytes", rw.Bytes()),
		)
		if id := handler.RequestID(ctx); id != "" {
			attrs = append(attrs, slog.String("request_id", id))
		}
		attrs = append(attrs, slog.String("client", auth.ClientIP(r, l.trusted)))
		l.log.LogAttrs(ctx, level, l.msg, attrs...)
	})
}

// Path is the request's path as logged for unmatched requests: escaped,
// so control characters cannot forge log lines, without the query, and cut
// to MaxPathLen bytes.
func Path(r *http.Request) string {
	p := r.URL.EscapedPath()
	if len(p) > MaxPathLen {
		p = p[:MaxPathLen] + "..."
	}
	return p
}

// Filter returns the filter for portico.AsFilter, at
// portico.OrderAccessLog: inside the request-id and tracing filters, so
// the line carries the id and the log context the span.
func (l *Log) Filter() portico.Filter {
	return portico.Filter{Name: "accesslog", Order: portico.OrderAccessLog, Wrap: l.Wrap}
}

type params struct {
	fx.In
	Config *Config      `optional:"true"`
	Logger *slog.Logger `optional:"true"`
}

// Module installs the access log in a portico.Module application. It
// uses a supplied *accesslog.Config if there is one, else the
// application's *slog.Logger.
var Module = fx.Module("portico.accesslog", fx.Provide(portico.AsFilter(func(p params) portico.Filter {
	var cfg Config
	if p.Config != nil {
		cfg = *p.Config
	}
	if cfg.Logger == nil {
		cfg.Logger = p.Logger
	}
	return New(cfg).Filter()
})))
