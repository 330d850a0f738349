package cors_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/portico-go/portico/cors"
)

func Example() {
	reg := cors.NewRegistry()
	reg.AddMapping("/api/**").
		AllowedOrigins("https://app.example.com").
		AllowedMethods("GET", "POST", "DELETE").
		AllowCredentials(true).
		MaxAge(time.Hour)
	c, err := cors.New(reg)
	if err != nil {
		fmt.Println(err)
		return
	}
	h := c.Wrap(http.NotFoundHandler())

	r := httptest.NewRequest("OPTIONS", "/api/books/1", nil)
	r.Header.Set("Origin", "https://app.example.com")
	r.Header.Set("Access-Control-Request-Method", "DELETE")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Access-Control-Allow-Origin"), w.Header().Get("Access-Control-Allow-Methods"))
	// Output: 200 https://app.example.com GET,POST,DELETE
}
