package firewall_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/portico-go/portico/firewall"
	"github.com/portico-go/portico/handler"
)

func ExampleFirewall_Check() {
	fw := firewall.New()
	for _, target := range []string{"/book/1", "/admin/x;.js", "/public/%2e%2e/admin", "//admin/x"} {
		err := fw.Check(httptest.NewRequest("GET", target, nil))
		var he *handler.Error
		if errors.As(err, &he) {
			fmt.Printf("%-22s %d %s\n", target, he.Status, he.Message)
			continue
		}
		fmt.Printf("%-22s allowed\n", target)
	}
	// Output:
	// /book/1                allowed
	// /admin/x;.js           400 request rejected: semicolon in path
	// /public/%2e%2e/admin   400 request rejected: encoded period in path
	// //admin/x              400 request rejected: empty segment in path
}

func ExampleFirewall_Wrap() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /files/{name}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.PathValue("name"))
	})
	// Matrix variables are part of this API, so semicolons are allowed;
	// every other rule stays on.
	h := firewall.New(firewall.AllowSemicolon()).Wrap(mux)

	for _, target := range []string{"/files/a;v=2", "/files/..;/secret"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		fmt.Println(rec.Code, rec.Body.String())
	}
	// Output:
	// 200 a;v=2
	// 400 {"code":400,"message":"request rejected: dot segment in path","reason":"rejected_path"}
}

func ExampleSafeRedirectPath() {
	for _, p := range []string{"/book/list/", "//evil.com/", `/\evil.com/`, "/%2F%2Fevil.com"} {
		fmt.Println(p, firewall.SafeRedirectPath(p))
	}
	// Output:
	// /book/list/ true
	// //evil.com/ false
	// /\evil.com/ false
	// /%2F%2Fevil.com false
}
