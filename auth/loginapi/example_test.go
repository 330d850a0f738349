package loginapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/auth/loginapi"
	"github.com/portico-go/portico/auth/token"
	"github.com/portico-go/portico/dispatcher"
)

func Example() {
	m, _ := auth.New(auth.Config{
		Issuer: "shop", Audience: "shop-api",
		Keys: []token.Key{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}}, ActiveKey: "k1",
	})
	defer m.Close()
	hash, _ := auth.HashPassword("s3cret", 4)
	users := loginapi.AuthenticatorFunc(func(_ context.Context, name string) (loginapi.User, error) {
		if name != "alice" {
			return loginapi.User{}, loginapi.ErrUnknownUser
		}
		return loginapi.User{ID: "42", Name: "alice", PasswordHash: hash}, nil
	})
	api, _ := loginapi.New(m, users, nil, loginapi.Config{})
	d := dispatcher.New()
	_ = api.RegisterRoutes(d)
	_ = d.Build()

	for _, pw := range []string{"wrong", "s3cret"} {
		r := httptest.NewRequest("POST", "/auth/login", strings.NewReader(`{"username":"alice","password":"`+pw+`"}`))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		d.ServeHTTP(w, r)
		var body struct {
			Code   int
			Reason string
			Data   auth.TokenPair
		}
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		fmt.Println(w.Code, body.Reason, body.Data.TokenType, body.Data.ExpiresIn)
	}
	// Output:
	// 401 bad_credentials  0
	// 200  Bearer 900
}
