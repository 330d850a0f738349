package openapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor/login"
	"github.com/portico-go/portico/openapi"
)

// BenchmarkGenerate200Routes measures generating and marshalling the
// document of 200 typed routes (40 resources of five operations each)
// with the login interceptor on every route. It runs once at startup.
func BenchmarkGenerate200Routes(b *testing.B) {
	li, err := login.New(newManager(b))
	if err != nil {
		b.Fatal(err)
	}
	d := dispatcher.New()
	for i := range 40 {
		g := d.Group(fmt.Sprintf("/svc%d/items", i))
		list := handler.Typed(func(context.Context, ListBooks) (Page[Book], error) { return Page[Book]{}, nil })
		get := handler.Typed(func(context.Context, BookID) (*Book, error) { return nil, nil })
		create := handler.Typed(func(context.Context, BookInput) (Book, error) { return Book{}, nil })
		update := handler.Typed(func(context.Context, UpdateBook) (Book, error) { return Book{}, nil })
		del := handler.Typed(func(context.Context, BookID) (*handler.Response, error) { return nil, nil })
		for _, err := range []error{
			g.GET("", list), g.GET("/{id}", get, dispatcher.WithMeta(login.RequirePermissions(login.Any, "read"))),
			g.POST("", create), g.PUT("/{id}", update, dispatcher.WithMeta(login.RequireRoles(login.All, "admin"))),
			g.DELETE("/{id}", del, dispatcher.WithMeta(openapi.ReturnsContent(204, "", "deleted"))),
		} {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	d.Interceptors().AddInterceptor(li).AddPathPatterns("/**")
	if err := d.Build(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		doc, gaps, err := openapi.Generate(d, openapi.Config{Title: "bench"})
		if err != nil || len(gaps) != 0 {
			b.Fatal(err, gaps)
		}
		if _, err := json.Marshal(doc); err != nil {
			b.Fatal(err)
		}
	}
}
