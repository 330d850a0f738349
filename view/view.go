package view

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// View renders a model into a response.
type View interface {
	// Render writes the response for model. It returns an error, having
	// written nothing, when the view cannot be rendered. It does not call
	// WriteHeader, so the caller may choose the status first.
	Render(w http.ResponseWriter, r *http.Request, model map[string]any) error
}

// Resolver maps view names to views.
type Resolver interface {
	// ResolveView returns the view called name, or an error wrapping
	// ErrNotFound when there is none.
	ResolveView(name string) (View, error)
}

// ErrNotFound is wrapped by the error ResolveView returns for a name that
// has no view.
var ErrNotFound = errors.New("view not found")

// ContentType is the Content-Type Templates' views send unless the
// response already has one.
const ContentType = "text/html; charset=utf-8"

// Templates is a Resolver over html/template files in an fs.FS. Its views
// are safe for concurrent use.
type Templates struct {
	fsys     fs.FS
	prefix   string
	suffix   string
	layout   string
	partials []string
	funcs    template.FuncMap
	reload   bool

	// shared lists the layout and partial files, parsed into every page.
	shared []string
	pages  map[string]*page
	bufs   sync.Pool
}

// Option configures Templates.
type Option func(*Templates)

// Prefix is put before a view name to find its file, e.g. "templates/".
// Only files whose path starts with the prefix are views.
func Prefix(p string) Option {
	return func(t *Templates) { t.prefix = p }
}

// Suffix is put after a view name to find its file; ".html" unless set.
// Only files whose path ends with the suffix are views.
func Suffix(s string) Option {
	return func(t *Templates) { t.suffix = s }
}

// Layout names the file, by its path in the fs.FS, that every page is
// rendered through: rendering a page executes the layout, which calls the
// blocks the page defines. The layout file is not a view itself.
func Layout(file string) Option {
	return func(t *Templates) { t.layout = file }
}

// Partials adds the files matching the fs.Glob patterns to every page, for
// templates that pages and the layout share. Each pattern must match at
// least one file; partial files are not views themselves.
func Partials(patterns ...string) Option {
	return func(t *Templates) { t.partials = append(t.partials, patterns...) }
}

// Funcs adds functions templates may call. Functions are bound at parse
// time, so they must be given here rather than added later.
func Funcs(fm template.FuncMap) Option {
	return func(t *Templates) {
		if t.funcs == nil {
			t.funcs = template.FuncMap{}
		}
		for k, v := range fm {
			t.funcs[k] = v
		}
	}
}

// Reload makes views read and parse their files again on every render, and
// ResolveView find files added since construction, so template edits show
// without a restart. It is for development: it costs a parse per request.
func Reload() Option {
	return func(t *Templates) { t.reload = true }
}

