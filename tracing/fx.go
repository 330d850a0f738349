package tracing

import (
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/fx"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/registry"
)

type params struct {
	fx.In
	Config   *Config              `optional:"true"`
	Provider trace.TracerProvider `optional:"true"`
}

func newTracing(p params) *Tracing {
	var cfg Config
	if p.Config != nil {
		cfg = *p.Config
	}
	if cfg.TracerProvider == nil {
		cfg.TracerProvider = p.Provider
	}
	return New(cfg)
}

// Module traces a portico.Module application when a
// trace.TracerProvider is provided (or set in a supplied *tracing.Config):
// the server-span filter and HandlerSpans. Without a provider it adds
// nothing to the request path. It also provides *Tracing, for
// ClientInterceptor.
var Module = fx.Module("portico.tracing",
	fx.Provide(
		newTracing,
		portico.AsFilter(func(t *Tracing) portico.Filter { return t.Filter() }),
		fx.Annotate(func(t *Tracing) []*registry.Registration {
			if r := t.HandlerSpans(); r != nil {
				return []*registry.Registration{r}
			}
			return nil
		}, fx.ResultTags(`group:"portico.interceptors,flatten"`)),
	),
)
