package interceptor

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/portico-go/portico/handler"
)

// Matcher decides per request whether a Link applies to a path. The
// registry supplies one only for the few (pattern, route) pairs it could not
// decide at startup.
type Matcher interface {
	Match(path string) bool
}

// Link is one interceptor in a route's chain.
type Link struct {
	Interceptor HandlerInterceptor
	// Name identifies the interceptor in logs and introspection.
	Name string
	// Cond, when not nil, is checked against the request path; the
	// interceptor is skipped for paths it does not match.
	Cond Matcher
}

// Chain is Spring's HandlerExecutionChain without the handler: the
// interceptors of one route, in order. The dispatcher builds it once per
// route; it is shared by all requests.
type Chain []Link

// Progress records how far one request got through a Chain: which
// interceptors' PreHandle returned true, so PostHandle and AfterCompletion
// reach exactly those. Its zero value is ready to use and lives on the
// dispatcher's stack, which keeps the chain allocation-free.
type Progress struct {
	// applied is 1 + the index of the last interceptor whose PreHandle
	// returned true (Spring's interceptorIndex + 1).
	applied int
	// skipped marks links whose Cond did not match, for the first 64 links;
	// later ones are re-checked, which gives the same answer.
	skipped uint64
	// plain says the chain has no Cond at all, so PostHandle and
	// AfterCompletion take the loops that never look at one. The zero
	// value takes the general loops, which are right for every chain.
	plain bool
}

// Applied reports how many links' PreHandle returned true or were skipped
// before the chain stopped.
func (p *Progress) Applied() int { return p.applied }

// skipped reports whether link i, which has a Cond, was skipped for this
// request. Callers test Cond != nil first, so the common link without a
// condition costs no call.
func (c Chain) skipped(i int, path string, p *Progress) bool {
	if i < 64 {
		return p.skipped&(1<<uint(i)) != 0
	}
	return !c[i].Cond.Match(path)
}

// PreHandle runs PreHandle in order. It returns false when an interceptor
// returned false or an error; p then says which ones AfterCompletion owes.
// A panic propagates to the caller with p up to date.
func (c Chain) PreHandle(w http.ResponseWriter, r *http.Request, rt *handler.Route, path string, p *Progress) (bool, error) {
	if c.conditional() {
		p.plain = false
		return c.preHandleIf(w, r, rt, path, p)
	}
	// The common chain, every link decided at startup, gets loops with
	// nothing live across their calls but what the calls need; in bench/
	// that takes a fifth off the instructions of a link.
	p.plain = true
	for i := range c {
		p.applied = i
		ok, err := c[i].Interceptor.PreHandle(w, r, rt)
		if err != nil || !ok {
			return false, err
		}
	}
	p.applied = len(c)
	return true, nil
}

// conditional reports whether some link has a Cond.
func (c Chain) conditional() bool {
	for i := range c {
		if c[i].Cond != nil {
			return true
		}
	}
	return false
}

func (c Chain) preHandleIf(w http.ResponseWriter, r *http.Request, rt *handler.Route, path string, p *Progress) (bool, error) {
	for i := range c {
		l := &c[i]
		p.applied = i
		if l.Cond != nil && !l.Cond.Match(path) {
			if i < 64 {
				p.skipped |= 1 << uint(i)
			}
			continue
		}
		ok, err := l.Interceptor.PreHandle(w, r, rt)
		if err != nil || !ok {
			return false, err
		}
	}
	p.applied = len(c)
	return true, nil
}

// PostHandle runs PostHandle in reverse for the interceptors that passed
// PreHandle. The first error stops the loop, as in Spring.
func (c Chain) PostHandle(w http.ResponseWriter, r *http.Request, rt *handler.Route, res *handler.Result, path string, p *Progress) error {
	if p.plain {
		for i := p.applied - 1; i >= 0; i-- {
			if err := c[i].Interceptor.PostHandle(w, r, rt, res); err != nil {
				return err
			}
		}
		return nil
	}
	for i := p.applied - 1; i >= 0; i-- {
		if c[i].Cond != nil && c.skipped(i, path, p) {
			continue
		}
		if err := c[i].Interceptor.PostHandle(w, r, rt, res); err != nil {
			return err
		}
	}
	return nil
}

// AfterCompletion runs AfterCompletion in reverse for every interceptor whose
// PreHandle returned true, passing err. A panic in one is logged to log and
// the rest still run.
func (c Chain) AfterCompletion(w http.ResponseWriter, r *http.Request, rt *handler.Route, err error, path string, p *Progress, log *slog.Logger) {
	for i := p.applied - 1; i >= 0; {
		i = c.after(i, w, r, rt, err, path, p, log)
	}
}

// after runs AfterCompletion from link i down to 0 under one recover, which
// is cheaper than one per link; a panic is logged and the index of the next
// link to run is returned, so the caller resumes below the one that failed.
func (c Chain) after(i int, w http.ResponseWriter, r *http.Request, rt *handler.Route, err error, path string, p *Progress, log *slog.Logger) (next int) {
	// at is the link running, for the recover; the loop keeps its own
	// index, which the deferred call does not capture.
	at := i
	defer func() {
		if v := recover(); v != nil {
			c.logPanic(at, r, rt, v, log)
			next = at - 1
		}
	}()
	if p.plain {
		for j := i; j >= 0; j-- {
			at = j
			c[j].Interceptor.AfterCompletion(w, r, rt, err)
		}
		return -1
	}
	for j := i; j >= 0; j-- {
		at = j
		l := &c[j]
		if l.Cond == nil || !c.skipped(j, path, p) {
			l.Interceptor.AfterCompletion(w, r, rt, err)
		}
	}
	return -1
}

func (c Chain) logPanic(i int, r *http.Request, rt *handler.Route, v any, log *slog.Logger) {
	if log != nil {
		log.Error("panic in AfterCompletion",
			"interceptor", c[i].Name, "method", r.Method, "route", rt.Path,
			"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	}
}
