package handler_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/portico-go/portico/handler"
)

func TestMetaOf(t *testing.T) {
	type role string
	type limit int
	rt := &handler.Route{Meta: []any{role("admin"), limit(3), role("second")}}
	if r, ok := handler.MetaOf[role](rt); !ok || r != "admin" {
		t.Errorf("MetaOf[role] = %q, %v", r, ok)
	}
	if l, ok := handler.MetaOf[limit](rt); !ok || l != 3 {
		t.Errorf("MetaOf[limit] = %d, %v", l, ok)
	}
	if _, ok := handler.MetaOf[string](rt); ok {
		t.Error("MetaOf found an absent type")
	}
	if _, ok := handler.MetaOf[role](nil); ok {
		t.Error("MetaOf(nil) found something")
	}
}

func TestRequestValues(t *testing.T) {
	rt := &handler.Route{Path: "/book/{id}"}
	ps := handler.Params{{Key: "id", Value: "7"}}
	r := httptest.NewRequest("GET", "/book/7", nil)
	r = r.WithContext(handler.NewContext(r.Context(), rt, ps))
	user := handler.NewKey[string]("user")
	if _, ok := user.Value(r.Context()); ok {
		t.Fatal("value before Set")
	}
	if !user.Set(r, "ada") || !user.Set(r, "grace") {
		t.Fatal("Set failed on a dispatcher context")
	}
	if u, ok := user.Value(r.Context()); !ok || u != "grace" {
		t.Errorf("Value = %q, %v; Set must overwrite", u, ok)
	}
	// A context derived further down still sees the values.
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	if u, _ := user.Value(ctx); u != "grace" || handler.RouteOf(ctx) != rt || handler.PathParams(ctx).ByName("id") != "7" {
		t.Errorf("derived context lost state")
	}
	if handler.SetValue(context.Background(), "k", 1) {
		t.Error("SetValue succeeded outside the dispatcher")
	}
	if handler.RouteOf(context.Background()) != nil {
		t.Error("RouteOf outside the dispatcher")
	}
}

func TestErrors(t *testing.T) {
	wrapped := fmt.Errorf("book 9: %w", handler.ErrNotFound)
	if !errors.Is(wrapped, handler.ErrNotFound) {
		t.Error("wrapped sentinel not found")
	}
	var se handler.StatusError
	if !errors.As(wrapped, &se) || se.HTTPStatus() != http.StatusNotFound {
		t.Error("status not visible through wrapping")
	}
	cause := errors.New("db down")
	e := &handler.Error{Status: 503, Message: "try later", Err: cause}
	if !errors.Is(e, cause) || errors.Is(e, handler.ErrNotFound) {
		t.Error("Is/Unwrap wrong")
	}
	if e.Error() != "503 try later: db down" {
		t.Errorf("Error() = %q", e.Error())
	}
	pe := &handler.PanicError{Value: http.ErrAbortHandler}
	if !errors.Is(pe, http.ErrAbortHandler) {
		t.Error("PanicError hides an error value")
	}
	if got := handler.Errorf(400, "page %d: %w", 0, cause); got.Message != "page 0: db down" || !errors.Is(got, cause) {
		t.Errorf("Errorf = %+v", got)
	}
}

func TestTypedInvoke(t *testing.T) {
	type in struct{ N int }
	fn := handler.Typed(func(ctx context.Context, v in) (int, error) { return v.N * 2, nil })
	if fn.InputType().Name() != "in" {
		t.Errorf("InputType = %v", fn.InputType())
	}
	out, err := fn.Invoke(httptest.NewRequest("GET", "/", nil), nil, binderFunc(func(dst any) error {
		dst.(*in).N = 21
		return nil
	}))
	if err != nil || out != 42 {
		t.Errorf("Invoke = %v, %v", out, err)
	}
	_, err = fn.Invoke(httptest.NewRequest("GET", "/", nil), nil, binderFunc(func(any) error { return handler.ErrBadRequest }))
	if !errors.Is(err, handler.ErrBadRequest) {
		t.Errorf("binding error lost: %v", err)
	}
}

type binderFunc func(dst any) error

func (f binderFunc) Bind(_ *http.Request, _ handler.Params, dst any) error { return f(dst) }

func ExampleKey() {
	current := handler.NewKey[string]("user")
	r := httptest.NewRequest("GET", "/", nil)
	// The dispatcher does this once per request for routes with interceptors.
	r = r.WithContext(handler.NewContext(r.Context(), &handler.Route{}, nil))

	current.Set(r, "ada") // in a PreHandle
	u, ok := current.Value(r.Context())
	fmt.Println(u, ok) // in the handler
	// Output: ada true
}

func ExampleModelAndView() {
	mv := handler.NewModelAndView("books").AddObject("page", 1)
	fmt.Println(mv.View, mv.Model["page"])
	// Output: books 1
}

type withAddr struct {
	N    int
	Addr string
}

func (w *withAddr) FromRequest(r *http.Request) error {
	if r.RemoteAddr == "" {
		return handler.NewError(http.StatusBadRequest, "no address")
	}
	w.Addr = r.RemoteAddr
	return nil
}

func TestTypedRequestReader(t *testing.T) {
	fn := handler.Typed(func(ctx context.Context, v withAddr) (string, error) { return v.Addr, nil })
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "192.0.2.1:9"
	out, err := fn.Invoke(r, nil, binderFunc(func(any) error { return nil }))
	if err != nil || out != "192.0.2.1:9" {
		t.Fatalf("Invoke = %v, %v", out, err)
	}
	r.RemoteAddr = ""
	if _, err := fn.Invoke(r, nil, binderFunc(func(any) error { return nil })); err == nil {
		t.Fatal("FromRequest error lost")
	}
}
