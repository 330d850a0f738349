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
	rw.reset()
	d.writers.Put(rw)
}

func (d *Dispatcher) dispatch(rw *responseWriter, r *http.Request, t *table) {
	if r.URL == nil {
		err := error(handler.NewError(http.StatusBadRequest, "request has no URL"))
		if d.firewall != nil {
			err = d.firewall.Check(r)
		}
		d.renderError(rw, r, asHandlerError(err, http.StatusBadRequest))
		return
	}
	path := r.URL.Path
	// The lookup reads the path without acting on it, so the firewall can
	// judge after it: for a mapped route, only the segments the variables
	// bound are left to look at, the literal ones having been judged at
	// Build. Anything else gets the whole Check.
	rt, ps, varsOK := t.lookup(rw, r.Method, path)
	if fw := d.firewall; fw != nil && !(rt != nil && rt.segmentsOK && varsOK && fw.RequestOK(r)) {
		if err := fw.Check(r); err != nil {
			d.renderError(rw, r, asHandlerError(err, http.StatusBadRequest))
			return
		}
	}
	if rt != nil {
		d.invoke(rw, r, rt, ps)
		return
	}
	allow := t.allow(path)
	switch {
	case allow != "" && r.Method == http.MethodOptions:
		rw.Header().Set("Allow", allow)
		rw.WriteHeader(http.StatusNoContent)
	case allow != "":
		rw.Header().Set("Allow", allow)
		def := handler.NewError(http.StatusMethodNotAllowed, "method not allowed")
		if len(d.resolvers) == 0 {
			d.renderError(rw, r, def)
			return
		}
		d.unmapped(rw, r, &MethodNotAllowedError{Method: r.Method, Path: path, Allow: strings.Split(allow, ", ")}, def)
	case d.redirect && (r.Method == http.MethodGet || r.Method == http.MethodHead) && t.redirectsSlash(path):
		d.redirectSlash(rw, r, path)
	default:
		def := handler.NewError(http.StatusNotFound, "not found")
		if len(d.resolvers) == 0 {
			d.renderError(rw, r, def)
			return
		}
		d.unmapped(rw, r, &NoHandlerFoundError{Method: r.Method, Path: path}, def)
	}
}

// unmapped answers a request no route serves (404, 405): the global
// exception resolvers see err first, as Spring's @ControllerAdvice sees
// NoHandlerFoundException, and def is the answer when none does.
// Interceptors never run for these requests. Without global resolvers the
// caller skips it, so err is never built.
func (d *Dispatcher) unmapped(rw *responseWriter, r *http.Request, err error, def *handler.Error) {
	res := &rw.res
	for _, x := range d.resolvers {
		if out := d.callResolver(x, r, nil, err); out != nil {
			clearBodyHeaders(rw.Header())
			*res = *out
			if werr := d.safeWrite(rw, r, res); werr != nil {
				d.logError(r, nil, werr, "writing the resolver's answer failed")
				if !rw.wrote {
					d.renderError(rw, r, handler.NewError(http.StatusInternalServerError, "internal server error"))
				}
			}
			return
		}
	}
	d.renderError(rw, r, def)
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
	var prog interceptor.Progress
	st, err := d.run(rw, r, rt, ps, path, &prog)
	if err != nil {
		err = d.recoverFrom(rw, r, rt, st, err)
	}
	if len(rt.chain) > 0 {
		rt.chain.AfterCompletion(rw, r, &rt.info, err, path, &prog, d.log)
	}
	if err != nil && (errors.Is(err, http.ErrAbortHandler) || rw.wrote && rw.res.Committed && isPanic(err)) {
		// A response cut short by a panic must not look complete to the
		// client; ErrAbortHandler makes net/http drop the connection.
		panic(http.ErrAbortHandler)
	}
}

// stage is how far run got: where its error, if any, comes from.
type stage uint8

const (
	stageChain stage = iota // PreHandle, the handler or PostHandle
	stageWrite              // writing the result
	stageDone               // stopped by a PreHandle, or written
)

// run is PreHandle, handle, PostHandle and the write of the result under
// one recover, so a panic in any of them becomes an error with the
// chain's progress intact, and a request that goes well pays for one
// deferred call.
func (d *Dispatcher) run(rw *responseWriter, r *http.Request, rt *route, ps httprouter.Params, path string, prog *interceptor.Progress) (st stage, err error) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				err = http.ErrAbortHandler
				return
			}
			err = &handler.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	if len(rt.chain) > 0 {
		ok, err := rt.chain.PreHandle(rw, r, &rt.info, path, prog)
		if err != nil {
			return stageChain, err
		}
		if !ok {
			return stageDone, nil
		}
	}
	res := &rw.res
	if err := rt.call(rw, r, ps, res); err != nil {
		return stageChain, err
	}
	if len(rt.chain) > 0 {
		if err := rt.chain.PostHandle(rw, r, &rt.info, res, path, prog); err != nil {
			return stageChain, err
		}
	}
	if rw.wrote || res.Committed {
		return stageDone, nil
	}
	st = stageWrite // for the recover, should the write panic
	if err := d.write(rw, r, res); err != nil {
		return stageWrite, err
	}
	return stageDone, nil
}

// recoverFrom answers a request whose chain, handler or write failed at
// st with err, through the exception resolvers, and returns the error
// AfterCompletion is given.
func (d *Dispatcher) recoverFrom(rw *responseWriter, r *http.Request, rt *route, st stage, err error) error {
	if errors.Is(err, http.ErrAbortHandler) {
		return err
	}
	res := &rw.res
	if st == stageChain {
		if rw.wrote {
			d.logError(r, rt, err, "error after the response was committed")
		} else {
			d.resolve(rw, r, rt, err)
		}
		if !rw.wrote && !res.Committed {
			if werr := d.safeWrite(rw, r, res); werr != nil {
				d.writeFailed(rw, r, rt, werr)
			}
		}
		return err
	}
	d.writeFailed(rw, r, rt, err)
	return err
}

