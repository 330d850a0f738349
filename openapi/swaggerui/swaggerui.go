package swaggerui

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"go.uber.org/fx"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/openapi"
)

//go:embed assets
var assets embed.FS

// Version is the swagger-ui-dist release the assets come from.
const Version = "5.35.0"

// DefaultPath is where the page is served, as springdoc serves it.
const DefaultPath = "/swagger-ui/"

// UI serves Swagger UI at a path prefix. It implements portico.Registrar.
type UI struct {
	prefix  string
	docURL  string
	opts    []dispatcher.RouteOption
	index   []byte
	initJS  []byte
	maxAge  int
	prepErr error
}

// Option configures UI.
type Option func(*UI)

// WithRouteOptions adds options to the UI's routes, for example
// dispatcher.WithMeta(login.Ignore()) to publish the page to everyone.
func WithRouteOptions(opts ...dispatcher.RouteOption) Option {
	return func(u *UI) { u.opts = append(u.opts, opts...) }
}

// New returns a UI served under prefix (DefaultPath when empty; it must
// start and end with '/') that loads the document from docURL (for example
// openapi.DefaultPath).
func New(prefix, docURL string, opts ...Option) *UI {
	if prefix == "" {
		prefix = DefaultPath
	}
	u := &UI{prefix: prefix, docURL: docURL, maxAge: 3600}
	for _, o := range opts {
		o(u)
	}
	if !strings.HasPrefix(prefix, "/") || !strings.HasSuffix(prefix, "/") {
		u.prepErr = fmt.Errorf("swaggerui: prefix %q must start and end with '/'", prefix)
		return u
	}
	var b strings.Builder
	if err := page.Execute(&b, nil); err != nil {
		u.prepErr = fmt.Errorf("swaggerui: %w", err)
	}
	u.index = []byte(b.String())
	u.initJS = []byte("window.onload = function () {\n  window.ui = SwaggerUIBundle({url: " + strconv.Quote(docURL) +
		", dom_id: '#swagger-ui', deepLinking: true});\n};\n")
	return u
}

var page = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API documentation</title>
<link rel="stylesheet" href="./swagger-ui.css">
<link rel="icon" type="image/png" href="./favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="./swagger-ui-bundle.js" charset="UTF-8"></script>
<script src="./swagger-initializer.js" charset="UTF-8"></script>
</body>
</html>
`))

// files maps served names to embedded ones and their content types.
var files = map[string]string{
	"swagger-ui-bundle.js": "text/javascript; charset=utf-8",
	"swagger-ui.css":       "text/css; charset=utf-8",
	"favicon-32x32.png":    "image/png",
	"LICENSE":              "text/plain; charset=utf-8",
}

// RegisterRoutes registers GET prefix and GET prefix{*file} on d.
func (u *UI) RegisterRoutes(d *dispatcher.Dispatcher) error {
	if u.prepErr != nil {
		return u.prepErr
	}
	opts := append([]dispatcher.RouteOption{dispatcher.WithName("swaggerui.UI"), dispatcher.WithMeta(openapi.Hidden())}, u.opts...)
	bare := strings.TrimSuffix(u.prefix, "/")
	if bare != "" {
		if err := d.GET(bare, handler.Function(func(handler.Request) (*handler.Response, error) {
			return handler.Redirect(u.prefix, http.StatusMovedPermanently), nil
		}), opts...); err != nil {
			return err
		}
	}
	return d.GET(u.prefix+"{*file}", http.HandlerFunc(u.serve), opts...)
}

func (u *UI) serve(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.PathValue("file"), "/")
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	switch name {
	case "", "index.html":
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		w.Write(u.index) //nolint:errcheck // the client went away
		return
	case "swagger-initializer.js":
		h.Set("Content-Type", "text/javascript; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		w.Write(u.initJS) //nolint:errcheck // the client went away
		return
	}
	ct, ok := files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		http.Error(w, "asset missing", http.StatusInternalServerError)
		return
	}
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(u.maxAge))
	w.Write(b) //nolint:errcheck // the client went away
}

// Module serves the UI in a portico.Module application with one line:
// swaggerui.Module("", openapi.DefaultPath).
func Module(prefix, docURL string, opts ...Option) fx.Option {
	return fx.Provide(portico.AsRegistrar(func() *UI { return New(prefix, docURL, opts...) }))
}
