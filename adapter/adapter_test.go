package adapter_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/julienschmidt/httprouter"
	"github.com/portico-go/portico/adapter"
	"github.com/portico-go/portico/handler"
)

type nopBinder struct{ err error }

func (b nopBinder) Bind(*http.Request, handler.Params, any) error { return b.err }
func (b nopBinder) Check(t reflect.Type) error {
	if t.Kind() != reflect.Struct {
		return errors.New("not a struct")
	}
	return nil
}

type ctrl struct{}

func (ctrl) HandleRequest(w http.ResponseWriter, r *http.Request) (*handler.ModelAndView, error) {
	return handler.NewModelAndView("v").AddObject("id", r.PathValue("id")), nil
}

func TestSupports(t *testing.T) {
	type in struct{}
	kinds := map[string]any{
		"http":       http.NotFoundHandler(),
		"httpfunc":   func(http.ResponseWriter, *http.Request) {},
		"controller": ctrl{},
		"ctrlfunc":   func(http.ResponseWriter, *http.Request) (*handler.ModelAndView, error) { return nil, nil },
		"function":   handler.Function(func(handler.Request) (*handler.Response, error) { return nil, nil }),
		"typed":      handler.Typed(func(context.Context, in) (int, error) { return 0, nil }),
		"params":     func(http.ResponseWriter, *http.Request, handler.Params) {},
		"none":       42,
	}
	want := map[string]string{
		"http": "HTTP", "httpfunc": "HTTP", "controller": "Controllers", "ctrlfunc": "Controllers",
		"function": "Functional", "typed": "Typed", "params": "HTTP", "none": "",
	}
	for name, h := range kinds {
		got := ""
		for _, a := range adapter.Defaults(nopBinder{}) {
			if a.Supports(h) {
				got = reflect.TypeOf(a).Name()
				break
			}
		}
		if got != want[name] {
			t.Errorf("%s: chosen %q, want %q", name, got, want[name])
		}
	}
}

func TestHandle(t *testing.T) {
	ps := handler.Params{{Key: "id", Value: "7"}}
	t.Run("controller keeps the view and sets path values", func(t *testing.T) {
		var res handler.Result
		r := httptest.NewRequest("GET", "/x/7", nil)
		if err := (adapter.Controllers{}).Handle(httptest.NewRecorder(), r, ctrl{}, ps, &res); err != nil {
			t.Fatal(err)
		}
		if res.View == nil || res.View.Model["id"] != "7" || res.Committed {
			t.Fatalf("res = %+v", res)
		}
	})
	t.Run("functional response headers and status", func(t *testing.T) {
		var res handler.Result
		w := httptest.NewRecorder()
		fn := handler.Function(func(r handler.Request) (*handler.Response, error) {
			resp := handler.Redirect("/book/"+r.Param("id"), 0)
			return resp, nil
		})
		if err := (adapter.Functional{}).Handle(w, httptest.NewRequest("GET", "/", nil), fn, ps, &res); err != nil {
			t.Fatal(err)
		}
		if res.Status != 302 || w.Header().Get("Location") != "/book/7" || w.Code != 200 || w.Body.Len() != 0 {
			t.Fatalf("res %+v header %v", res, w.Header())
		}
	})
	t.Run("typed output kinds", func(t *testing.T) {
		type in struct{}
		cases := []struct {
			h      any
			status int
			view   bool
			body   any
		}{
			{handler.Typed(func(context.Context, in) (int, error) { return 5, nil }), 0, false, 5},
			{handler.Typed(func(context.Context, in) (*handler.Response, error) { return handler.NewResponse(201, "x"), nil }), 201, false, "x"},
			{handler.Typed(func(context.Context, in) (*handler.Response, error) { return nil, nil }), 204, false, nil},
			{handler.Typed(func(context.Context, in) (*handler.ModelAndView, error) { return handler.NewModelAndView("v"), nil }), 0, true, nil},
		}
		for i, c := range cases {
			var res handler.Result
			if err := (adapter.Typed{Binder: nopBinder{}}).Handle(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), c.h, nil, &res); err != nil {
				t.Fatal(err)
			}
			if res.Status != c.status || (res.View != nil) != c.view || res.Body != c.body {
				t.Errorf("case %d: %+v", i, res)
			}
		}
	})
	t.Run("typed binding error and check", func(t *testing.T) {
		type in struct{}
		h := handler.Typed(func(context.Context, in) (int, error) { return 0, nil })
		a := adapter.Typed{Binder: nopBinder{err: handler.ErrBadRequest}}
		var res handler.Result
		if err := a.Handle(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), h, nil, &res); !errors.Is(err, handler.ErrBadRequest) {
			t.Errorf("binding error = %v", err)
		}
		if err := a.Check(h); err != nil {
			t.Errorf("Check(struct input) = %v", err)
		}
		bad := handler.Typed(func(context.Context, int) (int, error) { return 0, nil })
		if err := a.Check(bad); err == nil {
			t.Error("Check accepted an input the binder refuses")
		}
	})
	t.Run("httprouter-shaped handler gets params without PathValue", func(t *testing.T) {
		var res handler.Result
		w := httptest.NewRecorder()
		h := func(w http.ResponseWriter, r *http.Request, ps handler.Params) {
			w.Write([]byte(ps.ByName("id") + "|" + r.PathValue("id")))
		}
		if err := (adapter.HTTP{}).Handle(w, httptest.NewRequest("GET", "/", nil), h, ps, &res); err != nil {
			t.Fatal(err)
		}
		if !res.Committed || w.Body.String() != "7|" {
			t.Errorf("res %+v body %q", res, w.Body)
		}
	})
	t.Run("http handler commits", func(t *testing.T) {
		var res handler.Result
		w := httptest.NewRecorder()
		h := func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(r.PathValue("id"))) }
		if err := (adapter.HTTP{}).Handle(w, httptest.NewRequest("GET", "/", nil), h, ps, &res); err != nil {
			t.Fatal(err)
		}
		if !res.Committed || w.Body.String() != "7" {
			t.Errorf("res %+v body %q", res, w.Body)
		}
	})
}

