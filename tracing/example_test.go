package tracing_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/tracing"
)

func Example() {
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	defer tp.Shutdown(context.Background())

	d := dispatcher.New()
	_ = d.GET("/book/{id}", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	h := tracing.New(tracing.Config{TracerProvider: tp}).Wrap(d)

	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/book/7", nil))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/wp-login.php", nil))
	for _, s := range sr.Ended() {
		fmt.Println(s.Name())
	}
	// Output:
	// GET /book/{id}
	// GET
}
