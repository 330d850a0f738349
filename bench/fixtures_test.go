package bench

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"unsafe"
)

// nopWriter keeps the response writer's own cost out of the numbers. It
// remembers the status so tests can check that a request reached a handler.
type nopWriter struct {
	h      http.Header
	status int
}

func newWriter() *nopWriter { return &nopWriter{h: http.Header{}} }

func (w *nopWriter) Header() http.Header { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(p), nil
}
func (w *nopWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

// pathValuesOffset is where http.Request keeps the map r.SetPathValue
// fills for names no ServeMux pattern declared.
var pathValuesOffset = func() uintptr {
	f, ok := reflect.TypeFor[http.Request]().FieldByName("otherValues")
	if !ok || f.Type != reflect.TypeFor[map[string]string]() {
		panic("bench: net/http.Request has no otherValues map; update freshen")
	}
	return f.Offset
}()

// freshen makes a replayed request look newly arrived to r.SetPathValue.
// SetPathValue allocates its map only the first time it is called on a
// Request, so replaying one Request object would hide, from the routers
// that make it, an allocation every real request pays. Copying the whole
// Request per iteration would do too, but the copy's write barriers, paid
// only while the GC runs, would then charge the allocating routers for the
// harness; clearing the one field is a single pointer write for everyone.
func freshen(r *http.Request) {
	*(*map[string]string)(unsafe.Add(unsafe.Pointer(r), pathValuesOffset)) = nil
}

// reqs is a set of requests replayed by a benchmark.
type reqs struct {
	rs []*http.Request
}

func newReqs(method, target string, more ...[2]string) *reqs {
	rs := &reqs{}
	rs.add(method, target)
	for _, m := range more {
		rs.add(m[0], m[1])
	}
	return rs
}

func (rs *reqs) add(method, target string) {
	rs.rs = append(rs.rs, httptest.NewRequest(method, target, nil))
}

// serve sends every request of the set to h once.
func (rs *reqs) serve(h http.Handler, w http.ResponseWriter) {
	for _, r := range rs.rs {
		freshen(r)
		h.ServeHTTP(w, r)
	}
}
