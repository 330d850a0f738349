package health

import (
	"context"

	"go.uber.org/fx"

	"github.com/portico-go/portico"
)

const checkGroup = `group:"portico.health"`

// AsCheck annotates a constructor returning a Check so Module's readiness
// group runs it:
//
//	fx.Provide(health.AsCheck(func(db *sql.DB) health.Check { return health.DB(db) }))
func AsCheck(constructor any) any {
	return fx.Annotate(constructor, fx.ResultTags(checkGroup))
}

type params struct {
	fx.In
	Config *Config `optional:"true"`
	Checks []Check `group:"portico.health"`
}

func newHealth(p params) (*Health, error) {
	var cfg Config
	if p.Config != nil {
		cfg = *p.Config
	}
	return New(cfg, p.Checks...)
}

// Module serves /health/live and /health/ready in a portico.Module
// application, configured by an optional *health.Config. On fx stop,
// readiness turns DOWN and the server keeps serving for
// Config.DrainDelay before it closes its listener.
var Module = fx.Module("portico.health",
	fx.Provide(
		newHealth,
		portico.AsRegistrar(func(h *Health) *Health { return h }),
	),
	// Depending on *portico.Server appends this stop hook after the
	// server's, and fx runs stop hooks in reverse: the drain comes first.
	fx.Invoke(func(lc fx.Lifecycle, h *Health, _ *portico.Server) {
		lc.Append(fx.Hook{OnStop: func(ctx context.Context) error { return h.Drain(ctx) }})
	}),
)
