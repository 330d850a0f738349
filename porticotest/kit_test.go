package porticotest_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor"
	"github.com/portico-go/portico/interceptor/login"
	"github.com/portico-go/portico/porticotest"
	"github.com/portico-go/portico/view"
)

// fakeTB records what the kit reports instead of failing the real test,
// so the tests can prove each expectation fails when it should.
type fakeTB struct {
	testing.TB
	mu    sync.Mutex
	msgs  []string
	fatal bool
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Error(args ...any) { f.Errorf("%s", fmt.Sprint(args...)) }

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	f.mu.Lock()
	f.fatal = true
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTB) Fatal(args ...any) { f.Fatalf("%s", fmt.Sprint(args...)) }

func (f *fakeTB) FailNow() { f.Fatalf("FailNow") }

func (f *fakeTB) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.msgs) > 0
}

// report runs fn against a fake TB on its own goroutine (Fatalf ends it
// with runtime.Goexit, as testing does) and returns what was reported.
func report(t *testing.T, fn func(tb testing.TB)) *fakeTB {
	f := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f
}

type bookIn struct {
	ID int `path:"id"`
}

type newBook struct {
	Title string `json:"title" validate:"required"`
	Pages int    `json:"pages" validate:"gte=1"`
}

type book struct {
	ID    int    `json:"id"`
	Title string `json:"title"`
}

type envelope struct {
	Code int  `json:"code"`
	Data book `json:"data"`
}

type pageView struct{}

func (pageView) Render(w http.ResponseWriter, _ *http.Request, m map[string]any) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err := fmt.Fprintf(w, "<h1>%v</h1>", m["title"])
	return err
}

type views struct{}

func (views) ResolveView(name string) (view.View, error) {
	if name != "books" {
		return nil, fmt.Errorf("%q: %w", name, view.ErrNotFound)
	}
	return pageView{}, nil
}

