package interceptor_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
)

type pathIs string

func (p pathIs) Match(path string) bool { return path == string(p) }

func link(name string, log *[]string, pre bool, cond interceptor.Matcher) interceptor.Link {
	return interceptor.Link{Name: name, Cond: cond, Interceptor: interceptor.Funcs{
		Pre: func(http.ResponseWriter, *http.Request, *handler.Route) (bool, error) {
			*log = append(*log, name+".pre")
			return pre, nil
		},
		Post: func(http.ResponseWriter, *http.Request, *handler.Route, *handler.Result) error {
			*log = append(*log, name+".post")
			return nil
		},
		After: func(_ http.ResponseWriter, _ *http.Request, _ *handler.Route, err error) {
			*log = append(*log, fmt.Sprintf("%s.after(%v)", name, err))
		},
	}}
}

func TestChainConditionsAndProgress(t *testing.T) {
	var log []string
	c := interceptor.Chain{
		link("a", &log, true, nil),
		link("b", &log, true, pathIs("/other")),
		link("c", &log, true, pathIs("/x")),
		link("d", &log, false, nil),
	}
	w, r, rt := httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil), &handler.Route{}
	var p interceptor.Progress
	ok, err := c.PreHandle(w, r, rt, "/x", &p)
	if ok || err != nil {
		t.Fatalf("PreHandle = %v, %v", ok, err)
	}
	c.AfterCompletion(w, r, rt, nil, "/x", &p, nil)
	want := "a.pre c.pre d.pre c.after(<nil>) a.after(<nil>)"
	if got := strings.Join(log, " "); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestChainLongSkipList(t *testing.T) {
	// Beyond 64 links the skip marks run out; the answer must not change.
	var log []string
	var c interceptor.Chain
	for i := 0; i < 70; i++ {
		var cond interceptor.Matcher
		if i%2 == 1 {
			cond = pathIs("/never")
		}
		c = append(c, link(fmt.Sprint(i), &log, true, cond))
	}
	w, r, rt := httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil), &handler.Route{}
	var p interceptor.Progress
	if ok, _ := c.PreHandle(w, r, rt, "/x", &p); !ok {
		t.Fatal("stopped")
	}
	c.PostHandle(w, r, rt, &handler.Result{}, "/x", &p)
	c.AfterCompletion(w, r, rt, nil, "/x", &p, nil)
	if len(log) != 35*3 {
		t.Fatalf("%d calls, want %d", len(log), 35*3)
	}
	for _, l := range log {
		var n int
		fmt.Sscanf(l, "%d", &n)
		if n%2 == 1 {
			t.Fatalf("skipped link ran: %s", l)
		}
	}
}

func TestAfterCompletionPanicIsContained(t *testing.T) {
	var log []string
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	boom := interceptor.Link{Name: "boom", Interceptor: interceptor.Funcs{
		After: func(http.ResponseWriter, *http.Request, *handler.Route, error) { panic("kaboom") },
	}}
	c := interceptor.Chain{link("a", &log, true, nil), boom, link("c", &log, true, nil)}
	w, r, rt := httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil), &handler.Route{Path: "/x"}
	r.Header.Set("Authorization", "Bearer secret-token")
	var p interceptor.Progress
	c.PreHandle(w, r, rt, "/x", &p)
	c.AfterCompletion(w, r, rt, errors.New("e"), "/x", &p, logger)
	if got := strings.Join(log, " "); got != "a.pre c.pre c.after(e) a.after(e)" {
		t.Errorf("calls: %s", got)
	}
	if !strings.Contains(buf.String(), "kaboom") || !strings.Contains(buf.String(), "route=/x") {
		t.Errorf("panic not logged with its route: %s", buf.String())
	}
	if strings.Contains(buf.String(), "secret-token") {
		t.Error("log leaks the token")
	}
}

type recordWriter struct {
	*httptest.ResponseRecorder
	status int
}

func (w *recordWriter) Status() int         { return w.status }
func (w *recordWriter) BytesWritten() int64 { return int64(w.Body.Len()) }
func (w *recordWriter) Committed() bool     { return w.status != 0 }