// writeFailed handles a failure to write the response: a resolver answers
// it if nothing was sent yet, and otherwise it is logged.
func (d *Dispatcher) writeFailed(rw *responseWriter, r *http.Request, rt *route, werr error) {
	if rw.wrote {
		d.logError(r, rt, werr, "writing the response failed")
		return
	}
	d.resolve(rw, r, rt, werr)
	if werr2 := d.safeWrite(rw, r, &rw.res); werr2 != nil {
		d.logError(r, rt, werr2, "writing the error response failed")
	}
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
	if e, ok := res.Body.(*handler.Error); ok {
		// One rule: a status set on the Result wins over the Error's, so a
		// resolver answering Result{Status: 409, Body: someError} gets 409.
		if status != 0 && status != e.Status {
			c := *e
			c.Status = status
			e = &c
		}
		d.renderError(rw, r, e)
		return nil
	}
	if status == 0 {
		status = http.StatusOK
		if isEmpty(res.Body) {
			status = http.StatusNoContent
		}
	}
	if status < 200 || status > 599 {
		return fmt.Errorf("result status %d is not a valid final HTTP status", status)
	}
	switch body := res.Body.(type) {
	case nil, handler.Empty, *handler.Empty:
		rw.WriteHeader(status)
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

// isEmpty reports whether body is handler.Empty, which answers 204 No
// Content rather than 200 with "{}".
func isEmpty(body any) bool {
	switch body.(type) {
	case handler.Empty, *handler.Empty:
		return true
	}
	return false
}

// render renders a view result. Its status is read here, after every
// PostHandle: ModelAndView.Status when set, else Result.Status, else 200
// (302 for a redirect: view).
func (d *Dispatcher) render(rw *responseWriter, r *http.Request, res *handler.Result) error {
	if rec := findRecorder(rw.w); rec != nil {
		rec.RecordResult(*res)
	}
	mv := res.View
	status := mv.Status
	if status == 0 {
		status = res.Status
	}
	if status != 0 && (status < 200 || status > 599) {
		return fmt.Errorf("view %q: status %d is not a valid final HTTP status", mv.View, status)
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
	if status == 0 {
		status = http.StatusOK
	}
	// Views write no header; the status goes out with the first body
	// byte, once rendering is known to succeed.
	rw.pendingStatus = status
	if err := v.Render(rw, r, mv.Model); err != nil {
		return fmt.Errorf("rendering view %q: %w", mv.View, err)
	}
	if !rw.wrote {
		// A view that wrote no body still answers with the view's status.
		rw.WriteHeader(status)
	}
	return nil
}

// ResultRecorder is implemented by a ResponseWriter that wants to see the
// result of a request rendered as a view (porticotest does, to check view
// names and models). The dispatcher looks for one, through Unwrap, only
// when it renders a ModelAndView, so JSON routes pay nothing for it.
type ResultRecorder interface {
	// RecordResult receives the result as it is about to be rendered,
	// after every PostHandle. It must not keep res's pointers past the
	// request unless it owns them (the model belongs to the handler).
	RecordResult(res handler.Result)
}

// findRecorder walks the writers the filters wrapped around the server's
// writer, looking for a ResultRecorder.
func findRecorder(w http.ResponseWriter) ResultRecorder {
	for range 32 {
		if rec, ok := w.(ResultRecorder); ok {
			return rec
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return nil
		}
		w = u.Unwrap()
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
	// The headers that described the failed success response (a CSV
	// download's type and disposition, a length, an ETag) must not label
	// the error response, whoever writes it.
	clearBodyHeaders(rw.Header())
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

// clearBodyHeaders removes the headers that describe a response's body
// before an error is written, as Spring 6.2 does; every other header
// (security headers from filters, New-Token, Set-Cookie, Cache-Control)
// stays. The keys are in canonical form (ETag is "Etag"), as
// http.Header.Set stores them.
func clearBodyHeaders(h http.Header) {
	for _, k := range [...]string{
		"Content-Type", "Content-Disposition", "Content-Length", "Content-Encoding",
		"Content-Language", "Content-Location", "Content-Range", "Accept-Ranges",
		"Etag", "Last-Modified",
	} {
		delete(h, k)
	}
}

// renderError writes e in the framework's error shape. An error whose
// status is not an error status (0 from &handler.Error{Message: "..."}, or
// anything outside 400-599) answers 500 and is logged: it must never reach
// the client as a success, nor as a panic inside net/http.
func (d *Dispatcher) renderError(w http.ResponseWriter, r *http.Request, e *handler.Error) {
	if e.Status < 400 || e.Status > 599 {
		d.log.Error("error with an invalid HTTP status answered 500",
			"status", e.Status, "method", r.Method, "path", r.URL.Path, "error", e.Error())
		c := *e
		c.Status = http.StatusInternalServerError
		e = &c
	}
	h := w.Header()
	clearBodyHeaders(h)
	for k, vs := range e.Header {
		h[k] = vs
	}
	d.errors.RenderError(w, r, e)
}

// logError logs a failure with the route, never headers or tokens.
func (d *Dispatcher) logError(r *http.Request, rt *route, err error, msg string) {
	attrs := []any{"method", r.Method, "path", r.URL.Path, "error", err.Error()}
	if rt != nil {
		attrs = append(attrs, "route", rt.info.Path, "handler", rt.info.Name)
	}
	var pe *handler.PanicError
	if errors.As(err, &pe) {
		attrs = append(attrs, "stack", string(pe.Stack))
	}
	d.log.Error(msg, attrs...)
}
