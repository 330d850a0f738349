package main

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/openapi"
	"github.com/portico-go/portico/view"
)

// web holds the templates and static assets: plain HTML, CSS and
// JavaScript, no build step.
//
//go:embed web
var web embed.FS

// newViews is the ViewResolver (Spring's InternalResourceViewResolver):
// view "books" is web/templates/books.html rendered through the layout.
func newViews() (*view.Templates, error) {
	v, err := view.NewTemplates(web,
		view.Prefix("web/templates/"),
		view.Layout("web/templates/layout.html"),
		view.Funcs(map[string]any{
			"clock": func(t time.Time) string { return t.Format("2006-01-02 15:04:05 MST") },
			"iso":   func(t time.Time) string { return t.Format(time.RFC3339) },
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	return v, nil
}

// pageController serves the HTML pages, the static assets and the icon.
type pageController struct {
	books  *Store
	static fs.FS
	files  http.Handler
	icon   []byte
	// routes lists the dispatcher's routes for the About page; it is set
	// when the routes are registered.
	routes func() ([]dispatcher.RouteInfo, error)
}

func newPageController(books *Store) (*pageController, error) {
	static, err := fs.Sub(web, "web/static")
	if err != nil {
		return nil, fmt.Errorf("static assets: %w", err)
	}
	icon, err := fs.ReadFile(static, "favicon.ico")
	if err != nil {
		return nil, fmt.Errorf("favicon: %w", err)
	}
	return &pageController{
		books:  books,
		static: static,
		files:  http.StripPrefix("/static", http.FileServerFS(static)),
		icon:   icon,
	}, nil
}

// isPage reports whether a login may return to path (?next=); anything
// else, an API URL included, returns to the book list, because a browser
// navigating to an API URL never sends the token kept in localStorage.
func isPage(path string) bool {
	switch path {
	case "/", "/books.html", "/about.html":
		return true
	}
	return false
}

// RegisterRoutes maps the pages. The login interceptor is kept off all of
// them by path patterns (/, /*.html, /static/**, /favicon.ico): the pages
// are public shells, the data behind them comes from the API.
func (p *pageController) RegisterRoutes(d *dispatcher.Dispatcher) error {
	p.routes = d.Routes
	html := func(summary string) dispatcher.RouteOption {
		return dispatcher.WithMeta(openapi.Tags("pages"), openapi.Summary(summary), openapi.ReturnsContent(200, "text/html", "the page"))
	}
	return errors.Join(
		d.GET("/", handler.ControllerFunc(p.index), html("Home page")),
		d.GET("/login.html", handler.ControllerFunc(p.login), html("Login page")),
		d.GET("/books.html", page("books", "Books"), dispatcher.WithName("main.page(books)"), html("Book manager page")),
		d.GET("/about.html", handler.ControllerFunc(p.about), html("About Portico")),
		d.GET("/static/{*path}", handler.ControllerFunc(p.asset), dispatcher.WithMeta(openapi.Tags("pages"), openapi.Summary("Static assets"),
			openapi.ReturnsContent(200, "*/*", "the file"), openapi.ReturnsError(404, "no such file"))),
		d.GET("/favicon.ico", http.HandlerFunc(p.favicon), dispatcher.WithMeta(openapi.Tags("pages"), openapi.Summary("Site icon"),
			openapi.ReturnsContent(200, "image/x-icon", "the icon"))),
	)
}

// index is the home page, with the size of the catalogue from the server;
// who is logged in is filled in by the page's script, since the tokens
// live in the browser.
func (p *pageController) index(_ http.ResponseWriter, r *http.Request) (*handler.ModelAndView, error) {
	n, err := p.books.CountBooks(r.Context())
	if err != nil {
		return nil, err
	}
	return handler.NewModelAndView("index").
		AddObject("title", "Home").
		AddObject("bookCount", n), nil
}

// login is the login form. The page to return to comes from ?next= and is
// checked here, on the server: a same-site path to one of the pages, or
// the book list.
func (p *pageController) login(_ http.ResponseWriter, r *http.Request) (*handler.ModelAndView, error) {
	next := "/books.html"
	if n := r.URL.Query().Get("next"); dispatcher.SameSitePath(n) {
		if u, err := url.Parse(n); err == nil && isPage(u.Path) {
			next = n
		}
	}
	return handler.NewModelAndView("login").
		AddObject("title", "Log in").
		AddObject("script", "login").
		AddObject("next", next), nil
}

// about explains how the app is built on Portico. It is rendered from a
// ModelAndView; the time interceptor adds "now" to the model in
// PostHandle, after this returns.
func (p *pageController) about(_ http.ResponseWriter, _ *http.Request) (*handler.ModelAndView, error) {
	routes, err := p.routes()
	if err != nil {
		return nil, err
	}
	return handler.NewModelAndView("about").
		AddObject("title", "About Portico").
		AddObject("routes", routes), nil
}

// page returns a controller for a page whose content is filled in by its
// script.
func page(name, title string) handler.ControllerFunc {
	return func(http.ResponseWriter, *http.Request) (*handler.ModelAndView, error) {
		return handler.NewModelAndView(name).AddObject("title", title).AddObject("script", name), nil
	}
}

// asset serves a file from the embedded static tree and nothing else:
// missing files and directories (no listings) are a 404 in the API's
// error shape.
func (p *pageController) asset(w http.ResponseWriter, r *http.Request) (*handler.ModelAndView, error) {
	name := r.PathValue("path")
	name = strings.TrimPrefix(path.Clean("/"+name), "/")
	fi, err := fs.Stat(p.static, name)
	if name == "" || err != nil || fi.IsDir() {
		return nil, handler.ErrNotFound
	}
	w.Header().Set("Cache-Control", "no-cache") // embedded files have no mtime; revalidate
	p.files.ServeHTTP(w, r)
	return nil, nil
}

// favicon answers /favicon.ico, which browsers ask for on their own.
func (p *pageController) favicon(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "image/x-icon")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(p.icon) //nolint:errcheck // the client went away
}
