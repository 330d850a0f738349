package dispatcher

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/julienschmidt/httprouter"
	"github.com/portico-go/portico/firewall"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
)

// ServeHTTP follows Spring's doDispatch: firewall, mapping, adapter,
// PreHandle, handle, PostHandle, write, exception resolution,
// AfterCompletion.
func (d *Dispatcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t := d.table.Load()
	if t == nil {
		if err := d.Build(); err != nil {
			d.log.Error("dispatcher cannot serve: routes failed to build", "error", err)
			d.errors.RenderError(w, r, handler.NewError(http.StatusInternalServerError, "internal server error"))
			return
		}
		t = d.table.Load()
	}
	// A writer goes back to the pool reset (and one a panic carried away
	// never goes back), so it is reset once per request, not twice.
	rw := d.writers.Get().(*responseWriter)
	rw.w = w
	d.dispatch(rw, r, t)
	rw.reset(nil)
	d.writers.Put(rw)
}

func (d *Dispatcher) dispatch(rw *responseWriter, r *http.Request, t *table) {
	if d.firewall != nil {
		if err := d.firewall.Check(r); err != nil {
			d.renderError(rw, r, asHandlerError(err, http.StatusBadRequest))
			return
		}
	}
	path := r.URL.Path
	m := t.lookup(rw, r.Method, path)
	switch {
	case m.rt != nil:
		d.invoke(rw, r, m.rt, m.params)
	case m.allow != "" && r.Method == http.MethodOptions:
		rw.Header().Set("Allow", m.allow)
		rw.WriteHeader(http.StatusNoContent)
	case m.allow != "":
		e := handler.NewError(http.StatusMethodNotAllowed, "method not allowed")
		e.Header = http.Header{"Allow": {m.allow}}
		d.renderError(rw, r, e)
	case m.tsr && d.redirect && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		d.redirectSlash(rw, r, path)
	default:
		d.renderError(rw, r, handler.NewError(http.StatusNotFound, "not found"))
	}
}

func (d *Dispatcher) redirectSlash(w http.ResponseWriter, r *http.Request, path string) {
	if strings.HasSuffix(path, "/") {
		path = path[:len(path)-1]
	} else {
		path += "/"
	}
	if !firewall.SafeRedirectPath(path) {
		d.renderError(w, r, handler.NewError(http.StatusNotFound, "not found"))
		return
	}
	u := *r.URL
	u.Path, u.RawPath, u.Scheme, u.Host, u.User = path, "", "", "", nil
	http.Redirect(w, r, u.String(), http.StatusMovedPermanently)
}

// invoke runs one route's chain and handler for a request.
func (d *Dispatcher) invoke(rw *responseWriter, r *http.Request, rt *route, ps httprouter.Params) {
	// Set on the request ServeHTTP received, before any copy, so a filter
	// wrapping the dispatcher reads it once ServeHTTP returns, as with
	// net/http's ServeMux.
	r.Pattern = rt.info.Path
	if rt.scoped {
		// One context per request, never one per interceptor or value:
		// later interceptors and the handler read what PreHandle set.
		r = r.WithContext(rw.scopes.NewContext(r.Context(), &rt.info, ps))
	}
	path := r.URL.Path
	res := &rw.res
	var prog interceptor.Progress

	stopped, err := d.run(rw, r, rt, ps, path, &prog)
	if stopped {
		rt.chain.AfterCompletion(rw, r, &rt.info, nil, path, &prog, d.log)
		return
	}
	abort := errors.Is(err, http.ErrAbortHandler)
	if err != nil && !abort {
		if rw.wrote {
			d.logError(r, rt, err, "error after the response was committed")
		} else {
			d.resolve(rw, r, rt, err)
		}
	}
	if !abort && !rw.wrote && !res.Committed {
		if werr := d.safeWrite(rw, r, res); werr != nil {
			if err == nil {
				err = werr
			}
			if rw.wrote {
				d.logError(r, rt, werr, "writing the response failed")
			} else {
				d.resolve(rw, r, rt, werr)
				if werr2 := d.safeWrite(rw, r, res); werr2 != nil {
					d.logError(r, rt, werr2, "writing the error response failed")
				}
			}
		}
	}
	rt.chain.AfterCompletion(rw, r, &rt.info, err, path, &prog, d.log)
	if abort || err != nil && rw.wrote && res.Committed && isPanic(err) {
		// A response cut short by a panic must not look complete to the
		// client; ErrAbortHandler makes net/http drop the connection.
		panic(http.ErrAbortHandler)
	}
}

