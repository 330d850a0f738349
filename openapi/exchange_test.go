package openapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	verrors "github.com/pb33f/libopenapi-validator/errors"

	"github.com/portico-go/portico/dispatcher"
)

// exchange is one real request to the test app and its response.
type exchange struct {
	req  *http.Request // a fresh copy, for the validator
	resp *http.Response
	body []byte
}

func (a *testApp) do(t *testing.T, method, path, body, bearer string, hdr ...string) exchange {
	t.Helper()
	mk := func() *http.Request {
		var r *http.Request
		if body != "" {
			r = httptest.NewRequest(method, path, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
		} else {
			r = httptest.NewRequest(method, path, nil)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		if bearer != "" {
			r.Header.Set("Authorization", "Bearer "+bearer)
		}
		return r
	}
	rec := httptest.NewRecorder()
	a.d.ServeHTTP(rec, mk())
	resp := rec.Result()
	b, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return exchange{req: mk(), resp: resp, body: b}
}

func validatorFor(t testing.TB, spec []byte) validator.Validator {
	t.Helper()
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return v
}

func describe(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString("\n  " + e.Message + ": " + e.Reason)
		for _, se := range e.SchemaValidationErrors {
			b.WriteString("\n    " + se.Reason + " at " + se.FieldPath)
		}
	}
	return b.String()
}

func (a *testApp) loginAs(t *testing.T, user string) string {
	t.Helper()
	x := a.do(t, "POST", "/login", `{"username":"`+user+`","password":"correct horse"}`, "")
	var pair struct {
		AccessToken string `json:"accessToken"`
	}
	if err := json.Unmarshal(x.body, &pair); err != nil || pair.AccessToken == "" {
		t.Fatalf("login %s: %d %s", user, x.resp.StatusCode, x.body)
	}
	return pair.AccessToken
}

// TestRealExchangesMatchTheDocument sends the test app valid and invalid
// requests and validates each request and response against the document
// the app publishes, so any drift between code and document fails here.
func TestRealExchangesMatchTheDocument(t *testing.T) {
	app := newApp(t)
	v := validatorFor(t, documentOf(t, app))
	admin, reader := app.loginAs(t, "admin"), app.loginAs(t, "reader")
	book := `{"title":"Dune","genre":"fiction","year":1965,"isbn":"9780441013593","tags":["sf"],"author":{"name":"Frank Herbert"}}`
	tests := []struct {
		name         string
		method, path string
		body, bearer string
		hdr          []string
		status       int
		// badRequest: the document must refuse the request too.
		badRequest bool
	}{
		{"login", "POST", "/login", `{"username":"admin","password":"correct horse"}`, "", nil, 200, false},
		{"login wrong password", "POST", "/login", `{"username":"admin","password":"wrong password"}`, "", nil, 401, false},
		{"login missing password", "POST", "/login", `{"username":"admin"}`, "", nil, 400, true},
		{"login not JSON", "POST", "/login", "", "", []string{"Content-Type", "text/plain"}, 200, false},
		{"list without token", "GET", "/books", "", "", nil, 401, true},
		{"list with a bad token", "GET", "/books", "", "not.a.jwt", nil, 401, false},
		{"create", "POST", "/books", book, admin, nil, 201, false},
		{"create as reader", "POST", "/books", book, reader, nil, 403, false},
		{"create invalid", "POST", "/books", `{"title":"","genre":"poetry","author":{"name":"x"}}`, admin, nil, 400, true},
		{"create too many tags", "POST", "/books", `{"title":"t","genre":"fiction","tags":["a","b","c","d","e","f"],"author":{"name":"x"}}`, admin, nil, 400, true},
		{"list", "GET", "/books?page=1&size=10&genre=fiction", "", reader, []string{"X-Client", "test"}, 200, false},
		{"list size out of range", "GET", "/books?size=1000", "", reader, nil, 400, true},
		{"get", "GET", "/books/1", "", reader, nil, 200, false},
		{"get missing", "GET", "/books/99", "", reader, nil, 404, false},
		{"get bad id", "GET", "/books/abc", "", reader, nil, 400, true},
		{"update", "PUT", "/books/1", book, admin, nil, 200, false},
		{"update as reader", "PUT", "/books/1", book, reader, nil, 403, false},
		{"delete", "DELETE", "/books/1", "", admin, nil, 204, false},
		{"tree", "GET", "/tree", "", reader, nil, 200, false},
		{"health, public", "GET", "/health", "", "", nil, 200, false},
		{"files need a token", "GET", "/files/x", "", "", nil, 401, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := app.do(t, tt.method, tt.path, tt.body, tt.bearer, tt.hdr...)
			if tt.name == "login not JSON" {
				// A body that is not JSON: 415, and the document, which
				// only lists application/json, refuses the request.
				x = app.doRaw(t, "POST", "/login", "username=admin", "text/plain")
				tt.status, tt.badRequest = 415, true
			}
			if x.resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", x.resp.StatusCode, tt.status, x.body)
			}
			if tt.badRequest {
				if ok, _ := v.ValidateHttpRequest(x.req); ok && tt.status != 401 {
					t.Errorf("the document accepts a request the app refuses with %d", tt.status)
				}
				if ok, errs := v.ValidateHttpResponse(x.req, x.resp); !ok {
					t.Errorf("response %d %s does not match the document:%s", x.resp.StatusCode, x.body, describe(errs))
				}
				return
			}
			if ok, errs := v.ValidateHttpRequestResponse(x.req, x.resp); !ok {
				t.Errorf("exchange does not match the document (%d %s):%s", x.resp.StatusCode, x.body, describe(errs))
			}
		})
	}
}

