package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/porticotest"
)

// listBooks lists with query as user and decodes the page.
func listBooks(t *testing.T, kit *porticotest.Kit, as porticotest.User, query string) (*porticotest.Response, bookPage) {
	t.Helper()
	r := kit.GET("/book/list" + query).As(as).Do()
	var p bookPage
	if r.Code == http.StatusOK {
		r.DecodeAt("$.data", &p)
	}
	return r, p
}

// TestBookSearchAndSort: search by title or author with LIKE's wildcards
// taken literally, every sort both ways, and a stable order.
func TestBookSearchAndSort(t *testing.T) {
	t.Parallel()
	kit := newKit(t, nil)
	for _, b := range []map[string]any{
		{"title": "100% Go", "author": "Percent Person"},
		{"title": "snake_case", "author": "Under Score"},
		{"title": `back\slash`, "author": "Esc Ape"},
	} {
		kit.POST("/book").As(asAdmin).JSON(b).Do().Status(201)
	}

	for _, tt := range []struct {
		q     string
		total int
		want  string // a title every item or the only item has
	}{
		{"%", 1, "100% Go"},
		{"_", 1, "snake_case"},
		{`\`, 1, `back\slash`},
		{"fowler", 2, ""},               // author, any case
		{"PROGRAMMING LANGUAGE", 2, ""}, // title, any case
		{"concurrency", 2, ""},
		{"no such book", 0, ""},
		{"  clean code  ", 1, "Clean Code"}, // trimmed
	} {
		r, p := listBooks(t, kit, asAdmin, "?size=100&q="+url.QueryEscape(tt.q))
		r.Status(200).JSON("$.data.total", tt.total)
		if len(p.Items) != tt.total {
			t.Errorf("search %q: %d items, want %d: %s", tt.q, len(p.Items), tt.total, r.Body)
		}
		if tt.want != "" {
			r.JSON("$.data.items[0].title", tt.want)
		}
		for _, b := range p.Items {
			q := strings.ToLower(strings.TrimSpace(tt.q))
			if !strings.Contains(strings.ToLower(b.Title), q) && !strings.Contains(strings.ToLower(b.Author), q) {
				t.Errorf("search %q found %+v", tt.q, b)
			}
		}
	}

	key := map[string]func(a, b Book) int{
		"id":     func(a, b Book) int { return cmp.Compare(a.ID, b.ID) },
		"title":  func(a, b Book) int { return cmp.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)) },
		"author": func(a, b Book) int { return cmp.Compare(strings.ToLower(a.Author), strings.ToLower(b.Author)) },
		"year":   func(a, b Book) int { return cmp.Compare(a.Year, b.Year) },
	}
	for sort, compare := range key {
		for _, order := range []string{"asc", "desc"} {
			r, p := listBooks(t, kit, asAdmin, "?size=100&sort="+sort+"&order="+order)
			r.Status(200).JSON("$.data.sort", sort).JSON("$.data.order", order)
			if len(p.Items) != 28 {
				t.Errorf("sort %s %s: %d items, want 28", sort, order, len(p.Items))
			}
			sorted := slices.IsSortedFunc(p.Items, func(x, y Book) int {
				if order == "desc" {
					x, y = y, x
				}
				return cmp.Or(compare(x, y), cmp.Compare(x.ID, y.ID))
			})
			if !sorted {
				t.Errorf("sort %s %s: not sorted: %s", sort, order, r.Body)
			}
			// Paging through the same order gives the same sequence.
			var paged []Book
			for page := 1; page <= 6; page++ {
				_, p := listBooks(t, kit, asAdmin, fmt.Sprintf("?size=5&page=%d&sort=%s&order=%s", page, sort, order))
				paged = append(paged, p.Items...)
			}
			if !slices.EqualFunc(paged, p.Items, func(x, y Book) bool { return x.ID == y.ID }) {
				t.Errorf("sort %s %s: paging is not stable", sort, order)
			}
		}
	}
	// Without a sort: newest first, as before.
	kit.GET("/book/list").As(asAdmin).Do().
		Status(200).
		JSON("$.data.sort", "id").
		JSON("$.data.order", "desc").
		JSON("$.data.items[0].title", `back\slash`)
}

// TestBookPagingBounds: every page and size is checked before any
// arithmetic; no request can wrap the offset around to the first page.
func TestBookPagingBounds(t *testing.T) {
	t.Parallel()
	kit := newKit(t, nil)
	for _, tt := range []struct {
		query, field, message string
		items                 int
	}{
		{"?page=922337203685477582&size=10", "page", "must be at most 1000000", 0},
		{"?page=9223372036854775807&size=100", "page", "must be at most 1000000", 0},
		{"?page=99999999999999999999999", "page", "is out of range", 0},
		{"?page=1000001", "page", "must be at most 1000000", 0},
		{"?page=0", "page", "must be at least 1", 0},
		{"?size=101", "size", "must be at most 100", 0},
		{"?size=-9223372036854775808", "size", "must be at least 1", 0},
		{"?sort=" + url.QueryEscape("title; DROP TABLE books"), "sort", "must be one of: id, title, author, year", 0},
		{"?order=sideways", "order", "must be one of: asc, desc", 0},
		{"?q=" + strings.Repeat("x", 101), "q", "must have at most 100 characters", 0},
		{"?page=1000000&size=100", "", "", 0}, // the farthest page: empty
		{"?page=3&size=10", "", "", 5},
		{"?page=4&size=10", "", "", 0},
	} {
		r, p := listBooks(t, kit, asReader, tt.query)
		if tt.field == "" {
			r.Status(200).JSON("$.data.total", 25)
			if len(p.Items) != tt.items {
				t.Errorf("%s: %d items, want %d", tt.query, len(p.Items), tt.items)
			}
			continue
		}
		r.Status(400).JSON("$.errors", []handler.FieldError{{Field: tt.field, Message: tt.message}})
	}
	// Three bad parameters: all reported.
	var errs []handler.FieldError
	kit.GET("/book/list?page=0&size=0&sort=nope").As(asReader).Do().Status(400).DecodeAt("$.errors", &errs)
	if len(errs) != 3 {
		t.Errorf("three bad parameters: %+v", errs)
	}
}

// TestBookFieldErrorsAtOnce: a book with every field wrong gets every
// field's error in one answer; a blank title is one of them.
func TestBookFieldErrorsAtOnce(t *testing.T) {
	t.Parallel()
	kit := newKit(t, nil)
	for _, tt := range []struct {
		name string
		body any
		want map[string]string
	}{
		{"everything wrong", map[string]any{"title": "   ", "author": "", "year": 3000, "isbn": strings.Repeat("9", 21)},
			map[string]string{"title": "must not be blank", "author": "must not be blank", "year": "must be at most 2100", "isbn": "must have at most 20 characters"}},
		{"blank title, bad year", map[string]any{"title": " \t ", "author": "A", "year": 0.5},
			map[string]string{"title": "must not be blank", "year": "must be an integer in range"}},
		{"year of the wrong type", map[string]any{"title": "", "author": "A", "year": "1999"},
			map[string]string{"title": "must not be blank", "year": "must be an integer"}},
	} {
		for _, method := range []string{"POST /book", "PUT /book/1"} {
			m, path, _ := strings.Cut(method, " ")
			var errs []handler.FieldError
			kit.Perform(m, path).As(asAdmin).JSON(tt.body).Do().Status(400).DecodeAt("$.errors", &errs)
			got := map[string]string{}
			for _, fe := range errs {
				got[fe.Field] = fe.Message
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("%s: %s: errors %v, want %v", method, tt.name, got, tt.want)
			}
		}
	}
	kit.POST("/book").As(asAdmin).JSON(map[string]any{"title": "  Padded  ", "author": " Someone "}).Do().
		Status(201).
		JSON("$.data.title", "Padded").
		JSON("$.data.author", "Someone")
}

// TestBrowserErrors: a browser gets the error page and, for a 401, the
// login page; an API client gets JSON as always. The login page takes
// ?next= only when it names one of the pages.
func TestBrowserErrors(t *testing.T) {
	t.Parallel()
	kit := newKit(t, nil)
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	for _, tt := range []struct {
		path, accept string
		status       int
		ctype        string
		contains     string
		location     string
	}{
		{"/nope", browser, 404, "text/html", `<h1>Page not found</h1>`, ""},
		{"/nope", "application/json", 404, "application/json", `"code":404`, ""},
		{"/nope", "*/*", 404, "application/json", `"code":404`, ""},
		{"/book/abc", browser, 303, "", "", "/login.html?next=%2Fbook%2Fabc"},
		{"/book/list?page=2", browser, 303, "", "", "/login.html?next=%2Fbook%2Flist%3Fpage%3D2"},
		{"/book/list", "application/json", 401, "application/json", `"reason":"missing_token"`, ""},
		{"/static/nope.css", browser, 404, "text/html", `There is nothing at <code>/static/nope.css</code>`, ""},
		{"/login.html?next=%2Fbooks.html%3Fq%3Dgo", browser, 200, "text/html", `data-next="/books.html?q=go"`, ""},
		{"/login.html?next=%2F%2Fevil.example", browser, 200, "text/html", `data-next="/books.html"`, ""},
		{"/login.html?next=https%3A%2F%2Fevil.example%2F", browser, 200, "text/html", `data-next="/books.html"`, ""},
		{"/login.html?next=%2Fbook%2Flist", browser, 200, "text/html", `data-next="/books.html"`, ""},
		{"/login.html?next=%2Fabout.html", browser, 200, "text/html", `data-next="/about.html"`, ""},
	} {
		r := kit.GET(tt.path).Header("Accept", tt.accept).Do()
		if tt.location != "" {
			r.Status(tt.status).RedirectedTo(tt.location)
			continue
		}
		r.Status(tt.status).ContentType(tt.ctype).BodyContains(tt.contains).NoHeader("Location")
	}
}

// TestCleanStart runs the real entry point on a fresh database and checks
// the log. It stays on run and a real listener rather than porticotest:
// what it checks is the production start, including what run adds to the
// graph (fx's own events, errors among them, go to the app log; the kit's
// NewApp silences them) and a listener that really serves. The log: nothing at WARN or above except, without APP_JWT_SECRET, the
// one line saying the development secret is in use.
func TestCleanStart(t *testing.T) {
	for _, tt := range []struct {
		name  string
		env   map[string]string
		warns []string
	}{
		{"development secret", nil, []string{envJWTSecret + " is not set"}},
		{"configured secret", map[string]string{envJWTSecret: testSecret}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			logs := startAndStop(t, tt.env)
			var warns []string
			for line := range strings.Lines(logs) {
				if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") {
					warns = append(warns, line)
				}
			}
			ok := len(warns) == len(tt.warns)
			for i := range min(len(warns), len(tt.warns)) {
				ok = ok && strings.Contains(warns[i], tt.warns[i])
			}
			if !ok {
				t.Errorf("warnings:\n%s\nwant one line each containing %q; whole log:\n%s", strings.Join(warns, ""), tt.warns, logs)
			}
		})
	}
}

// startAndStop runs the app through run until it answers, stops it and
// returns its log.
func startAndStop(t *testing.T, env map[string]string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	addr := freeAddr(t)
	go func() { done <- run(ctx, []string{"-addr", addr, "-db", tempDB(t)}, mapEnv(env), io.Discard, logs) }()
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if res, err := client.Get("http://" + addr + "/"); err == nil {
			res.Body.Close()
			break
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v\n%s", err, logs)
	}
	return logs.String()
}

// freeAddr returns a loopback address no one listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
