package requestid_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/requestid"
)

func TestValid(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"", false},
		{"a", true},
		{"0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"01ARZ3NDEKTSV4RRFFQ69G5FAV", true},
		{"abc.def_ghi-JKL", true},
		{strings.Repeat("x", requestid.MaxLen), true},
		{strings.Repeat("x", requestid.MaxLen+1), false},
		{"has space", false},
		{"line\nbreak", false},
		{"quote\"", false},
		{"é", false},
		{"a/b", false},
	} {
		if got := requestid.Valid(tc.id); got != tc.want {
			t.Errorf("Valid(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}

func TestNew(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := requestid.New()
		if len(id) != 32 || !requestid.Valid(id) {
			t.Fatalf("New() = %q: not 32 valid characters", id)
		}
		if seen[id] {
			t.Fatalf("New() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		keep     bool
	}{
		{"kept", "client-id-1", true},
		{"absent", "", false},
		{"too long", strings.Repeat("a", 65), false},
		{"forged log line", "x\" level=ERROR", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var inCtx string
			h := requestid.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				inCtx = handler.RequestID(r.Context())
			}))
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.in != "" {
				r.Header.Set(requestid.Header, tc.in)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			echoed := w.Header().Get(requestid.Header)
			if echoed == "" || echoed != inCtx {
				t.Fatalf("echoed %q, context %q: want the same non-empty id", echoed, inCtx)
			}
			if tc.keep != (echoed == tc.in) {
				t.Fatalf("id %q for input %q; keep=%v", echoed, tc.in, tc.keep)
			}
			if !requestid.Valid(echoed) {
				t.Fatalf("echoed invalid id %q", echoed)
			}
		})
	}
}

// A 404 from the dispatcher behind the filter names the request in its
// body and in the header, and an outer filter still sees the route
// pattern of matched requests.
func TestWithDispatcher(t *testing.T) {
	d := dispatcher.New()
	if err := d.GET("/book/{id}", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})); err != nil {
		t.Fatal(err)
	}
	h := requestid.Wrap(d)

	r := httptest.NewRequest(http.MethodGet, "/nope", nil)
	r.Header.Set(requestid.Header, "abc-123")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var body struct {
		Code      int    `json:"code"`
		RequestID string `json:"requestId"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Code != 404 || body.RequestID != "abc-123" || w.Header().Get(requestid.Header) != "abc-123" {
		t.Fatalf("got %d %s, header %q", w.Code, w.Body, w.Header().Get(requestid.Header))
	}

	r = httptest.NewRequest(http.MethodGet, "/book/9", nil)
	h.ServeHTTP(httptest.NewRecorder(), r)
	if r.Pattern != "/book/{id}" {
		t.Fatalf("outer request Pattern %q, want /book/{id}", r.Pattern)
	}
}

func FuzzValid(f *testing.F) {
	for _, s := range []string{"", "abc", "a b", "0f8fad5b-d9cb", strings.Repeat("z", 70)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !requestid.Valid(s) {
			return
		}
		if len(s) == 0 || len(s) > requestid.MaxLen || strings.ContainsAny(s, " \t\r\n\"'=/\\") {
			t.Fatalf("Valid accepted %q", s)
		}
	})
}

func BenchmarkWrap(b *testing.B) {
	h := requestid.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, tc := range []struct{ name, in string }{{"generated", ""}, {"incoming", "0f8fad5b-d9cb-469f-a165-70867728950e"}} {
		b.Run(tc.name, func(b *testing.B) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.in != "" {
				r.Header.Set(requestid.Header, tc.in)
			}
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, r)
			}
		})
	}
}
