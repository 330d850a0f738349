package token_test

import (
	"fmt"
	"time"

	"github.com/portico-go/portico/auth/token"
)

func Example() {
	svc, err := token.New(token.Config{
		Issuer:    "portico",
		Audience:  "portico-api",
		Keys:      []token.Key{{ID: "2024-06", Secret: []byte("a 32+ byte secret from your vault!")}},
		ActiveKey: "2024-06",
	})
	if err != nil {
		panic(err)
	}
	now := time.Now()
	access, err := svc.Issue(token.Claims{
		Subject:         "42",
		Name:            "alice",
		SessionID:       "s1",
		IssuedAt:        now,
		ExpiresAt:       now.Add(15 * time.Minute),
		SessionDeadline: now.Add(7 * 24 * time.Hour),
	})
	if err != nil {
		panic(err)
	}
	c, err := svc.Parse(access)
	fmt.Println(c.Subject, c.Name, c.SessionID, err)

	// A refresh token is a different kind of string altogether.
	secret, hash, _ := token.NewRefreshSecret()
	refresh := token.FormatRefresh("s1", secret)
	sid, h, _ := token.ParseRefresh(refresh)
	fmt.Println(sid, h == hash)
	_, err = svc.Parse(refresh)
	fmt.Println(err)
	// Output:
	// 42 alice s1 <nil>
	// s1 true
	// token: invalid: not a JWS compact token
}
