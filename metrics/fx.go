package metrics

import (
	"go.uber.org/fx"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/auth"
)

type params struct {
	fx.In
	Config *Config `optional:"true"`
}

func newMetrics(p params) (*Metrics, error) {
	var cfg Config
	if p.Config != nil {
		cfg = *p.Config
	}
	return New(cfg)
}

// Module measures a portico.Module application and serves /metrics,
// configured by an optional *metrics.Config. It provides *Metrics and an
// auth.Observer to set as auth.Config.Observer.
var Module = fx.Module("portico.metrics",
	fx.Provide(
		newMetrics,
		portico.AsFilter(func(m *Metrics) portico.Filter { return m.Filter() }),
		portico.AsRegistrar(func(m *Metrics) *Metrics { return m }),
		func(m *Metrics) auth.Observer { return m },
	),
)
