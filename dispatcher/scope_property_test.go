package dispatcher_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
)

type outerKey struct{}

// scripted is an interceptor whose hooks do what its script says and log
// what they saw. It declares that it uses no request state, so whether its
// route carries a scope is up to the route alone.
type scripted struct {
	id        int
	pre, post int
	log       *[]string
}

func (s *scripted) UsesRequestState() bool { return false }

func (s *scripted) seen(hook string, r *http.Request) {
	v, _ := r.Context().Value(outerKey{}).(string)
	*s.log = append(*s.log, fmt.Sprintf("%s%d %s %s %s", hook, s.id, r.Pattern, r.URL.Path, v))
}

func (s *scripted) PreHandle(w http.ResponseWriter, r *http.Request, _ *handler.Route) (bool, error) {
	s.seen("pre", r)
	switch s.pre {
	case 7:
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, "stopped")
		return false, nil
	case 8:
		return false, handler.NewError(http.StatusUnauthorized, "no")
	case 9:
		panic("pre")
	}
	return true, nil
}

func (s *scripted) PostHandle(w http.ResponseWriter, r *http.Request, _ *handler.Route, res *handler.Result) error {
	s.seen("post", r)
	switch s.post {
	case 1:
		w.Header().Set("X-Post", fmt.Sprint(s.id))
	case 2:
		return errors.New("post failed")
	}
	return nil
}

func (s *scripted) AfterCompletion(_ http.ResponseWriter, r *http.Request, _ *handler.Route, err error) {
	s.seen("after", r)
	*s.log = append(*s.log, fmt.Sprintf("err=%v", err != nil))
}

// TestScopeIsUnobservable runs random chains and handlers on a route with
// a request scope and on the same route without one: hook order, what each
// hook and the handler saw, statuses, headers and bodies must be the same.
func TestScopeIsUnobservable(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	for seed := range uint64(400) {
		rng := rand.New(rand.NewPCG(seed, 17))
		n := rng.IntN(5)
		pres, posts := make([]int, n), make([]int, n)
		for i := range n {
			pres[i], posts[i] = rng.IntN(10), rng.IntN(3)
		}
		action := rng.IntN(6)
		run := func(scoped bool) (string, []string) {
			var log []string
			d := dispatcher.New(dispatcher.WithLogger(quiet))
			var opts []dispatcher.RouteOption
			if scoped {
				opts = append(opts, dispatcher.WithRequestScope())
			}
			must(t, d.GET("/item/{id}", handler.Function(func(r handler.Request) (*handler.Response, error) {
				v, _ := r.Context().Value(outerKey{}).(string)
				log = append(log, "handler "+r.Pattern+" "+r.Param("id")+" "+v)
				switch action {
				case 0:
					return &handler.Response{Body: "ok " + r.Param("id")}, nil
				case 1:
					return &handler.Response{Status: http.StatusCreated, Body: map[string]string{"id": r.Param("id")}}, nil
				case 2:
					return nil, handler.NewError(http.StatusConflict, "taken")
				case 3:
					panic("handler")
				case 4:
					return nil, nil
				}
				return nil, errors.New("plain error")
			}), opts...))
			for i := range n {
				d.Interceptors().AddInterceptor(&scripted{id: i, pre: pres[i], post: posts[i], log: &log})
			}
			r := httptest.NewRequest("GET", "/item/42", nil)
			r = r.WithContext(context.WithValue(r.Context(), outerKey{}, "outer"))
			w := httptest.NewRecorder()
			d.ServeHTTP(w, r)
			return fmt.Sprintf("%d %v %q", w.Code, w.Header(), w.Body), log
		}
		gotS, logS := run(true)
		gotU, logU := run(false)
		if gotS != gotU || strings.Join(logS, "\n") != strings.Join(logU, "\n") {
			t.Fatalf("seed %d (pre %v, post %v, handler action %d):\nscoped:   %s\n%s\nunscoped: %s\n%s",
				seed, pres, posts, action, gotS, strings.Join(logS, "\n"), gotU, strings.Join(logU, "\n"))
		}
		if len(logS) == 0 {
			t.Fatalf("seed %d: nothing ran", seed)
		}
	}
}
