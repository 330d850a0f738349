package recorder

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWriter(t *testing.T) {
	for _, tc := range []struct {
		name   string
		h      func(w http.ResponseWriter)
		status int
		bytes  int64
	}{
		{"nothing", func(http.ResponseWriter) {}, 200, 0},
		{"body", func(w http.ResponseWriter) { w.Write([]byte("hello")) }, 200, 5},
		{"status", func(w http.ResponseWriter) { w.WriteHeader(404); w.Write([]byte("no")) }, 404, 2},
		{"second status ignored", func(w http.ResponseWriter) { w.WriteHeader(201); w.WriteHeader(500) }, 201, 0},
		{"informational first", func(w http.ResponseWriter) { w.WriteHeader(103); w.WriteHeader(204) }, 204, 0},
		{"flush", func(w http.ResponseWriter) { w.(http.Flusher).Flush() }, 200, 0},
		{"controller", func(w http.ResponseWriter) {
			if err := http.NewResponseController(w).Flush(); err != nil {
				panic(err)
			}
			w.Write([]byte("abc"))
		}, 200, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			rw := Get(rec)
			tc.h(rw)
			if rw.Status() != tc.status || rw.Bytes() != tc.bytes {
				t.Fatalf("status %d bytes %d, want %d %d", rw.Status(), rw.Bytes(), tc.status, tc.bytes)
			}
			Put(rw)
		})
	}
}
