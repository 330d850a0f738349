package handler_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
)

func ExampleTyped() {
	// The input is bound from the path, the query and a JSON body, then
	// validated; the output is written as JSON.
	type updateIn struct {
		ID     int    `path:"id"`
		Notify bool   `query:"notify"`
		Title  string `json:"title" validate:"required,max=80"`
	}
	type book struct {
		ID     int    `json:"id"`
		Title  string `json:"title"`
		Notify bool   `json:"notify"`
	}
	d := dispatcher.New()
	_ = d.PUT("/book/{id}", handler.Typed(func(ctx context.Context, in updateIn) (book, error) {
		return book{ID: in.ID, Title: in.Title, Notify: in.Notify}, nil
	}))
	for _, body := range []string{`{"title":"Dune"}`, `{"title":""}`} {
		r := httptest.NewRequest(http.MethodPut, "/book/7?notify=true", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		d.ServeHTTP(w, r)
		fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// 200 {"id":7,"title":"Dune","notify":true}
	// 400 {"code":400,"message":"validation failed","errors":[{"field":"title","message":"is required"}]}
}
