package openapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"go.uber.org/fx"
	"go.yaml.in/yaml/v3"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/dispatcher"
)

// DefaultPath is where the document is served, as springdoc serves it.
const DefaultPath = "/v3/api-docs"

// Docs serves the document of the dispatcher it registers its route on. It
// implements portico.Registrar.
type Docs struct {
	cfg  Config
	log  *slog.Logger
	opts []dispatcher.RouteOption

	d    *dispatcher.Dispatcher
	once sync.Once
	body []byte
	yaml []byte
	gaps []Gap
	err  error
}

// Option configures Docs.
type Option func(*Docs)

// WithLogger sets the logger for the startup line listing the routes the
// document cannot describe completely.
func WithLogger(l *slog.Logger) Option { return func(o *Docs) { o.log = l } }

// WithRouteOptions adds options to the document's own route, for example
// dispatcher.WithMeta(login.Ignore()) to publish it to everyone.
func WithRouteOptions(opts ...dispatcher.RouteOption) Option {
	return func(o *Docs) { o.opts = append(o.opts, opts...) }
}

// New returns Docs for cfg.
func New(cfg Config, opts ...Option) *Docs {
	if cfg.Path == "" {
		cfg.Path = DefaultPath
	}
	o := &Docs{cfg: cfg, log: slog.Default()}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// Register is the one line for an application without fx: it serves d's
// document at cfg.Path. Call Start after registering the other routes to
// generate it (and log its gaps) before serving, or let the first request
// do it.
func Register(d *dispatcher.Dispatcher, cfg Config, opts ...Option) (*Docs, error) {
	o := New(cfg, opts...)
	return o, o.RegisterRoutes(d)
}

// RegisterRoutes registers GET cfg.Path on d; the document is generated
// once, by Start or by the first request, after every route is registered.
func (o *Docs) RegisterRoutes(d *dispatcher.Dispatcher) error {
	if o.d != nil && o.d != d {
		return fmt.Errorf("openapi: Docs registered on two dispatchers")
	}
	o.d = d
	opts := append([]dispatcher.RouteOption{dispatcher.WithName("openapi.Docs"), dispatcher.WithMeta(Hidden())}, o.opts...)
	if err := d.GET(o.cfg.Path, http.HandlerFunc(o.serve), opts...); err != nil {
		return err
	}
	return d.GET(o.cfg.Path+".yaml", http.HandlerFunc(o.serveYAML), opts...)
}

// Start generates the document now, so a failure stops start-up and the
// routes it cannot describe completely are logged in one line.
func (o *Docs) Start() error {
	_, _, err := o.Document()
	return err
}

// Document returns the JSON document and the routes it could not describe
// completely, generating them on the first call.
func (o *Docs) Document() ([]byte, []Gap, error) {
	o.once.Do(func() {
		if o.d == nil {
			o.err = fmt.Errorf("openapi: Docs used before RegisterRoutes")
			return
		}
		doc, gaps, err := Generate(o.d, o.cfg)
		if err != nil {
			o.err = err
			return
		}
		if o.body, o.err = json.Marshal(doc); o.err != nil {
			return
		}
		o.yaml, o.err = toYAML(o.body)
		o.gaps = gaps
		if len(gaps) > 0 {
			parts := make([]string, len(gaps))
			for i, g := range gaps {
				parts[i] = g.String()
			}
			o.log.Warn("openapi: routes not fully described", "count", len(gaps), "routes", strings.Join(parts, ", "))
		}
	})
	return o.body, o.gaps, o.err
}

func (o *Docs) serve(w http.ResponseWriter, _ *http.Request) {
	body, _, err := o.Document()
	o.write(w, body, "application/json", err)
}

func (o *Docs) serveYAML(w http.ResponseWriter, _ *http.Request) {
	_, _, err := o.Document()
	o.write(w, o.yaml, "application/yaml", err)
}

func (o *Docs) write(w http.ResponseWriter, body []byte, ct string, err error) {
	if err != nil {
		o.log.Error("openapi: generating the document", "error", err)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(body) //nolint:errcheck // the client went away
}

// toYAML re-encodes the JSON document as block-style YAML, keeping the
// order of its keys (YAML reads JSON, so the node tree is exact).
func toYAML(j []byte) ([]byte, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(j, &n); err != nil {
		return nil, fmt.Errorf("openapi: yaml: %w", err)
	}
	blockStyle(&n)
	b, err := yaml.Marshal(&n)
	if err != nil {
		return nil, fmt.Errorf("openapi: yaml: %w", err)
	}
	return b, nil
}

// blockStyle drops the flow style JSON's braces gave every collection, and
// the quotes of strings that need none.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}

// Module serves the document in a portico.Module application: one line,
// openapi.Module(openapi.Config{Title: "Books"}). The document is
// generated at start, so its gaps are logged then.
func Module(cfg Config, opts ...Option) fx.Option {
	return fx.Options(
		fx.Provide(func(p loggerParam) *Docs {
			if p.Logger != nil {
				opts = append([]Option{WithLogger(p.Logger)}, opts...)
			}
			return New(cfg, opts...)
		}),
		fx.Provide(portico.AsRegistrar(func(o *Docs) *Docs { return o })),
		fx.Invoke(func(lc fx.Lifecycle, o *Docs, _ *dispatcher.Dispatcher) {
			lc.Append(fx.Hook{OnStart: func(context.Context) error { return o.Start() }})
		}),
	)
}

type loggerParam struct {
	fx.In
	Logger *slog.Logger `optional:"true"`
}
