package client

import (
	"errors"
	"net/http"
)

// Interceptor observes, rewrites or answers a request. It calls
// [Chain.Proceed] to pass the request on and returns what it got back
// (possibly changed), or returns without proceeding to short-circuit.
//
// Like an http.RoundTripper, an interceptor must not modify the request it
// was given; it proceeds with a clone (see [http.Request.Clone]) instead.
// It returns either a response or an error, never both.
type Interceptor interface {
	Intercept(c Chain) (*http.Response, error)
}

// InterceptorFunc adapts an ordinary function to the [Interceptor]
// interface, the way http.HandlerFunc adapts handlers.
type InterceptorFunc func(c Chain) (*http.Response, error)

// Intercept calls f(c).
func (f InterceptorFunc) Intercept(c Chain) (*http.Response, error) { return f(c) }

// Chain is an interceptor's view of the rest of the call: the request as it
// arrived and a way to hand a request to everything downstream.
//
// Proceed may be called more than once, which is how interceptors retry.
// Each call closes the body of the response returned by the previous call on
// the same Chain, because a retrying interceptor drops that response and an
// unclosed body would pin a connection; an interceptor must therefore be done
// with one response before proceeding again. A Chain is not safe for
// concurrent use.
type Chain interface {
	// Request is the request this interceptor was given.
	Request() *http.Request
	// Proceed runs the rest of the chain with req.
	Proceed(req *http.Request) (*http.Response, error)
}

// errNoResult reports an interceptor that broke the RoundTripper contract;
// returning it beats handing *http.Client a nil response, which it would
// have to reject anyway.
var errNoResult = errors.New("client: interceptor returned neither a response nor an error")

// call is the state shared by every link of one run through the chain.
type call struct {
	interceptors []Interceptor
	terminal     func(*http.Request) (*http.Response, error)
	// reached records whether any request got to the terminal, which then
	// owns (and closes) the request body.
	reached bool
}

// link is the Chain handed to interceptors[index]: OkHttp's
// RealInterceptorChain. Proceed builds the link for index+1, so every
// interceptor sees only what comes after it.
type link struct {
	call  *call
	index int
	req   *http.Request
	last  *http.Response
}

// run sends req through interceptors and then terminal. It honours the
// RoundTripper contract on behalf of interceptors that short-circuit: the
// request body is closed even when nothing downstream saw it.
func run(interceptors []Interceptor, terminal func(*http.Request) (*http.Response, error), req *http.Request) (*http.Response, error) {
	c := &call{interceptors: interceptors, terminal: terminal}
	resp, err := (&link{call: c, index: -1}).Proceed(req)
	if !c.reached && req.Body != nil {
		req.Body.Close()
	}
	return resp, err
}

func (l *link) Request() *http.Request { return l.req }

func (l *link) Proceed(req *http.Request) (*http.Response, error) {
	if req == nil {
		return nil, errors.New("client: Proceed called with a nil request")
	}
	if l.last != nil {
		drainAndClose(l.last.Body)
		l.last = nil
	}
	next := l.index + 1
	var resp *http.Response
	var err error
	if next < len(l.call.interceptors) {
		resp, err = l.call.interceptors[next].Intercept(&link{call: l.call, index: next, req: req})
	} else {
		l.call.reached = true
		resp, err = l.call.terminal(req)
	}
	resp, err = settle(req, resp, err)
	l.last = resp
	return resp, err
}

// settle turns whatever an interceptor returned into something that obeys
// the RoundTripper contract, so that a sloppy interceptor cannot crash the
// ones above it or *http.Client.
func settle(req *http.Request, resp *http.Response, err error) (*http.Response, error) {
	switch {
	case err != nil:
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		return nil, err
	case resp == nil:
		return nil, errNoResult
	}
	if resp.Body == nil {
		resp.Body = http.NoBody
	}
	if resp.Request == nil {
		resp.Request = req
	}
	return resp, nil
}
