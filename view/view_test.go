package view_test

import (
	"errors"
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/portico-go/portico/view"
)

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

func site() fstest.MapFS {
	return fstest.MapFS{
		"templates/layout.html":        file(`<title>{{block "title" .}}Shop{{end}}</title>{{template "nav" .}}<main>{{block "content" .}}{{end}}</main>`),
		"templates/partials/nav.html":  file(`{{define "nav"}}<nav>{{.User}}</nav>{{end}}`),
		"templates/index.html":         file(`{{define "content"}}<h1>{{.Greeting}}</h1>{{end}}`),
		"templates/books/list.html":    file(`{{define "title"}}Books{{end}}{{define "content"}}{{range .Books}}<li>{{.}}</li>{{end}}{{end}}`),
		"templates/authors/list.html":  file(`{{define "content"}}{{len .Authors}} authors{{end}}`),
		"templates/notes.txt":          file(`not a view`),
		"static/app.html":              file(`outside the prefix`),
		"templates/partials/unused.md": file(`x`),
	}
}

func render(t *testing.T, r view.Resolver, name string, model map[string]any) *httptest.ResponseRecorder {
	t.Helper()
	v, err := r.ResolveView(name)
	if err != nil {
		t.Fatalf("ResolveView(%q): %v", name, err)
	}
	rec := httptest.NewRecorder()
	if err := v.Render(rec, httptest.NewRequest("GET", "/", nil), model); err != nil {
		t.Fatalf("Render(%q): %v", name, err)
	}
	return rec
}

