package interceptor

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/portico-go/portico/handler"
)

// AccessLog logs one line per request on log/slog: method, path, route
// pattern, status, bytes and duration. It never logs headers, so an
// Authorization header or a token cannot leak into logs; the query string
// is left out for the same reason.
//
// As an interceptor it only sees requests that reached a route: 404s, 405s
// and firewall rejections go unlogged. The accesslog package's filter logs
// every request and is the recommended access log; this one remains for
// logging per route group.
type AccessLog struct {
	Logger *slog.Logger
	// Level is the level of the line for requests that did not fail.
	Level slog.Level
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

var accessStart = handler.NewKey[time.Time]("accesslog.start")

func (a *AccessLog) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// UsesRequestState reports true: the start time travels in the request
// scope from PreHandle to AfterCompletion.
func (a *AccessLog) UsesRequestState() bool { return true }

// PreHandle records the start time.
func (a *AccessLog) PreHandle(_ http.ResponseWriter, r *http.Request, _ *handler.Route) (bool, error) {
	accessStart.Set(r, a.now())
	return true, nil
}

// PostHandle does nothing.
func (a *AccessLog) PostHandle(http.ResponseWriter, *http.Request, *handler.Route, *handler.Result) error {
	return nil
}

// AfterCompletion writes the line.
func (a *AccessLog) AfterCompletion(w http.ResponseWriter, r *http.Request, rt *handler.Route, err error) {
	log := a.Logger
	if log == nil {
		log = slog.Default()
	}
	status, size := 0, int64(0)
	if sw, ok := w.(handler.ResponseWriter); ok {
		status, size = sw.Status(), sw.BytesWritten()
	}
	if status == 0 {
		status = http.StatusOK
	}
	level := a.Level
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs,
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("route", rt.Path),
		slog.Int("status", status),
		slog.Int64("bytes", size),
	)
	if start, ok := accessStart.Value(r.Context()); ok {
		attrs = append(attrs, slog.Duration("duration", a.now().Sub(start)))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
		if status >= 500 {
			level = slog.LevelError
		}
	}
	log.LogAttrs(context.Background(), level, "request", attrs...)
}
