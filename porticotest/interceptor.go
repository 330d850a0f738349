package porticotest

import (
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
)

// Route is the route RunInterceptor registers the interceptor on.
type Route struct {
	// Method and Path are the route's method and template, e.g. "GET" and
	// "/book/{id}".
	Method string
	Path   string
	// Meta is the route's metadata (login.RequireRoles(...), ...).
	Meta []any
	// Handler is the route's handler; nil means one answering 200 with
	// {"handler":"ran"}.
	Handler any
}

// Trace records what one interceptor did for one request.
type Trace struct {
	// Proceeded is what PreHandle returned, and PreErr its error.
	Proceeded bool
	PreErr    error
	// HandlerReached reports that the request got past the interceptor to
	// the handler; Context is the request's context there, holding what
	// the interceptor attached (handler.Key values, the login user).
	HandlerReached bool
	Context        context.Context
	// PostRan reports that PostHandle ran; PostErr is its error and Result
	// the result it left for writing.
	PostRan bool
	PostErr error
	Result  *handler.Result
	// AfterRan reports that AfterCompletion ran; AfterErr is the error it
	// was given.
	AfterRan bool
	AfterErr error
	// Response is the response the request got, with its expectations.
	Response *Response
}

// RunInterceptor runs ic in a real dispatcher, alone on rt, for the
// request r (httptest.NewRequest), and records what its hooks did and
// what the client got: a unit test for one interceptor.
func RunInterceptor(t testing.TB, ic interceptor.HandlerInterceptor, rt Route, r *http.Request) *Trace {
	t.Helper()
	tr := &Trace{}
	d := dispatcher.New(dispatcher.WithLogger(slog.New(slog.DiscardHandler)))
	d.Interceptors().AddInterceptor(&spy{ic: ic, tr: tr}).Name(interceptor.NameOf(ic))
	d.Interceptors().AddInterceptor(interceptor.Funcs{
		Name: "porticotest.probe",
		Pre: func(_ http.ResponseWriter, r *http.Request, _ *handler.Route) (bool, error) {
			tr.HandlerReached, tr.Context = true, r.Context()
			return true, nil
		},
	}).Order(int(^uint(0) >> 1))
	h := rt.Handler
	if h == nil {
		h = handler.Function(func(handler.Request) (*handler.Response, error) {
			return handler.NewResponse(http.StatusOK, map[string]string{"handler": "ran"}), nil
		})
	}
	if err := d.Handle(rt.Method, rt.Path, h, dispatcher.WithMeta(rt.Meta...)); err != nil {
		t.Fatalf("porticotest: RunInterceptor: %v", err)
	}
	tr.Response = New(t, d).Serve(r)
	return tr
}

// spy passes every hook to ic and records the outcome.
type spy struct {
	ic interceptor.HandlerInterceptor
	tr *Trace
}

func (s *spy) PreHandle(w http.ResponseWriter, r *http.Request, rt *handler.Route) (bool, error) {
	ok, err := s.ic.PreHandle(w, r, rt)
	s.tr.Proceeded, s.tr.PreErr = ok, err
	return ok, err
}

func (s *spy) PostHandle(w http.ResponseWriter, r *http.Request, rt *handler.Route, res *handler.Result) error {
	err := s.ic.PostHandle(w, r, rt, res)
	c := *res
	s.tr.PostRan, s.tr.PostErr, s.tr.Result = true, err, &c
	return err
}

func (s *spy) AfterCompletion(w http.ResponseWriter, r *http.Request, rt *handler.Route, err error) {
	s.tr.AfterRan, s.tr.AfterErr = true, err
	s.ic.AfterCompletion(w, r, rt, err)
}
