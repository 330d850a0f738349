package metrics_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/metrics"
)

func Example() {
	m, _ := metrics.New(metrics.Config{})
	d := dispatcher.New()
	_ = d.GET("/book/{id}", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	_ = m.RegisterRoutes(d)
	h := m.Wrap(d)

	for _, p := range []string{"/book/1", "/book/2", "/.env", "/.git/config"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	for _, line := range strings.Split(w.Body.String(), "\n") {
		if strings.HasPrefix(line, "http_server_request_duration_seconds_count") {
			fmt.Println(line)
		}
	}
	// Output:
	// http_server_request_duration_seconds_count{method="GET",route="/book/{id}",status="200"} 2
	// http_server_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 2
}