func TestLayout(t *testing.T) {
	views, err := view.NewTemplates(site(),
		view.Prefix("templates/"),
		view.Layout("templates/layout.html"),
		view.Partials("templates/partials/*.html"),
	)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		model map[string]any
		want  string
	}{
		{"index", map[string]any{"User": "ann", "Greeting": "<hi>"},
			`<title>Shop</title><nav>ann</nav><main><h1>&lt;hi&gt;</h1></main>`},
		// Both list pages define "content"; each keeps its own.
		{"books/list", map[string]any{"User": "bob", "Books": []string{"Dune", "Emma"}},
			`<title>Books</title><nav>bob</nav><main><li>Dune</li><li>Emma</li></main>`},
		{"authors/list", map[string]any{"Authors": []string{"a", "b"}},
			`<title>Shop</title><nav></nav><main>2 authors</main>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := render(t, views, tt.name, tt.model)
			if got := rec.Body.String(); got != tt.want {
				t.Errorf("body:\n got %s\nwant %s", got, tt.want)
			}
			if got := rec.Header().Get("Content-Type"); got != view.ContentType {
				t.Errorf("Content-Type = %q, want %q", got, view.ContentType)
			}
		})
	}
}

func TestResolveNotFound(t *testing.T) {
	views, err := view.NewTemplates(site(),
		view.Prefix("templates/"),
		view.Layout("templates/layout.html"),
		view.Partials("templates/partials/*.html"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The layout, the partials, other suffixes and files outside the
	// prefix are not views.
	for _, name := range []string{"missing", "layout", "partials/nav", "notes", "../static/app", "index.html", ""} {
		v, err := views.ResolveView(name)
		if !errors.Is(err, view.ErrNotFound) || v != nil {
			t.Errorf("ResolveView(%q) = %v, %v; want ErrNotFound", name, v, err)
		}
	}
}

func TestNoLayout(t *testing.T) {
	fsys := fstest.MapFS{
		"a.html":      file(`A {{template "b" .}}`),
		"b.html":      file(`{{define "b"}}B{{.}}{{end}}`),
		"sub/a.html":  file(`sub A {{.}}`),
		"page.tmpl":   file(`tmpl {{.x}}`),
		"page_x.tmpl": file(`prefixed {{.x}}`),
	}
	tests := []struct {
		opts  []view.Option
		name  string
		model map[string]any
		want  string
	}{
		{nil, "sub/a", nil, "sub A map[]"},
		{[]view.Option{view.Suffix(".tmpl")}, "page", map[string]any{"x": 1}, "tmpl 1"},
		{[]view.Option{view.Prefix("page_"), view.Suffix(".tmpl")}, "x", map[string]any{"x": 2}, "prefixed 2"},
		// Partials without a layout: pages call them by name.
		{[]view.Option{view.Partials("b.html")}, "a", nil, "A Bmap[]"},
	}
	for _, tt := range tests {
		views, err := view.NewTemplates(fsys, tt.opts...)
		if err != nil {
			t.Fatal(err)
		}
		if got := render(t, views, tt.name, tt.model).Body.String(); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestNewTemplatesErrors(t *testing.T) {
	tests := []struct {
		name string
		fsys fstest.MapFS
		opts []view.Option
		want string
	}{
		{"page parse error", fstest.MapFS{"ok.html": file("ok"), "bad/page.html": file("{{if}}")}, nil, "bad/page.html"},
		{"layout parse error", fstest.MapFS{"l.html": file("{{end}}"), "p.html": file("")}, []view.Option{view.Layout("l.html")}, "l.html"},
		{"missing layout", fstest.MapFS{"p.html": file("")}, []view.Option{view.Layout("nope.html")}, "nope.html"},
		{"invalid layout path", fstest.MapFS{"p.html": file("")}, []view.Option{view.Layout("/abs.html")}, "/abs.html"},
		{"partials match nothing", fstest.MapFS{"p.html": file("")}, []view.Option{view.Partials("parts/*.html")}, "parts/*.html"},
		{"bad glob", fstest.MapFS{"p.html": file("")}, []view.Option{view.Partials("[")}, "["},
		{"unknown function", fstest.MapFS{"p.html": file("{{shout .}}")}, nil, "p.html"},
		{"missing prefix directory", fstest.MapFS{"p.html": file("")}, []view.Option{view.Prefix("views/")}, "views"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := view.NewTemplates(tt.fsys, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewTemplates error = %v, want one naming %q", err, tt.want)
			}
		})
	}
	if _, err := view.NewTemplates(nil); err == nil {
		t.Error("NewTemplates(nil) succeeded")
	}
}

func TestFuncs(t *testing.T) {
	fsys := fstest.MapFS{"p.html": file(`{{shout .name}}`)}
	views, err := view.NewTemplates(fsys, view.Funcs(template.FuncMap{"shout": strings.ToUpper}))
	if err != nil {
		t.Fatal(err)
	}
	if got := render(t, views, "p", map[string]any{"name": "ann"}).Body.String(); got != "ANN" {
		t.Errorf("got %q, want ANN", got)
	}
}

// failingWriter records whether anything reached it.
type failingWriter struct {
	header  http.Header
	written bool
}

func (w *failingWriter) Header() http.Header         { return w.header }
func (w *failingWriter) Write(b []byte) (int, error) { w.written = true; return len(b), nil }
func (w *failingWriter) WriteHeader(int)             { w.written = true }

func TestRenderErrorWritesNothing(t *testing.T) {
	fsys := fstest.MapFS{
		"p.html": file(`<p>lots of output first</p>{{.Missing.Field}}`),
		"q.html": file(`{{template "nope"}}`),
	}
	views, err := view.NewTemplates(fsys)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"p", "q"} {
		v, err := views.ResolveView(name)
		if err != nil {
			t.Fatal(err)
		}
		w := &failingWriter{header: http.Header{}}
		// A struct without the field makes execution fail.
		err = v.Render(w, httptest.NewRequest("GET", "/", nil), map[string]any{"Missing": struct{}{}})
		if err == nil || !strings.Contains(err.Error(), `"`+name+`"`) {
			t.Errorf("Render(%q) error = %v, want one naming the view", name, err)
		}
		if w.written || len(w.header) != 0 {
			t.Errorf("Render(%q) wrote to the response before failing", name)
		}
	}
}

func TestContentTypeKept(t *testing.T) {
	views, err := view.NewTemplates(fstest.MapFS{"feed.html": file(`<feed/>`)})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := views.ResolveView("feed")
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Type", "application/atom+xml")
	if err := v.Render(rec, httptest.NewRequest("GET", "/", nil), nil); err != nil {
		t.Fatal(err)
	}
	if got := rec.Header().Get("Content-Type"); got != "application/atom+xml" {
		t.Errorf("Content-Type = %q, want the one already set", got)
	}
}

func TestReload(t *testing.T) {
	fsys := fstest.MapFS{
		"layout.html": file(`[{{block "content" .}}{{end}}]`),
		"p.html":      file(`{{define "content"}}v1{{end}}`),
	}
	views, err := view.NewTemplates(fsys, view.Layout("layout.html"), view.Reload())
	if err != nil {
		t.Fatal(err)
	}
	if got := render(t, views, "p", nil).Body.String(); got != "[v1]" {
		t.Fatalf("got %q, want [v1]", got)
	}
	fsys["p.html"] = file(`{{define "content"}}v2{{end}}`)
	fsys["layout.html"] = file(`({{block "content" .}}{{end}})`)
	fsys["new.html"] = file(`{{define "content"}}new{{end}}`)
	if got := render(t, views, "p", nil).Body.String(); got != "(v2)" {
		t.Errorf("after edit: got %q, want (v2)", got)
	}
	if got := render(t, views, "new", nil).Body.String(); got != "(new)" {
		t.Errorf("added page: got %q, want (new)", got)
	}
	fsys["p.html"] = file(`{{if}}`)
	v, _ := views.ResolveView("p")
	if err := v.Render(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), nil); err == nil || !strings.Contains(err.Error(), "p.html") {
		t.Errorf("Render after a broken edit = %v, want a parse error naming p.html", err)
	}
	for _, name := range []string{"layout", "../p", "missing"} {
		if _, err := views.ResolveView(name); !errors.Is(err, view.ErrNotFound) {
			t.Errorf("ResolveView(%q) = %v, want ErrNotFound", name, err)
		}
	}

	// Without Reload, edits after construction do not show.
	fsys["p.html"] = file(`{{define "content"}}v3{{end}}`)
	cached, err := view.NewTemplates(fsys, view.Layout("layout.html"))
	if err != nil {
		t.Fatal(err)
	}
	fsys["p.html"] = file(`{{define "content"}}v4{{end}}`)
	if got := render(t, cached, "p", nil).Body.String(); got != "(v3)" {
		t.Errorf("cached: got %q, want (v3)", got)
	}
}

func TestConcurrentRender(t *testing.T) {
	views, err := view.NewTemplates(site(), view.Prefix("templates/"), view.Layout("templates/layout.html"), view.Partials("templates/partials/*.html"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			name := []string{"index", "books/list"}[i%2]
			v, err := views.ResolveView(name)
			if err != nil {
				t.Error(err)
				return
			}
			rec := httptest.NewRecorder()
			if err := v.Render(rec, httptest.NewRequest("GET", "/", nil), map[string]any{"Books": []string{"x"}}); err != nil {
				t.Error(err)
			}
			if !strings.Contains(rec.Body.String(), "<main>") {
				t.Errorf("%s: body %q lacks the layout", name, rec.Body.String())
			}
		})
	}
	wg.Wait()
}
