package dispatcher_test

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
)

// A panicking exception resolver declines: the next resolver (here the
// defaults) answers, AfterCompletion still runs, and the panic is logged
// with the route instead of reaching net/http.
func TestPanickingResolverDeclines(t *testing.T) {
	var logs strings.Builder
	d := dispatcher.New(dispatcher.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	boom := errors.New("boom")
	must(t, d.GET("/x", func(w http.ResponseWriter, r *http.Request) (*handler.ModelAndView, error) { return nil, boom },
		dispatcher.WithExceptionResolver(dispatcher.ResolverFunc(func(*http.Request, *handler.Route, error) *handler.Result {
			panic("resolver exploded")
		}))))
	after := 0
	d.Interceptors().AddInterceptor(interceptor.Funcs{After: func(_ http.ResponseWriter, _ *http.Request, _ *handler.Route, err error) {
		if errors.Is(err, boom) {
			after++
		}
	}}).AddPathPatterns("/**")
	w := httptest.NewRecorder()
	d.ServeHTTP(w, httptest.NewRequest("GET", "/x", nil))
	if w.Code != 500 || !strings.Contains(w.Body.String(), `"code":500`) {
		t.Errorf("got %d %s, want a 500 in the error shape", w.Code, w.Body)
	}
	if after != 1 {
		t.Errorf("AfterCompletion ran %d times with the handler's error, want 1", after)
	}
	if !strings.Contains(logs.String(), "resolver exploded") || !strings.Contains(logs.String(), "route=/x") {
		t.Errorf("panic not logged with the route:\n%s", logs.String())
	}
}
