package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// TestExchangesMatchThePublishedDocument fetches the app's own OpenAPI
// document and validates real requests and responses against it, so a
// change to a handler, a type or an interceptor registration that the
// document does not follow fails here.
func TestExchangesMatchThePublishedDocument(t *testing.T) {
	a := startApp(t, tempDB(t), nil)
	send := func(method, path, token, ct, body string) (*http.Request, *http.Response, []byte) {
		t.Helper()
		mk := func() *http.Request {
			r, err := http.NewRequest(method, a.base+path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if body == "" {
				r.Body, r.ContentLength = http.NoBody, 0
			}
			if ct != "" {
				r.Header.Set("Content-Type", ct)
			}
			if token != "" {
				r.Header.Set("Authorization", "Bearer "+token)
			}
			return r
		}
		resp, err := a.client.Do(mk())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(b))
		return mk(), resp, b
	}
	if strings.Contains(a.logs.String(), "routes not fully described") {
		t.Errorf("the document does not describe every route:\n%s", a.logs)
	}
	_, resp, spec := send("GET", "/v3/api-docs", "", "", "")
	if resp.StatusCode != 200 {
		t.Fatalf("/v3/api-docs: %d %s", resp.StatusCode, spec)
	}
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		t.Fatalf("the document is not valid OpenAPI 3.1: %v", verrs[0].Reason)
	}
	token := func(user, password string) string {
		_, _, b := send("POST", "/user/login", "", "application/json", `{"username":"`+user+`","password":"`+password+`"}`)
		var env struct {
			Data struct {
				AccessToken string `json:"accessToken"`
			} `json:"data"`
		}
		if err := json.Unmarshal(b, &env); err != nil || env.Data.AccessToken == "" {
			t.Fatalf("login %s: %s", user, b)
		}
		return env.Data.AccessToken
	}
	admin, reader := token("admin", "admin123"), token("reader", "reader123")
	const jsonCT = "application/json"
	book := `{"title":"Go in Practice","author":"Butcher, Farina","year":2016}`
	tests := []struct {
		name, method, path, token, ct, body string
		status                              int
		// refused: the document must refuse the request as well.
		refused bool
	}{
		{"login", "POST", "/user/login", "", jsonCT, `{"username":"reader","password":"reader123"}`, 200, false},
		{"login, wrong password", "POST", "/user/login", "", jsonCT, `{"username":"reader","password":"nope"}`, 401, false},
		{"login, no password", "POST", "/user/login", "", jsonCT, `{"username":"reader"}`, 400, true},
		{"login, not JSON", "POST", "/user/login", "", "text/plain", "reader", 415, true},
		{"refresh, bad token", "POST", "/user/refresh", "", jsonCT, `{"refreshToken":"x"}`, 401, false},
		{"info", "GET", "/api/user/info", reader, "", "", 200, false},
		{"info, no token", "GET", "/api/user/info", "", "", "", 401, true},
		{"list", "GET", "/book/list?page=1&size=5", reader, "", "", 200, false},
		{"list, size too big", "GET", "/book/list?size=1000", reader, "", "", 400, true},
		{"get", "GET", "/book/1", reader, "", "", 200, false},
		{"get, missing", "GET", "/book/9999", reader, "", "", 404, false},
		{"get, bad id", "GET", "/book/0", reader, "", "", 400, true},
		{"create", "POST", "/book", admin, jsonCT, book, 201, false},
		{"create, as reader", "POST", "/book", reader, jsonCT, book, 403, false},
		{"create, no title", "POST", "/book", admin, jsonCT, `{"author":"x"}`, 400, true},
		{"update", "PUT", "/book/1", admin, jsonCT, book, 200, false},
		{"delete", "DELETE", "/book/2", admin, "", "", 200, false},
		{"kickout, as reader", "POST", "/api/admin/users/admin/kickout", reader, "", "", 403, false},
		{"home page", "GET", "/", "", "", "", 200, false},
		{"static, missing", "GET", "/static/nope.css", "", "", "", 404, false},
		{"icon", "GET", "/favicon.ico", "", "", "", 200, false},
		{"logout", "POST", "/user/logout", reader, "", "", 200, false},
		{"after logout", "GET", "/api/user/info", reader, "", "", 401, false},
	}
	for _, tt := range tests {
		req, resp, body := send(tt.method, tt.path, tt.token, tt.ct, tt.body)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.name, resp.StatusCode, tt.status, body)
			continue
		}
		if tt.refused {
			if ok, _ := v.ValidateHttpRequest(req); ok && tt.status != http.StatusUnauthorized {
				t.Errorf("%s: the document accepts a request the app refuses with %d", tt.name, tt.status)
			}
			if ok, errs := v.ValidateHttpResponse(req, resp); !ok {
				t.Errorf("%s: response %d %s does not match the document: %s", tt.name, resp.StatusCode, body, errs[0].Reason)
			}
			continue
		}
		if ok, errs := v.ValidateHttpRequestResponse(req, resp); !ok {
			for _, e := range errs {
				t.Errorf("%s: %s: %s (%d %s)", tt.name, e.Message, e.Reason, resp.StatusCode, body)
				for _, se := range e.SchemaValidationErrors {
					t.Errorf("    %s at %s", se.Reason, se.FieldPath)
				}
			}
		}
	}
}