func (a *testApp) doRaw(t *testing.T, method, path, body, ct string) exchange {
	t.Helper()
	mk := func() *http.Request {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", ct)
		return r
	}
	rec := httptest.NewRecorder()
	a.d.ServeHTTP(rec, mk())
	resp := rec.Result()
	b, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return exchange{req: mk(), resp: resp, body: b}
}

// TestDriftFails proves the exchange test can fail: the same app answering
// in RFC 9457 problem+json does not match a document generated for the
// {code, message} shape.
func TestDriftFails(t *testing.T) {
	jsonApp := newApp(t)
	v := validatorFor(t, documentOf(t, jsonApp))
	problemApp := newApp(t, dispatcher.WithErrorRenderer(dispatcher.ProblemErrors{}))
	x := problemApp.do(t, "GET", "/books", "", "")
	if x.resp.StatusCode != 401 {
		t.Fatalf("status %d", x.resp.StatusCode)
	}
	if ok, _ := v.ValidateHttpResponse(x.req, x.resp); ok {
		t.Fatal("a problem+json 401 validated against the {code, message} document")
	}
	// And its own document describes it.
	pv := validatorFor(t, documentOf(t, problemApp))
	if ok, errs := pv.ValidateHttpResponse(x.req, x.resp); !ok {
		t.Fatalf("problem+json 401 against its own document:%s", describe(errs))
	}
}

// TestDriftInASchemaFails changes one property's type in the document and
// expects the app's real response to be refused.
func TestDriftInASchemaFails(t *testing.T) {
	app := newApp(t)
	var doc map[string]any
	if err := json.Unmarshal(documentOf(t, app), &doc); err != nil {
		t.Fatal(err)
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	title := schemas["Book"].(map[string]any)["properties"].(map[string]any)["title"].(map[string]any)
	title["type"] = "integer"
	spec, _ := json.Marshal(doc)
	v := validatorFor(t, spec)
	admin := app.loginAs(t, "admin")
	app.do(t, "POST", "/books", `{"title":"Dune","genre":"fiction","author":{"name":"F"}}`, admin)
	x := app.do(t, "GET", "/books/1", "", admin)
	if x.resp.StatusCode != 200 {
		t.Fatalf("status %d %s", x.resp.StatusCode, x.body)
	}
	if ok, _ := v.ValidateHttpResponse(x.req, x.resp); ok {
		t.Fatal("a book with a string title validated against a document saying integer")
	}
}
