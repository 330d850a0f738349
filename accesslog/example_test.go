package accesslog_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/portico-go/portico/accesslog"
	"github.com/portico-go/portico/dispatcher"
)

func Example() {
	d := dispatcher.New()
	_ = d.GET("/book/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("a book"))
	}))
	// Drop the time and duration so the output is stable.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		},
	}))
	h := accesslog.New(accesslog.Config{Logger: logger}).Wrap(d)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/book/7", nil))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/admin.php?pw=x", nil))
	// Output:
	// level=INFO msg=request method=GET route=/book/{id} status=200 bytes=6 client=192.0.2.1
	// level=WARN msg=request method=GET path=/admin.php status=404 bytes=35 client=192.0.2.1
}
