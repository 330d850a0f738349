package recorder

import (
	"bufio"
	"net"
	"net/http"
	"sync"
)

// Writer records the status and body bytes written through it.
type Writer struct {
	w      http.ResponseWriter
	status int
	bytes  int64
}

var pool = sync.Pool{New: func() any { return new(Writer) }}

// Get returns a pooled Writer around w; hand it back with Put once the
// request is done.
func Get(w http.ResponseWriter) *Writer {
	rw := pool.Get().(*Writer)
	rw.w, rw.status, rw.bytes = w, 0, 0
	return rw
}

// Put returns rw to the pool; rw must not be used afterwards.
func Put(rw *Writer) {
	rw.w = nil
	pool.Put(rw)
}

// Header returns the header map that will be sent.
func (rw *Writer) Header() http.Header { return rw.w.Header() }

// WriteHeader records the first final status and passes it on.
func (rw *Writer) WriteHeader(code int) {
	if rw.status == 0 && (code < 100 || code > 199 || code == http.StatusSwitchingProtocols) {
		rw.status = code
	}
	rw.w.WriteHeader(code)
}

// Write counts body bytes; the first write implies 200.
func (rw *Writer) Write(p []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	n, err := rw.w.Write(p)
	rw.bytes += int64(n)
	return n, err
}

// Flush commits the header (200 if none) and flushes what the writer
// below buffers, if it can.
func (rw *Writer) Flush() {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	http.NewResponseController(rw.w).Flush() //nolint:errcheck // Flusher has no error to return
}

// Hijack hands the connection over (websockets); the status stays 101 or
// whatever the handler wrote before.
func (rw *Writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if rw.status == 0 {
		rw.status = http.StatusSwitchingProtocols
	}
	return http.NewResponseController(rw.w).Hijack()
}

// Unwrap lets http.ResponseController reach the writer below.
func (rw *Writer) Unwrap() http.ResponseWriter { return rw.w }

// Status is the status written; 200 when the handler wrote nothing, which
// is what net/http then sends.
func (rw *Writer) Status() int {
	if rw.status == 0 {
		return http.StatusOK
	}
	return rw.status
}

// Bytes is the number of body bytes written.
func (rw *Writer) Bytes() int64 { return rw.bytes }