// TestPrepareMatchesHandle runs every handler kind the preparing adapters
// take both ways, through Handle and through the Func Prepare returns: the
// response written and the Result left must be the same.
func TestPrepareMatchesHandle(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request, id string) {
		w.Header().Set("X-Id", id)
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(r.Method + " " + id))
	}
	cases := []struct {
		name string
		a    adapter.HandlerAdapter
		h    any
	}{
		{"params", adapter.HTTP{}, func(w http.ResponseWriter, r *http.Request, ps handler.Params) { echo(w, r, ps.ByName("id")) }},
		{"httprouter", adapter.HTTP{}, httprouter.Handle(func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) { echo(w, r, ps.ByName("id")) })},
		{"httpfunc", adapter.HTTP{}, func(w http.ResponseWriter, r *http.Request) { echo(w, r, r.PathValue("id")) }},
		{"handler", adapter.HTTP{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { echo(w, r, r.PathValue("id")) })},
		{"function", adapter.Functional{}, handler.Function(func(r handler.Request) (*handler.Response, error) {
			return &handler.Response{Status: http.StatusCreated, Body: r.Param("id")}, nil
		})},
		{"function-nil", adapter.Functional{}, func(handler.Request) (*handler.Response, error) { return nil, nil }},
		{"function-err", adapter.Functional{}, handler.Function(func(handler.Request) (*handler.Response, error) {
			return nil, errors.New("boom")
		})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := func(call adapter.Func) (*httptest.ResponseRecorder, handler.Result, error) {
				w := httptest.NewRecorder()
				var res handler.Result
				err := call(w, httptest.NewRequest("PUT", "/book/7", nil), handler.Params{{Key: "id", Value: "7"}}, &res)
				return w, res, err
			}
			prepared, err := c.a.(adapter.Preparer).Prepare(c.h)
			if err != nil {
				t.Fatal(err)
			}
			w1, res1, err1 := run(func(w http.ResponseWriter, r *http.Request, ps handler.Params, res *handler.Result) error {
				return c.a.Handle(w, r, c.h, ps, res)
			})
			w2, res2, err2 := run(prepared)
			if w1.Code != w2.Code || w1.Body.String() != w2.Body.String() || !reflect.DeepEqual(w1.Header(), w2.Header()) ||
				!reflect.DeepEqual(res1, res2) || fmt.Sprint(err1) != fmt.Sprint(err2) {
				t.Errorf("Handle: %d %q %v %+v %v; prepared: %d %q %v %+v %v",
					w1.Code, w1.Body, w1.Header(), res1, err1, w2.Code, w2.Body, w2.Header(), res2, err2)
			}
		})
	}
	if _, err := (adapter.Functional{}).Prepare(42); err == nil {
		t.Error("Functional.Prepare(42): no error")
	}
	if _, err := (adapter.HTTP{}).Prepare("x"); err == nil {
		t.Error(`HTTP.Prepare("x"): no error`)
	}
}
