package client

import (
	"errors"
	"net/http"
	"net/url"
)

// Option configures [New].
type Option func(*config)

type config struct {
	app, network  []Interceptor
	base          http.RoundTripper
	jar           http.CookieJar
	checkRedirect func(*http.Request, []*http.Request) error
}

// WithInterceptors appends application interceptors: they run once per call,
// in the order given, outermost first, around redirects and around every
// network attempt.
func WithInterceptors(in ...Interceptor) Option {
	return func(c *config) { c.app = append(c.app, in...) }
}

// WithNetworkInterceptors appends network interceptors: they run, in the
// order given, for every request that goes to the network, redirect hops
// included.
func WithNetworkInterceptors(in ...Interceptor) Option {
	return func(c *config) { c.network = append(c.network, in...) }
}

// WithTransport sets the http.RoundTripper that finally sends requests.
// The default is http.DefaultTransport.
func WithTransport(rt http.RoundTripper) Option {
	return func(c *config) { c.base = rt }
}

// WithJar sets the cookie jar. It is an option rather than a field to set on
// the returned client because cookies must be handled on every redirect hop,
// which happens below the application interceptors.
func WithJar(jar http.CookieJar) Option {
	return func(c *config) { c.jar = jar }
}

// WithCheckRedirect sets the redirect policy, with the meaning of
// http.Client.CheckRedirect. It is an option for the same reason as
// [WithJar]: redirects are followed below the application interceptors.
func WithCheckRedirect(f func(req *http.Request, via []*http.Request) error) Option {
	return func(c *config) { c.checkRedirect = f }
}

// New returns an *http.Client whose calls run through the configured
// interceptors.
//
// *http.Client follows redirects itself and calls its Transport once per
// hop, so application interceptors cannot simply be a RoundTripper: they
// would run once per hop. New therefore builds two clients. The inner one
// follows redirects, applies the cookie jar and sends every hop through the
// network interceptors. The returned outer one has the application chain as
// its Transport, whose last step is a call to the inner client, and does
// not follow redirects itself. Timeout may be set on the returned client; it
// then bounds the whole call, retries and token refreshes included.
func New(opts ...Option) *http.Client {
	var c config
	for _, o := range opts {
		o(&c)
	}
	return &http.Client{
		Transport: newAppTransport(c),
		// Redirects were already followed by the inner client; a 3xx that
		// reaches this level is one its policy chose to return.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// NewTransport returns an http.RoundTripper that runs interceptors for every
// request before handing it to base (http.DefaultTransport if nil). It is the
// network tier on its own, for code that builds its own *http.Client.
//
// A client from [New] is the way to get application interceptors too; its
// Transport field is also usable on its own, as it follows redirects
// internally.
func NewTransport(base http.RoundTripper, interceptors ...Interceptor) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if len(interceptors) == 0 {
		return base
	}
	return &networkTransport{base: base, interceptors: interceptors}
}

type networkTransport struct {
	base         http.RoundTripper
	interceptors []Interceptor
}

func (t *networkTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return run(t.interceptors, t.base.RoundTrip, req)
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach base.
func (t *networkTransport) CloseIdleConnections() { closeIdle(t.base) }

type appTransport struct {
	interceptors []Interceptor
	inner        *http.Client
}

func newAppTransport(c config) *appTransport {
	return &appTransport{
		interceptors: c.app,
		inner: &http.Client{
			Transport:     NewTransport(c.base, c.network...),
			Jar:           c.jar,
			CheckRedirect: c.checkRedirect,
		},
	}
}

func (t *appTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return run(t.interceptors, t.send, req)
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the base
// transport.
func (t *appTransport) CloseIdleConnections() { t.inner.CloseIdleConnections() }

// send is the end of the application chain.
func (t *appTransport) send(req *http.Request) (*http.Response, error) {
	resp, err := t.inner.Do(req)
	if err != nil {
		// Client.Do closes the body of a response it returns with an error.
		// The outer client wraps errors in *url.Error too; unwrapping here
		// avoids printing the method and URL twice.
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			return nil, ue.Err
		}
		return nil, err
	}
	return resp, nil
}

func closeIdle(rt http.RoundTripper) {
	if c, ok := rt.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
