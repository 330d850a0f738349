package porticotest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/porticotest"
)

type greetIn struct {
	Name string `path:"name" validate:"required,max=40"`
}

func newDispatcher() *dispatcher.Dispatcher {
	d := dispatcher.New()
	d.GET("/hello/{name}", handler.Typed(func(ctx context.Context, in greetIn) (map[string]string, error) {
		return map[string]string{"greeting": "Hello, " + in.Name}, nil
	}))
	return d
}

// TestHello is the README's example, kept compiling and passing here.
func TestHello(t *testing.T) {
	kit := porticotest.New(t, newDispatcher())
	kit.GET("/hello/{name}", "Ada").Do().
		Status(http.StatusOK).
		JSON("$.greeting", "Hello, Ada")
	kit.GET("/hello/{name}", strings.Repeat("x", 41)).Do().
		Status(http.StatusBadRequest).
		FieldError("name", "")
}
