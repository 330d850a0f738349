package porticotest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
)

// RemoteAddr is the client address of every request the kit sends, the
// one httptest.NewRequest uses (TEST-NET-1, RFC 5737).
const RemoteAddr = "192.0.2.1:1234"

// Kit serves requests to one application in-process: MockMvc. Build one
// with New (a Dispatcher) or NewApp (an fx application).
type Kit struct {
	t     testing.TB
	h     http.Handler
	d     *dispatcher.Dispatcher
	auth  *auth.Manager
	authz *Authorities
	// always runs on every response, MockMvc's alwaysExpect.
	always []func(testing.TB, *Response)
}

// Option configures a Kit.
type Option func(*Kit)

// WithAuth gives the kit the auth.Manager that Request.As issues tokens
// from: the one the application's login interceptor checks them with.
// NewApp finds the application's own.
func WithAuth(m *auth.Manager) Option { return func(k *Kit) { k.auth = m } }

// WithAuthorities lets Request.As grant the roles and permissions of a
// User: a, which must be the Authorizer the login interceptor asks. NewApp
// finds one the application provides.
func WithAuthorities(a *Authorities) Option { return func(k *Kit) { k.authz = a } }

// WithFilters wraps the dispatcher in net/http middleware, first
// outermost, as portico.Config.Filters does for a server.
func WithFilters(filters ...func(http.Handler) http.Handler) Option {
	return func(k *Kit) {
		for i := len(filters) - 1; i >= 0; i-- {
			k.h = filters[i](k.h)
		}
	}
}

// AlwaysExpect runs check on every response the kit returns, before the
// test's own expectations: MockMvc's alwaysExpect, for a contract every
// answer of the application keeps (an envelope, a security header).
// Several checks run in order. t is the test the kit reports to; a check
// that calls t.Helper() has its failures reported at the test's Do.
func AlwaysExpect(check func(t testing.TB, r *Response)) Option {
	return func(k *Kit) { k.always = append(k.always, check) }
}

// New returns a Kit serving requests through d (building it if needed; a
// build error fails the test).
func New(t testing.TB, d *dispatcher.Dispatcher, opts ...Option) *Kit {
	t.Helper()
	if err := d.Build(); err != nil {
		t.Fatalf("porticotest: %v", err)
	}
	k := &Kit{t: t, h: d, d: d}
	for _, o := range opts {
		o(k)
	}
	return k
}

type appParams struct {
	fx.In
	Server      *portico.Server
	Dispatcher  *dispatcher.Dispatcher
	Manager     *auth.Manager `optional:"true"`
	Authorities *Authorities  `optional:"true"`
}

// NewApp starts the fx application app (its own options: portico.Module
// and the app's modules) with fxtest, stops it when the test ends, and
// returns a Kit that serves requests to exactly the handler its
// portico.Server serves: the dispatcher inside every filter. The app's
// auth.Manager and Authorities, when it provides them, are used by
// Request.As. The server's listener is opened by the app's lifecycle as
// usual (configure port 0); the kit never sends anything through it.
func NewApp(t testing.TB, app fx.Option, opts ...Option) *Kit {
	t.Helper()
	var p appParams
	a := fxtest.New(t, app, fx.NopLogger, fx.Populate(&p))
	a.RequireStart()
	t.Cleanup(a.RequireStop)
	k := &Kit{t: t, h: p.Server.HTTP.Handler, d: p.Dispatcher, auth: p.Manager, authz: p.Authorities}
	for _, o := range opts {
		o(k)
	}
	return k
}

// For returns a copy of k reporting to t, for subtests and parallel tests.
func (k *Kit) For(t testing.TB) *Kit {
	c := *k
	c.t = t
	return &c
}

// Handler returns the handler the kit serves.
func (k *Kit) Handler() http.Handler { return k.h }

// Perform starts a request for method and a path template filled with
// vars (see Expand). The template may end in a literal query ("?a=1").
func (k *Kit) Perform(method, template string, vars ...any) *Request {
	k.t.Helper()
	tmpl, rawQuery, _ := strings.Cut(template, "?")
	path, err := Expand(tmpl, vars...)
	if err != nil {
		k.t.Fatalf("porticotest: %v", err)
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		k.t.Fatalf("porticotest: query of %q: %v", template, err)
	}
	return &Request{k: k, method: method, tmpl: template, path: path, query: q, header: http.Header{}}
}

// GET starts a GET request; see Perform.
func (k *Kit) GET(template string, vars ...any) *Request {
	k.t.Helper()
	return k.Perform(http.MethodGet, template, vars...)
}

