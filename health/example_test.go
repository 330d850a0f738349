package health_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/health"
)

func Example() {
	h, _ := health.New(health.Config{},
		health.Check{Name: "db", Check: func(context.Context) error { return nil }},
		health.Check{Name: "redis", Check: func(context.Context) error { return errors.New("refused") }},
	)
	d := dispatcher.New()
	_ = h.RegisterRoutes(d)
	w := httptest.NewRecorder()
	d.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/health/ready", nil))
	fmt.Print(w.Code, " ", w.Body)
	// Output:
	// 503 {"status":"DOWN","components":{"db":{"status":"UP"},"readinessState":{"status":"UP"},"redis":{"status":"DOWN"}}}
}
