package requestid_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/requestid"
)

func ExampleWrap() {
	h := requestid.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("handler sees", handler.RequestID(r.Context()))
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Request-ID", "order-42")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println("response echoes", w.Header().Get("X-Request-ID"))
	// Output:
	// handler sees order-42
	// response echoes order-42
}