// POST starts a POST request; see Perform.
func (k *Kit) POST(template string, vars ...any) *Request {
	k.t.Helper()
	return k.Perform(http.MethodPost, template, vars...)
}

// PUT starts a PUT request; see Perform.
func (k *Kit) PUT(template string, vars ...any) *Request {
	k.t.Helper()
	return k.Perform(http.MethodPut, template, vars...)
}

// PATCH starts a PATCH request; see Perform.
func (k *Kit) PATCH(template string, vars ...any) *Request {
	k.t.Helper()
	return k.Perform(http.MethodPatch, template, vars...)
}

// DELETE starts a DELETE request; see Perform.
func (k *Kit) DELETE(template string, vars ...any) *Request {
	k.t.Helper()
	return k.Perform(http.MethodDelete, template, vars...)
}

// Serve sends r as it is and returns the response: for requests the
// builder cannot express (a raw target, a streaming body).
func (k *Kit) Serve(r *http.Request) *Response {
	k.t.Helper()
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			k.t.Fatalf("porticotest: reading the request body: %v", err)
		}
		body = b
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	return k.serve(r, body)
}

func (k *Kit) serve(r *http.Request, body []byte) *Response {
	k.t.Helper()
	rec := &recorder{ResponseRecorder: httptest.NewRecorder()}
	k.h.ServeHTTP(rec, r)
	res := rec.Result()
	out, _ := io.ReadAll(res.Body)
	resp := &Response{t: k.t, k: k, req: r, reqBody: body, Code: res.StatusCode, Header: res.Header, Body: out, result: rec.result}
	for _, check := range k.always {
		check(k.t, resp)
	}
	return resp
}

// recorder is the writer the kit hands the server; the dispatcher gives
// it the result of a view request (dispatcher.ResultRecorder).
type recorder struct {
	*httptest.ResponseRecorder
	result *handler.Result
}

func (r *recorder) RecordResult(res handler.Result) { r.result = &res }

// Request is a request being built; Do sends it.
type Request struct {
	k      *Kit
	method string
	tmpl   string
	path   string
	query  url.Values
	header http.Header
	body   []byte
	user   *User
	ctx    context.Context
}

// Query adds query parameters.
func (r *Request) Query(key string, values ...string) *Request {
	r.query[key] = append(r.query[key], values...)
	return r
}

// Header adds request headers.
func (r *Request) Header(key string, values ...string) *Request {
	for _, v := range values {
		r.header.Add(key, v)
	}
	return r
}

// Bearer sends token in an Authorization header.
func (r *Request) Bearer(token string) *Request {
	r.header.Set("Authorization", "Bearer "+token)
	return r
}

// JSON sends v as a JSON body: a string or []byte as it is, anything else
// encoded with encoding/json.
func (r *Request) JSON(v any) *Request {
	r.k.t.Helper()
	switch b := v.(type) {
	case string:
		r.body = []byte(b)
	case []byte:
		r.body = b
	default:
		enc, err := json.Marshal(v)
		if err != nil {
			r.k.t.Fatalf("porticotest: encoding the JSON body: %v", err)
		}
		r.body = enc
	}
	r.header.Set("Content-Type", "application/json")
	return r
}

// Form sends values as an application/x-www-form-urlencoded body.
func (r *Request) Form(values url.Values) *Request {
	r.body = []byte(values.Encode())
	r.header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// Body sends body with the given content type.
func (r *Request) Body(contentType string, body []byte) *Request {
	r.body = body
	r.header.Set("Content-Type", contentType)
	return r
}

// Context sends the request with ctx (default: the test's context).
func (r *Request) Context(ctx context.Context) *Request {
	r.ctx = ctx
	return r
}

// As sends the request as u, Spring Security Test's @WithMockUser: Do
// logs u in through the kit's auth.Manager (a real session and token) and
// sends the token, so the real login interceptor authenticates it. Roles
// and permissions are granted through the kit's Authorities.
func (r *Request) As(u User) *Request {
	r.user = &u
	return r
}

// Do sends the request through the application and returns the response.
func (r *Request) Do() *Response {
	k := r.k
	k.t.Helper()
	ctx := r.ctx
	if ctx == nil {
		ctx = k.t.Context()
	}
	if r.user != nil {
		r.Bearer(k.token(ctx, *r.user))
	}
	target := "http://portico.test" + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	var body io.Reader = http.NoBody
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		k.t.Fatalf("porticotest: %s %s: %v", r.method, target, err)
	}
	req.RemoteAddr = RemoteAddr
	req.RequestURI = req.URL.RequestURI()
	for key, vs := range r.header {
		req.Header[key] = vs
	}
	return k.serve(req, r.body)
}