// run is PreHandle, handle and PostHandle under one recover, so a panic in
// any of them becomes an error with the chain's progress intact.
func (d *Dispatcher) run(rw *responseWriter, r *http.Request, rt *route, ps httprouter.Params, path string, prog *interceptor.Progress) (stopped bool, err error) {
	defer func() {
		if v := recover(); v != nil {
			stopped = false
			if v == http.ErrAbortHandler {
				err = http.ErrAbortHandler
				return
			}
			err = &handler.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	ok, err := rt.chain.PreHandle(rw, r, &rt.info, path, prog)
	if err != nil {
		return false, err
	}
	if !ok {
		return true, nil
	}
	if err := rt.adapter.Handle(rw, r, rt.info.Handler, ps, &rw.res); err != nil {
		return false, err
	}
	return false, rt.chain.PostHandle(rw, r, &rt.info, &rw.res, path, prog)
}

// safeWrite is write with panics (a template function, a MarshalJSON)
// turned into errors, so they get a 500 and AfterCompletion still runs.
func (d *Dispatcher) safeWrite(rw *responseWriter, r *http.Request, res *handler.Result) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			err = &handler.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return d.write(rw, r, res)
}

// write writes a handler's result. It renders views and encodes JSON into
// a buffer first, so a failure can still become a clean error response.
func (d *Dispatcher) write(rw *responseWriter, r *http.Request, res *handler.Result) error {
	if res.View != nil {
		return d.render(rw, r, res)
	}
	status := res.Status
	if status == 0 {
		status = http.StatusOK
	}
	switch body := res.Body.(type) {
	case nil:
		rw.WriteHeader(status)
		return nil
	case *handler.Error:
		d.renderError(rw, r, body)
		return nil
	case []byte:
		setDefaultType(rw, "application/octet-stream")
		rw.WriteHeader(status)
		rw.Write(body) //nolint:errcheck // the client went away; no one is left to answer
		return nil
	case string:
		setDefaultType(rw, "text/plain; charset=utf-8")
		rw.WriteHeader(status)
		rw.Write([]byte(body)) //nolint:errcheck // as above
		return nil
	default:
		buf := rw.buffer()
		if err := json.NewEncoder(buf).Encode(body); err != nil {
			return fmt.Errorf("encoding %T as JSON: %w", body, err)
		}
		setDefaultType(rw, "application/json")
		rw.WriteHeader(status)
		rw.Write(buf.Bytes()) //nolint:errcheck // as above
		return nil
	}
}

func (d *Dispatcher) render(rw *responseWriter, r *http.Request, res *handler.Result) error {
	mv := res.View
	status := res.Status
	if status == 0 {
		status = mv.Status
	}
	if target, ok := strings.CutPrefix(mv.View, "redirect:"); ok {
		if status == 0 {
			status = http.StatusFound
		}
		if !isAbsoluteURL(target) && !firewall.SafeRedirectPath(target) {
			return fmt.Errorf("view %q: refusing a redirect that could leave the site", mv.View)
		}
		http.Redirect(rw, r, target, status)
		return nil
	}
	if d.views == nil {
		return fmt.Errorf("view %q: no ViewResolver configured", mv.View)
	}
	v, err := d.views.ResolveView(mv.View)
	if err != nil {
		return fmt.Errorf("resolving view %q: %w", mv.View, err)
	}
	if status != 0 && status != http.StatusOK {
		// Views write their own header; a non-200 status is sent first
		// only once rendering is known to succeed, so buffer through the
		// writer's status hook.
		rw.pendingStatus = status
	}
	if err := v.Render(rw, r, mv.Model); err != nil {
		return fmt.Errorf("rendering view %q: %w", mv.View, err)
	}
	return nil
}

func isPanic(err error) bool {
	var pe *handler.PanicError
	return errors.As(err, &pe)
}

func isAbsoluteURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

func setDefaultType(w http.ResponseWriter, ct string) {
	h := w.Header()
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", ct)
	}
}

// resolve turns err into the response held in rw.res.
func (d *Dispatcher) resolve(rw *responseWriter, r *http.Request, rt *route, err error) {
	res := &rw.res
	for _, list := range [][]ExceptionResolver{rt.resolvers, d.resolvers} {
		for _, x := range list {
			if out := d.callResolver(x, r, rt, err); out != nil {
				*res = *out
				return
			}
		}
	}
	e := defaultResolve(err)
	if e.Status >= 500 {
		d.logError(r, rt, err, "request failed")
	}
	*res = handler.Result{Status: e.Status, Body: e}
}

func (d *Dispatcher) renderError(w http.ResponseWriter, r *http.Request, e *handler.Error) {
	h := w.Header()
	for k, vs := range e.Header {
		h[k] = vs
	}
	d.errors.RenderError(w, r, e)
}

// logError logs a failure with the route, never headers or tokens.
func (d *Dispatcher) logError(r *http.Request, rt *route, err error, msg string) {
	attrs := []any{"method", r.Method, "route", rt.info.Path, "handler", rt.info.Name, "error", err.Error()}
	var pe *handler.PanicError
	if errors.As(err, &pe) {
		attrs = append(attrs, "stack", string(pe.Stack))
	}
	d.log.Error(msg, attrs...)
}