// bookstore is a small app: typed JSON routes, a view, and the login
// interceptor over a real auth.Manager with test Authorities.
func bookstore(t testing.TB) (*dispatcher.Dispatcher, []porticotest.Option) {
	m := porticotest.NewAuthManager(t)
	authz := porticotest.NewAuthorities()
	li, err := login.New(m, login.WithAuthorizer(authz))
	if err != nil {
		t.Fatal(err)
	}
	d := dispatcher.New(dispatcher.WithViewResolver(views{}), dispatcher.WithLogger(slog.New(slog.DiscardHandler)))
	d.Interceptors().AddInterceptor(interceptor.Funcs{Name: "audit"})
	d.Interceptors().AddInterceptor(li).AddPathPatterns("/api/**")
	must(t, d.GET("/book/{id}", handler.Typed(func(_ context.Context, in bookIn) (envelope, error) {
		if in.ID != 7 {
			return envelope{}, handler.ErrNotFound
		}
		return envelope{Code: 200, Data: book{ID: 7, Title: "Dune"}}, nil
	})))
	must(t, d.POST("/book", handler.Typed(func(_ context.Context, in newBook) (*handler.Response, error) {
		return &handler.Response{Status: http.StatusCreated, Header: http.Header{"Location": {"/book/8"}}, Body: book{ID: 8, Title: in.Title}}, nil
	})))
	must(t, d.POST("/search", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.FormValue("q")+"|"+r.URL.Query().Get("page"))
	}))
	must(t, d.GET("/books.html", handler.ControllerFunc(func(http.ResponseWriter, *http.Request) (*handler.ModelAndView, error) {
		return handler.NewModelAndView("books").AddObject("title", "All books").AddObject("count", 2), nil
	})))
	must(t, d.GET("/null", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"data":null}`)
	}))
	must(t, d.GET("/old", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept")
		w.Header().Add("Vary", "Origin, Accept-Language")
		http.Redirect(w, r, "/books.html?from=old", http.StatusSeeOther)
	}))
	must(t, d.GET("/files/{*path}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.PathValue("path"))
	}))
	must(t, d.GET("/api/me", handler.Typed(func(ctx context.Context, _ handler.Empty) (map[string]string, error) {
		u, _ := login.CurrentUser(ctx)
		return map[string]string{"id": u.ID}, nil
	})))
	must(t, d.GET("/api/admin", handler.Typed(func(context.Context, handler.Empty) (string, error) { return "admin", nil }),
		dispatcher.WithMeta(login.RequireRoles(login.All, "admin"))))
	return d, []porticotest.Option{porticotest.WithAuth(m), porticotest.WithAuthorities(authz)}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestExpectations proves every expectation passes on a matching
// response and fails, with the exchange printed, on a mismatch.
func TestExpectations(t *testing.T) {
	d, opts := bookstore(t)
	kit := porticotest.New(t, d, opts...)
	alice := porticotest.User{ID: "alice"}
	for _, tt := range []struct {
		name       string
		pass, fail func(k *porticotest.Kit)
		msg        string
	}{
		{"status",
			func(k *porticotest.Kit) { k.GET("/book/{id}", 7).Do().Status(200) },
			func(k *porticotest.Kit) { k.GET("/book/{id}", 7).Do().Status(201) },
			"status 200, want 201"},
		{"header",
			func(k *porticotest.Kit) {
				k.POST("/book").JSON(newBook{Title: "Emma", Pages: 3}).Do().HasHeader("Location", "/book/8").NoHeader("Content-Disposition")
			},
			func(k *porticotest.Kit) {
				k.POST("/book").JSON(newBook{Title: "Emma", Pages: 3}).Do().HasHeader("Location", "/book/9")
			},
			`header Location = "/book/8", want "/book/9"`},
		{"no header",
			func(k *porticotest.Kit) { k.GET("/book/{id}", 7).Do().NoHeader("Location") },
			func(k *porticotest.Kit) { k.GET("/book/{id}", 7).Do().NoHeader("Content-Type") },
			"header Content-Type"},
		{"header contains",
			func(k *porticotest.Kit) {
				k.GET("/old").Do().HeaderContains("Vary", "Accept").HeaderContains("Vary", "Origin")
			},
			func(k *porticotest.Kit) { k.GET("/old").Do().HeaderContains("Vary", "Cookie") },
			`header Vary = ["Accept" "Origin, Accept-Language"], want it to contain "Cookie"`},
		{"header contains, header absent",
			func(k *porticotest.Kit) { k.GET("/old").Do().HeaderContains("Location", "from=old") },
			func(k *porticotest.Kit) { k.GET("/book/{id}", 7).Do().HeaderContains("Vary", "") },
			`header Vary = [], want it to contain ""`},
		{"redirect",
			func(k *porticotest.Kit) { k.GET("/old").Do().RedirectedTo("/books.html?from=old") },
			func(k *porticotest.Kit) { k.GET("/old").Do().RedirectedTo("/books.html") },
			`status 303, Location "/books.html?from=old", want a redirect to "/books.html"`},
		{"redirect, not a 3xx",
			func(k *porticotest.Kit) { k.GET("/old").Do().Status(303) },
			func(k *porticotest.Kit) {
				k.POST("/book").JSON(newBook{Title: "Emma", Pages: 3}).Do().RedirectedTo("/book/8")
			},
			`status 201, Location "/book/8", want a redirect`},
		{"content type",
			func(k *porticotest.Kit) { k.GET("/books.html").Do().ContentType("text/html") },
			func(k *porticotest.Kit) { k.GET("/books.html").Do().ContentType("application/json") },
			"want application/json"},
		{"json value",
			func(k *porticotest.Kit) {
				k.GET("/book/{id}", 7).Do().JSON("$.data.title", "Dune").JSON("$.data.id", 7)
			},
			func(k *porticotest.Kit) { k.GET("/book/{id}", 7).Do().JSON("$.data.title", "Emma") },
			`JSON $.data.title = "Dune", want "Emma"`},
		{"json object",
			func(k *porticotest.Kit) { k.GET("/book/{id}", 7).Do().JSON("$.data", book{7, "Dune"}) },
			func(k *porticotest.Kit) { k.GET("/book/{id}", 7).Do().JSON("$.data", book{8, "Dune"}) },
			`want {"id":8`},
		{"json missing",
			func(k *porticotest.Kit) { k.GET("/book/{id}", 7).Do().JSONAbsent("$.data.author") },
			func(k *porticotest.Kit) { k.GET("/book/{id}", 7).Do().JSON("$.data.author", "Herbert") },
			"selects nothing"},
		{"json absent",
			func(k *porticotest.Kit) { k.GET("/book/{id}", 7).Do().JSONAbsent("$.errors") },
			func(k *porticotest.Kit) { k.GET("/book/{id}", 7).Do().JSONAbsent("$.data.id") },
			"want nothing"},
		{"json exists",
			func(k *porticotest.Kit) {
				k.GET("/api/me").Do().Status(401).JSONExists("$.code").JSONExists("$.reason")
			},
			func(k *porticotest.Kit) { k.GET("/book/{id}", 7).Do().JSONExists("$.data.author") },
			"JSON $.data.author selects nothing, want it to exist"},
		{"json bad path",
			func(k *porticotest.Kit) { k.GET("/book/{id}", 7).Do().JSON("$.code", 200) },
			func(k *porticotest.Kit) { k.GET("/book/{id}", 7).Do().JSON("$.data[", 1) },
			"bad JSONPath"},
		{"body",
			func(k *porticotest.Kit) { k.GET("/books.html").Do().BodyContains("All books") },
			func(k *porticotest.Kit) { k.GET("/books.html").Do().BodyContains("No books") },
			`body does not contain "No books"`},
		{"view",
			func(k *porticotest.Kit) { k.GET("/books.html").Do().View("books") },
			func(k *porticotest.Kit) { k.GET("/books.html").Do().View("book") },
			`view "books", want "book"`},
		{"view on a JSON route",
			func(k *porticotest.Kit) { k.GET("/books.html").Do().ModelHas("count") },
			func(k *porticotest.Kit) { k.GET("/book/{id}", 7).Do().View("books") },
			"no ModelAndView was rendered"},
		{"model",
			func(k *porticotest.Kit) { k.GET("/books.html").Do().Model("title", "All books").Model("count", 2) },
			func(k *porticotest.Kit) { k.GET("/books.html").Do().Model("count", 3) },
			`model["count"] = 2, want 3`},
		{"model key",
			func(k *porticotest.Kit) { k.GET("/books.html").Do().ModelHas("title") },
			func(k *porticotest.Kit) { k.GET("/books.html").Do().ModelHas("user") },
			`model has no attribute "user" (has [count title])`},
		{"reason",
			func(k *porticotest.Kit) { k.GET("/api/me").Do().Status(401).Reason("missing_token") },
			func(k *porticotest.Kit) { k.GET("/api/me").Do().Reason("expired") },
			`error reason "missing_token", want "expired"`},
		{"field error",
			func(k *porticotest.Kit) {
				k.POST("/book").JSON(`{"pages":0}`).Do().Status(400).FieldError("title", "").FieldError("pages", "")
			},
			func(k *porticotest.Kit) { k.POST("/book").JSON(`{"pages":0}`).Do().FieldError("author", "") },
			`no field error for "author"`},
		{"as user",
			func(k *porticotest.Kit) { k.GET("/api/me").As(alice).Do().Status(200).JSON("$.id", "alice") },
			func(k *porticotest.Kit) { k.GET("/api/me").As(alice).Do().JSON("$.id", "bob") },
			`JSON $.id = "alice", want "bob"`},
		{"roles",
			func(k *porticotest.Kit) {
				k.GET("/api/admin").As(porticotest.User{ID: "root", Roles: []string{"admin"}}).Do().Status(200)
			},
			func(k *porticotest.Kit) {
				k.GET("/api/admin").As(porticotest.User{ID: "carol", Roles: []string{"reader"}}).Do().Status(200)
			},
			"status 403, want 200"},
		{"template and query",
			func(k *porticotest.Kit) {
				k.POST("/search?page=2").Form(url.Values{"q": {"a&b"}}).Do().BodyContains("a&b|2")
				k.GET("/files/{*path}", "a b/c.txt").Do().BodyContains("/a b/c.txt")
			},
			func(k *porticotest.Kit) { k.GET("/book/{id}/{x}", 7) },
			"no value for {x}"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if f := report(t, func(tb testing.TB) { tt.pass(kit.For(tb)) }); f.Failed() {
				t.Errorf("passing case reported: %q", f.msgs)
			}
			f := report(t, func(tb testing.TB) { tt.fail(kit.For(tb)) })
			if len(f.msgs) == 0 {
				t.Fatalf("failing case reported nothing")
			}
			if !strings.Contains(f.msgs[0], tt.msg) {
				t.Errorf("failure %q does not say %q", f.msgs[0], tt.msg)
			}
		})
	}
}

// TestAlwaysExpect: a check given once runs on every response, before
// and along with the test's own expectations, in subtests too.
func TestAlwaysExpect(t *testing.T) {
	d, opts := bookstore(t)
	var seen []string
	kit := porticotest.New(t, d, append(opts,
		porticotest.AlwaysExpect(func(_ testing.TB, r *porticotest.Response) { seen = append(seen, r.Header.Get("Content-Type")) }),
		porticotest.AlwaysExpect(func(t testing.TB, r *porticotest.Response) {
			t.Helper()
			r.JSON("$.code", r.Code)
		}),
	)...)
	if f := report(t, func(tb testing.TB) { kit.For(tb).GET("/book/{id}", 7).Do().Status(200) }); f.Failed() {
		t.Errorf("passing request reported: %q", f.msgs)
	}
	f := report(t, func(tb testing.TB) { kit.For(tb).GET("/api/me").As(porticotest.User{ID: "alice"}).Do().Status(200) })
	if len(f.msgs) != 1 || !strings.Contains(f.msgs[0], "JSON $.code selects nothing, want 200") {
		t.Errorf("reports %q, want the check's failure alone", f.msgs)
	}
	if len(seen) != 2 || !strings.HasPrefix(seen[0], "application/json") {
		t.Errorf("first check saw %q, want both responses", seen)
	}
}

// TestFailurePrintsExchange checks the print(): request, route, chain,
// model, response; and that tokens are redacted.
func TestFailurePrintsExchange(t *testing.T) {
	d, opts := bookstore(t)
	kit := porticotest.New(t, d, opts...)
	f := report(t, func(tb testing.TB) {
		kit.For(tb).GET("/api/me").As(porticotest.User{ID: "alice"}).Header("X-Trace", "t1").Do().Status(418)
	})
	if len(f.msgs) != 1 {
		t.Fatalf("reports: %q", f.msgs)
	}
	msg := f.msgs[0]
	for _, want := range []string{
		"--- request\nGET /api/me\n", "Authorization: Bearer [redacted]", "X-Trace: t1",
		"route:   GET /api/me", "chain:   audit -> *login.Interceptor",
		"--- response 200 OK", `{"id":"alice"}`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("print lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "eyJ") {
		t.Errorf("a token leaked into the print:\n%s", msg)
	}
	f = report(t, func(tb testing.TB) { kit.For(tb).GET("/books.html").Do().Status(500) })
	if msg := f.msgs[0]; !strings.Contains(msg, "view:    books") || !strings.Contains(msg, `model:   title = "All books"`) {
		t.Errorf("print lacks the view and model:\n%s", msg)
	}
	f = report(t, func(tb testing.TB) { kit.For(tb).GET("/nope").Do().Status(200) })
	if msg := f.msgs[0]; !strings.Contains(msg, "no route") {
		t.Errorf("print of a 404 lacks 'no route':\n%s", msg)
	}
}

func TestDecode(t *testing.T) {
	d, opts := bookstore(t)
	kit := porticotest.New(t, d, opts...)
	var env envelope
	kit.GET("/book/{id}", 7).Do().Decode(&env)
	if env.Data.Title != "Dune" {
		t.Errorf("Decode: %+v", env)
	}
	var b book
	kit.GET("/book/{id}", 7).Do().DecodeAt("$.data", &b)
	if b != (book{7, "Dune"}) {
		t.Errorf("DecodeAt: %+v", b)
	}
	f := report(t, func(tb testing.TB) { kit.For(tb).GET("/books.html").Do().Decode(&env) })
	if !f.fatal || !strings.Contains(f.msgs[0], "decoding the body") {
		t.Errorf("Decode of HTML: %v %q", f.fatal, f.msgs)
	}
	f = report(t, func(tb testing.TB) { kit.For(tb).GET("/book/{id}", 7).Do().DecodeAt("$.nothing", &b) })
	if !f.fatal || !strings.Contains(f.msgs[0], "selects 0 values") {
		t.Errorf("DecodeAt of nothing: %v %q", f.fatal, f.msgs)
	}
}

// TestAsNeedsAuth: no silent anonymous request when the kit cannot log
// anyone in.
func TestAsNeedsAuth(t *testing.T) {
	d, _ := bookstore(t)
	kit := porticotest.New(t, d)
	f := report(t, func(tb testing.TB) { kit.For(tb).GET("/api/me").As(porticotest.User{ID: "alice"}).Do() })
	if !f.fatal || !strings.Contains(f.msgs[0], "no auth.Manager") {
		t.Errorf("As without a manager: %v %q", f.fatal, f.msgs)
	}
}

// TestRolesNeedAuthorities: roles the kit cannot grant fail the test
// instead of silently sending a user without them.
func TestRolesNeedAuthorities(t *testing.T) {
	d, opts := bookstore(t)
	kit := porticotest.New(t, d, opts[0]) // the manager, not the Authorities
	f := report(t, func(tb testing.TB) {
		kit.For(tb).GET("/api/admin").As(porticotest.User{ID: "root", Roles: []string{"admin"}}).Do()
	})
	if !f.fatal || !strings.Contains(f.msgs[0], "no Authorities") {
		t.Errorf("roles without Authorities: %v %q", f.fatal, f.msgs)
	}
}

// TestConcurrentRequests runs many requests from parallel goroutines
// (go test -race checks the kit and the Authorities).
func TestConcurrentRequests(t *testing.T) {
	d, opts := bookstore(t)
	kit := porticotest.New(t, d, opts...)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			u := porticotest.User{ID: fmt.Sprint("user", i), Roles: []string{"admin"}}
			kit.GET("/api/admin").As(u).Do().Status(200)
			kit.GET("/book/{id}", 7).Do().JSON("$.data.id", 7)
		})
	}
	wg.Wait()
}

// TestRunInterceptor unit-tests interceptors: the login interceptor
// stopping a request, and one that attaches a value and edits the result.
func TestRunInterceptor(t *testing.T) {
	m := porticotest.NewAuthManager(t)
	li, err := login.New(m)
	if err != nil {
		t.Fatal(err)
	}
	tr := porticotest.RunInterceptor(t, li, porticotest.Route{Method: "GET", Path: "/api/me"},
		httptest.NewRequest("GET", "/api/me", nil))
	if tr.Proceeded || tr.PreErr == nil || tr.HandlerReached || tr.PostRan || tr.AfterRan {
		t.Errorf("login without a token: %+v", tr)
	}
	tr.Response.Status(401).Reason("missing_token")

	key := handler.NewKey[string]("tenant")
	tenant := interceptor.Funcs{
		Pre: func(_ http.ResponseWriter, r *http.Request, _ *handler.Route) (bool, error) {
			key.Set(r, r.Header.Get("X-Tenant"))
			return true, nil
		},
		Post: func(w http.ResponseWriter, _ *http.Request, _ *handler.Route, res *handler.Result) error {
			res.Status = http.StatusAccepted
			return nil
		},
	}
	r := httptest.NewRequest("GET", "/book/7", nil)
	r.Header.Set("X-Tenant", "acme")
	tr = porticotest.RunInterceptor(t, tenant, porticotest.Route{Method: "GET", Path: "/book/{id}"}, r)
	if !tr.Proceeded || !tr.HandlerReached || !tr.PostRan || !tr.AfterRan || tr.AfterErr != nil {
		t.Fatalf("trace: %+v", tr)
	}
	if v, _ := key.Value(tr.Context); v != "acme" {
		t.Errorf("value the interceptor attached: %q", v)
	}
	if tr.Result.Status != http.StatusAccepted {
		t.Errorf("result after PostHandle: %+v", tr.Result)
	}
	tr.Response.Status(http.StatusAccepted).JSON("$.handler", "ran")
}
