package login_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/auth/token"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/interceptor/login"
)

// roleBook is the application's Authorizer: Sa-Token's StpInterface.
type roleBook map[string][]string

func (d roleBook) Roles(_ context.Context, userID string) ([]string, error) { return d[userID], nil }

func (d roleBook) Permissions(context.Context, string) ([]string, error) { return nil, nil }

func ExampleNew() {
	mgr, err := auth.New(auth.Config{
		Issuer:    "portico",
		Audience:  "portico-api",
		Keys:      []token.Key{{ID: "k1", Secret: []byte("a 32+ byte secret from your vault!")}},
		ActiveKey: "k1",
	})
	if err != nil {
		panic(err)
	}
	defer mgr.Close()
	li, err := login.New(mgr, login.WithAuthorizer(roleBook{"1": {"admin"}}))
	if err != nil {
		panic(err)
	}

	d := dispatcher.New()
	me := func(w http.ResponseWriter, r *http.Request) {
		u, _ := login.CurrentUser(r.Context())
		fmt.Fprintf(w, "hello %s", u.Name)
	}
	_ = d.GET("/user/login", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "login page") })
	_ = d.GET("/me", me)
	_ = d.GET("/admin/stats", me, dispatcher.WithMeta(login.RequireRoles(login.All, "admin")))
	d.Interceptors().AddInterceptor(li).AddPathPatterns("/**").ExcludePathPatterns("/user/login")

	alice, _ := mgr.Login(context.Background(), auth.Principal{ID: "1", Name: "alice"}, "192.0.2.1")
	bob, _ := mgr.Login(context.Background(), auth.Principal{ID: "2", Name: "bob"}, "192.0.2.1")
	for _, c := range []struct{ path, token string }{
		{"/user/login", ""},
		{"/me", ""},
		{"/me", bob.AccessToken},
		{"/admin/stats", bob.AccessToken},
		{"/admin/stats", alice.AccessToken},
	} {
		r := httptest.NewRequest(http.MethodGet, c.path, nil)
		r.RemoteAddr = "192.0.2.1:1234"
		if c.token != "" {
			r.Header.Set("Authorization", "Bearer "+c.token)
		}
		w := httptest.NewRecorder()
		d.ServeHTTP(w, r)
		fmt.Println(c.path, w.Code, strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// /user/login 200 login page
	// /me 401 {"code":401,"message":"login required","reason":"missing_token"}
	// /me 200 hello bob
	// /admin/stats 403 {"code":403,"message":"forbidden","reason":"forbidden"}
	// /admin/stats 200 hello alice
}