func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	now := time.Unix(0, 0)
	al := &interceptor.AccessLog{Logger: slog.New(slog.NewJSONHandler(&buf, nil)), Now: func() time.Time {
		now = now.Add(5 * time.Millisecond)
		return now
	}}
	rt := &handler.Route{Path: "/book/{id}"}
	r := httptest.NewRequest("GET", "/book/7?access_token=secret", nil)
	r.Header.Set("Authorization", "Bearer secret")
	r = r.WithContext(handler.NewContext(r.Context(), rt, nil))
	w := &recordWriter{ResponseRecorder: httptest.NewRecorder(), status: 404}
	al.PreHandle(w, r, rt)
	al.AfterCompletion(w, r, rt, handler.ErrNotFound)
	out := buf.String()
	for _, want := range []string{`"route":"/book/{id}"`, `"status":404`, `"path":"/book/7"`, `"duration":5000000`, `"method":"GET"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s: %s", want, out)
		}
	}
	if strings.Contains(out, "secret") {
		t.Errorf("access log leaks a token: %s", out)
	}
}

func ExampleFuncs() {
	// Only the hooks an interceptor needs, as Spring's default methods allow.
	timing := interceptor.Funcs{
		Post: func(w http.ResponseWriter, r *http.Request, rt *handler.Route, res *handler.Result) error {
			if res.View != nil {
				res.View.AddObject("now", "12:00")
			}
			return nil
		},
	}
	res := &handler.Result{View: handler.NewModelAndView("index")}
	timing.PostHandle(nil, nil, nil, res)
	fmt.Println(res.View.Model["now"])
	// Output: 12:00
}

// TestPlainAndConditionalLoopsAgree runs random chains twice: as built,
// without a Cond, which takes the loops that never look at one, and with
// a Cond on every link that always matches, which takes the general
// loops. What the hooks see must not differ.
func TestPlainAndConditionalLoopsAgree(t *testing.T) {
	type behaviour struct {
		pre        int // 0 passes, 1 returns false, 2 returns an error, 3 panics
		postErr    bool
		afterPanic bool
	}
	run := func(bs []behaviour, cond interceptor.Matcher) string {
		var log []string
		var c interceptor.Chain
		for i, b := range bs {
			name := fmt.Sprint(i)
			c = append(c, interceptor.Link{Name: name, Cond: cond, Interceptor: interceptor.Funcs{
				Pre: func(http.ResponseWriter, *http.Request, *handler.Route) (bool, error) {
					log = append(log, name+".pre")
					switch b.pre {
					case 1:
						return false, nil
					case 2:
						return false, errors.New("refused by " + name)
					case 3:
						panic("pre " + name)
					}
					return true, nil
				},
				Post: func(http.ResponseWriter, *http.Request, *handler.Route, *handler.Result) error {
					log = append(log, name+".post")
					if b.postErr {
						return errors.New("post " + name)
					}
					return nil
				},
				After: func(_ http.ResponseWriter, _ *http.Request, _ *handler.Route, err error) {
					log = append(log, fmt.Sprintf("%s.after(%v)", name, err))
					if b.afterPanic {
						panic("after " + name)
					}
				},
			}})
		}
		w, r, rt := httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil), &handler.Route{}
		var p interceptor.Progress
		var err error
		func() {
			defer func() {
				if v := recover(); v != nil {
					err = fmt.Errorf("panic: %v", v)
				}
			}()
			var ok bool
			ok, err = c.PreHandle(w, r, rt, "/x", &p)
			log = append(log, fmt.Sprintf("pre=%v,%v", ok, err))
			if ok {
				err = c.PostHandle(w, r, rt, &handler.Result{}, "/x", &p)
				log = append(log, fmt.Sprintf("post=%v", err))
			}
		}()
		c.AfterCompletion(w, r, rt, err, "/x", &p, slog.New(slog.DiscardHandler))
		return strings.Join(append(log, fmt.Sprint("applied=", p.Applied())), " ")
	}
	rnd := rand.New(rand.NewPCG(17, 3))
	for range 2000 {
		bs := make([]behaviour, rnd.IntN(7))
		for i := range bs {
			bs[i] = behaviour{pre: max(0, rnd.IntN(12)-8), postErr: rnd.IntN(6) == 0, afterPanic: rnd.IntN(6) == 0}
		}
		plain, general := run(bs, nil), run(bs, pathIs("/x"))
		if plain != general {
			t.Fatalf("chain %+v:\nplain   %s\ngeneral %s", bs, plain, general)
		}
	}
}
