package handler

import (
	"context"
	"net/http"
)

// StateUser is implemented by interceptors and handlers that say whether
// they read or write request-scoped values (RouteOf, PathParams, SetValue,
// a Key) through the request's context. The dispatcher asks once per route,
// at Build, to decide whether the route's requests carry a request scope:
// that scope costs one copy of the *http.Request (r.WithContext), the only
// way net/http offers to hand a new context down.
//
// An interceptor that does not implement StateUser is assumed to use the
// scope, so values it sets are never lost; one that only reads the request
// and the route (a timer, a header check) reports false and keeps its
// routes free of the copy.
type StateUser interface {
	UsesRequestState() bool
}

// inlineValues is how many values a request scope holds before SetValue
// allocates: enough for a user, a start time and a couple more.
const inlineValues = 4

// requestState is a request's scope: the route, its path variables and the
// values interceptors set for later interceptors and the handler, without
// one context.WithValue and r.WithContext per value (each of those costs a
// Request copy). It is never reused by another request, so a context kept
// after its request finished keeps showing that request's values and no
// other's.
type requestState struct {
	context.Context
	route  *Route
	params Params
	vals   []keyValue
	inline [inlineValues]keyValue
}

type keyValue struct {
	key, val any
}

type stateKey struct{}

func (s *requestState) Value(key any) any {
	if key == (stateKey{}) {
		return s
	}
	for i := range s.vals {
		if s.vals[i].key == key {
			return s.vals[i].val
		}
	}
	return s.Context.Value(key)
}

func (s *requestState) init(parent context.Context, rt *Route, ps Params) {
	s.Context, s.route, s.params = parent, rt, ps
	s.vals = s.inline[:0]
}

// NewContext returns a context derived from parent that carries the route,
// its path variables and room for request-scoped values set with SetValue.
// The dispatcher takes its contexts from a Scopes instead; NewContext is
// for tests and code that runs handlers outside it.
func NewContext(parent context.Context, rt *Route, ps Params) context.Context {
	s := new(requestState)
	s.init(parent, rt, ps)
	return s
}

// scopesPerSlab is how many request scopes one allocation holds. A slab is
// never recycled: it is dropped when its last scope is handed out and freed
// by the garbage collector once no context of its requests is kept, so a
// context kept after its request (in a goroutine, a cache) can only ever
// pin one slab, never see another request's values.
const scopesPerSlab = 32

// Scopes hands out request contexts (see NewContext) from slabs of
// scopesPerSlab, so a request pays 1/scopesPerSlab of an allocation for
// its scope instead of one. The zero value is ready to use. A Scopes is not
// safe for concurrent use: the dispatcher keeps one in each pooled response
// writer, which serves one request at a time.
type Scopes struct {
	slab []requestState
}

// NewContext is NewContext, with the state taken from s.
func (s *Scopes) NewContext(parent context.Context, rt *Route, ps Params) context.Context {
	if len(s.slab) == 0 {
		s.slab = make([]requestState, scopesPerSlab)
	}
	st := &s.slab[0]
	s.slab = s.slab[1:]
	st.init(parent, rt, ps)
	return st
}

func state(ctx context.Context) *requestState {
	if s, ok := ctx.(*requestState); ok {
		return s
	}
	s, _ := ctx.Value(stateKey{}).(*requestState)
	return s
}

// RouteOf returns the route the request was mapped to, or nil when ctx has
// no request scope: outside the dispatcher, or on a route whose handler
// and interceptors all declared through StateUser that they use none (see
// docs/architecture.md, "Request state").
func RouteOf(ctx context.Context) *Route {
	if s := state(ctx); s != nil {
		return s.route
	}
	return nil
}

// PathParams returns the request's path variables, or nil where RouteOf
// returns nil.
func PathParams(ctx context.Context) Params {
	if s := state(ctx); s != nil {
		return s.params
	}
	return nil
}

// SetValue stores val under key for the rest of the request, visible through
// ctx.Value(key) in later interceptors and the handler. It reports false
// when ctx has no request scope (where RouteOf returns nil). Call it on the
// request's own goroutine (from PreHandle or the handler): the values are
// not locked. The first few values cost no allocation.
func SetValue(ctx context.Context, key, val any) bool {
	s := state(ctx)
	if s == nil {
		return false
	}
	for i := range s.vals {
		if s.vals[i].key == key {
			s.vals[i].val = val
			return true
		}
	}
	s.vals = append(s.vals, keyValue{key, val})
	return true
}

// Key is a typed key for a request-scoped value, Portico's answer to
// Spring's ThreadLocal user holder:
//
//	var CurrentUser = handler.NewKey[*User]("user")
//	CurrentUser.Set(r, u)             // in PreHandle
//	u, ok := CurrentUser.Value(ctx)   // in the handler
type Key[T any] struct {
	name string
}

// NewKey returns a new key; name is used only in String.
func NewKey[T any](name string) *Key[T] {
	return &Key[T]{name: name}
}

// Set stores v for the rest of r's handling; see SetValue.
func (k *Key[T]) Set(r *http.Request, v T) bool {
	return SetValue(r.Context(), k, v)
}

// Value returns the value stored under k.
func (k *Key[T]) Value(ctx context.Context) (T, bool) {
	v, ok := ctx.Value(k).(T)
	return v, ok
}

func (k *Key[T]) String() string { return "handler.Key(" + k.name + ")" }