// NewTemplates parses the templates in fsys. Every file under the prefix
// with the suffix is a view, named by its path between the two. It returns
// an error naming the file when one does not parse.
func NewTemplates(fsys fs.FS, opts ...Option) (*Templates, error) {
	if fsys == nil {
		return nil, errors.New("view: nil fs.FS")
	}
	t := &Templates{fsys: fsys, suffix: ".html"}
	for _, o := range opts {
		o(t)
	}
	if t.layout != "" {
		if !fs.ValidPath(t.layout) {
			return nil, fmt.Errorf("view: layout %q is not a valid fs path", t.layout)
		}
		t.shared = append(t.shared, t.layout)
	}
	for _, pat := range t.partials {
		files, err := fs.Glob(fsys, pat)
		if err != nil {
			return nil, fmt.Errorf("view: partials %q: %w", pat, err)
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("view: partials %q match no files", pat)
		}
		for _, f := range files {
			if !slices.Contains(t.shared, f) {
				t.shared = append(t.shared, f)
			}
		}
	}
	// Parse the shared files alone first, so an error in one is reported
	// once and not as an error of the first page.
	if _, err := t.parseShared(); err != nil {
		return nil, err
	}

	// Walk from the prefix's directory: "templates/page_" walks templates.
	root := "."
	if i := strings.LastIndex(t.prefix, "/"); i >= 0 {
		root = t.prefix[:i]
	}
	if !fs.ValidPath(root) {
		return nil, fmt.Errorf("view: prefix %q is not a valid fs path", t.prefix)
	}
	t.pages = map[string]*page{}
	err := fs.WalkDir(fsys, root, func(file string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name, ok := t.viewName(file)
		if !ok || d.IsDir() {
			return nil
		}
		p := &page{t: t, name: name, file: file}
		if p.tmpl, err = t.parsePage(file); err != nil {
			return err
		}
		t.pages[name] = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("view: %w", err)
	}
	return t, nil
}

// viewName returns the view name of file, if file is a view.
func (t *Templates) viewName(file string) (string, bool) {
	if !strings.HasPrefix(file, t.prefix) || !strings.HasSuffix(file, t.suffix) ||
		len(file) <= len(t.prefix)+len(t.suffix) || slices.Contains(t.shared, file) {
		return "", false
	}
	return file[len(t.prefix) : len(file)-len(t.suffix)], true
}

// parseShared parses the layout and the partials into a new set.
func (t *Templates) parseShared() (*template.Template, error) {
	set := template.New("").Funcs(t.funcs)
	for _, f := range t.shared {
		if err := t.parseFile(set, f); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// parsePage parses file into its own copy of the shared set and returns
// the template to execute for it: the layout, or the page without one.
func (t *Templates) parsePage(file string) (*template.Template, error) {
	set, err := t.parseShared()
	if err != nil {
		return nil, err
	}
	if err := t.parseFile(set, file); err != nil {
		return nil, err
	}
	entry := file
	if t.layout != "" {
		entry = t.layout
	}
	return set.Lookup(entry), nil
}

// parseFile parses file into set under its full path, not its base name
// as template.ParseFS would, so that pages and partials in different
// directories may share a base name.
func (t *Templates) parseFile(set *template.Template, file string) error {
	b, err := fs.ReadFile(t.fsys, file)
	if err != nil {
		return fmt.Errorf("view: %w", err)
	}
	if _, err := set.New(file).Parse(string(b)); err != nil {
		return fmt.Errorf("view: parse %s: %w", file, err)
	}
	return nil
}

// ResolveView returns the view called name.
func (t *Templates) ResolveView(name string) (View, error) {
	if p, ok := t.pages[name]; ok {
		return p, nil
	}
	if t.reload {
		file := t.prefix + name + t.suffix
		if _, ok := t.viewName(file); ok && fs.ValidPath(file) {
			if fi, err := fs.Stat(t.fsys, file); err == nil && !fi.IsDir() {
				return &page{t: t, name: name, file: file}, nil
			}
		}
	}
	return nil, fmt.Errorf("view %q: %w", name, ErrNotFound)
}

// page is the View of one template file.
type page struct {
	t    *Templates
	name string
	file string
	tmpl *template.Template
}

// maxPooledBuffer keeps one huge page from pinning its buffer in the pool.
const maxPooledBuffer = 256 << 10

// Render executes the page into a buffer, then writes it.
func (p *page) Render(w http.ResponseWriter, r *http.Request, model map[string]any) error {
	tmpl := p.tmpl
	if p.t.reload {
		var err error
		if tmpl, err = p.t.parsePage(p.file); err != nil {
			return fmt.Errorf("view %q: %w", p.name, err)
		}
	}
	buf, _ := p.t.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			buf.Reset()
			p.t.bufs.Put(buf)
		}
	}()
	if err := tmpl.Execute(buf, model); err != nil {
		return fmt.Errorf("view %q: %w", p.name, err)
	}
	h := w.Header()
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", ContentType)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("view %q: %w", p.name, err)
	}
	return nil
}
