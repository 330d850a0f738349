package binding_test

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strings"

	"github.com/portico-go/portico/binding"
	"github.com/portico-go/portico/handler"
)

func ExampleBinder_Bind() {
	type UpdateBook struct {
		ID     int64    `path:"id"`
		DryRun bool     `query:"dry_run"`
		Tags   []string `query:"tag"`
		Title  string   `json:"title" validate:"required"`
	}
	r := httptest.NewRequest("PUT", "/books/42?dry_run=true&tag=sf&tag=classic",
		strings.NewReader(`{"title":"Solaris","id":7}`))
	r.Header.Set("Content-Type", "application/json")

	var in UpdateBook
	err := binding.New().Bind(r, handler.Params{{Key: "id", Value: "42"}}, &in)
	fmt.Printf("%+v %v\n", in, err)
	// Output:
	// {ID:42 DryRun:true Tags:[sf classic] Title:Solaris} <nil>
}

func ExampleBinder_Bind_errors() {
	type Search struct {
		Page  int    `query:"page" validate:"min=1"`
		Query string `json:"q" validate:"required,min=3"`
	}
	r := httptest.NewRequest("POST", "/search?page=0", strings.NewReader(`{"q":"go"}`))
	r.Header.Set("Content-Type", "application/json")

	err := binding.New().Bind(r, nil, &Search{})
	var he *handler.Error
	if errors.As(err, &he) {
		fmt.Println(he.Status, he.Message)
		for _, f := range he.Fields {
			fmt.Println(f.Field, f.Message)
		}
	}
	// Output:
	// 400 validation failed
	// page must be at least 1
	// q must have at least 3 characters
}

func ExampleBinder_Check() {
	type Filter struct {
		Range map[string]int `query:"range"`
	}
	err := binding.New().Check(reflect.TypeFor[Filter]())
	fmt.Println(err)
	// Output:
	// binding: binding_test.Filter: field Range: query tag: unsupported type map[string]int: map values cannot be converted from text
}
