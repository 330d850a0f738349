package handler

import (
	"context"
	"net/http"
)

// The dispatcher attaches one requestState per request (only for routes
// that have interceptors), so interceptors can share values with later
// interceptors and the handler without one context.WithValue and
// r.WithContext per value: each of those costs a Request copy.
type requestState struct {
	context.Context
	route  *Route
	params Params
	vals   []keyValue
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

// NewContext returns a context derived from parent that carries the route,
// its path variables and room for request-scoped values set with SetValue.
// The dispatcher calls it once per request; applications rarely need to.
func NewContext(parent context.Context, rt *Route, ps Params) context.Context {
	return &requestState{Context: parent, route: rt, params: ps}
}

func state(ctx context.Context) *requestState {
	if s, ok := ctx.(*requestState); ok {
		return s
	}
	s, _ := ctx.Value(stateKey{}).(*requestState)
	return s
}

// RouteOf returns the route the request was mapped to, or nil outside the
// dispatcher.
func RouteOf(ctx context.Context) *Route {
	if s := state(ctx); s != nil {
		return s.route
	}
	return nil
}

// PathParams returns the request's path variables.
func PathParams(ctx context.Context) Params {
	if s := state(ctx); s != nil {
		return s.params
	}
	return nil
}

// SetValue stores val under key for the rest of the request, visible through
// ctx.Value(key) in later interceptors and the handler. It reports false
// when ctx does not come from the dispatcher. Call it on the request's own
// goroutine (from PreHandle or the handler): the values are not locked.
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
