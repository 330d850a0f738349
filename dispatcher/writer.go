package dispatcher

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"net/http"

	"github.com/julienschmidt/httprouter"
	"github.com/portico-go/portico/handler"
)

// responseWriter wraps the server's writer for one request. It is pooled,
// together with the request's Result and a scratch buffer, so the request
// path does not allocate for them.
type responseWriter struct {
	w             http.ResponseWriter
	status        int
	pendingStatus int
	n             int64
	wrote         bool
	res           handler.Result
	buf           *bytes.Buffer
	// scopes hands out request scopes without an allocation per request;
	// reset leaves it alone, since a scope is never handed out twice.
	scopes handler.Scopes
	// slab hands out the path variables of mapped requests, from used on.
	// Like scopes it is never reused: Params a handler keeps are never
	// overwritten. used is an index, not a reslice, so handing out
	// stores no pointer.
	slab []httprouter.Param
	used int
	// vals and bestVals are the lookup's scratch space (see search), in
	// the writer's own arrays unless a template has more variables. They
	// hold no pointers, so writing them costs no write barrier.
	vals, bestVals   []span
	valsBuf, bestBuf [inlineVars]span
}

// inlineVars is how many variables the lookup binds in the writer's own
// arrays.
const inlineVars = 8

// paramsPerSlab is how many variables one slab holds: one allocation of
// about 2 KiB per many requests.
const paramsPerSlab = 64

// params returns the route's variables, named by names (the route's own,
// even when another route of the same shape named them differently).
//
// ok reports whether the firewall admitted every variable's segment (see
// span).
func (rw *responseWriter) params(names []string, path string, vals []span) (ps httprouter.Params, ok bool) {
	n := len(vals)
	if n == 0 {
		return nil, true
	}
	if len(rw.slab)-rw.used < n {
		rw.slab, rw.used = make([]httprouter.Param, max(paramsPerSlab, n)), 0
	}
	// The capacity is cut to n, so a handler appending to its Params
	// copies them instead of writing into the next request's.
	ps = rw.slab[rw.used : rw.used+n : rw.used+n]
	rw.used += n
	ok = true
	for i, v := range vals {
		ps[i] = httprouter.Param{Key: names[i], Value: path[v.start:v.end]}
		ok = ok && v.ok
	}
	return ps, ok
}

var _ handler.ResponseWriter = (*responseWriter)(nil)

func (rw *responseWriter) reset() {
	// w is left as it is, to be replaced by the next request's: a store
	// of a pointer into a pooled writer pays a write barrier while the GC
	// marks, and the pool drops what it holds at the next collections.
	rw.status, rw.pendingStatus, rw.n, rw.wrote = 0, 0, 0, false
	// Pointer fields are cleared only when set: a store of a pointer into
	// a pooled writer pays a write barrier while the GC marks.
	if rw.res.Body != nil || rw.res.View != nil {
		rw.res.Reset()
	} else {
		rw.res.Status, rw.res.Committed = 0, false
	}
	if rw.buf != nil {
		if rw.buf.Cap() > 64<<10 {
			rw.buf = nil // don't let one huge response pin memory in the pool
		} else {
			rw.buf.Reset()
		}
	}
}

func (rw *responseWriter) buffer() *bytes.Buffer {
	if rw.buf == nil {
		rw.buf = new(bytes.Buffer)
	}
	rw.buf.Reset()
	return rw.buf
}

// Header returns the header map that will be sent.
func (rw *responseWriter) Header() http.Header { return rw.w.Header() }

// WriteHeader sends the status; later calls are ignored, as net/http does.
func (rw *responseWriter) WriteHeader(code int) {
	if rw.wrote {
		return
	}
	if code < 100 || code > 999 {
		// net/http panics on such a code after this writer would have
		// marked itself written: the client would get an empty 200.
		code = http.StatusInternalServerError
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		rw.w.WriteHeader(code) // informational: not final
		return
	}
	rw.wrote, rw.status = true, code
	rw.w.WriteHeader(code)
}

// Write writes body bytes, sending the header first if needed.
func (rw *responseWriter) Write(p []byte) (int, error) {
	if !rw.wrote {
		code := rw.pendingStatus
		if code == 0 {
			code = http.StatusOK
		}
		rw.WriteHeader(code)
	}
	n, err := rw.w.Write(p)
	rw.n += int64(n)
	return n, err
}

// Status reports the status written, or 0.
func (rw *responseWriter) Status() int { return rw.status }

// BytesWritten counts body bytes written.
func (rw *responseWriter) BytesWritten() int64 { return rw.n }

// Committed reports whether the header was sent.
func (rw *responseWriter) Committed() bool { return rw.wrote }

// Unwrap lets http.ResponseController reach the server's writer.
func (rw *responseWriter) Unwrap() http.ResponseWriter { return rw.w }

// Flush sends buffered data, committing the header.
func (rw *responseWriter) Flush() {
	if !rw.wrote {
		rw.WriteHeader(http.StatusOK)
	}
	http.NewResponseController(rw.w).Flush() //nolint:errcheck // Flusher has no error to return
}

// Hijack hands the connection to the handler (websockets).
func (rw *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := rw.w.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("dispatcher: the underlying ResponseWriter cannot hijack")
	}
	rw.wrote = true
	return h.Hijack()
}
