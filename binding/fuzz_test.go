package binding_test

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/portico-go/portico/binding"
	"github.com/portico-go/portico/handler"
)

type fuzzInput struct {
	ID      int64             `path:"id"`
	Page    *int              `query:"page" validate:"omitempty,min=1"`
	Tags    []string          `query:"tag" validate:"max=3"`
	Name    string            `json:"name" validate:"required,max=20"`
	Count   uint8             `json:"count"`
	Score   float32           `json:"score" validate:"gte=0"`
	When    time.Time         `json:"when"`
	Wait    time.Duration     `json:"wait"`
	Nested  *Author           `json:"nested"`
	List    []Author          `json:"list" validate:"dive"`
	Labels  map[string]string `json:"labels"`
	Raw     any               `json:"raw"`
	Enabled bool              `json:"enabled"`
}

// FuzzBindJSON checks that no body, Content-Type or query makes Bind panic
// or return anything but a client error.
func FuzzBindJSON(f *testing.F) {
	for _, seed := range []struct {
		body, contentType, query string
		strict                   bool
	}{
		{`{"name":"a","count":3,"score":1.5,"when":"2024-01-01T00:00:00Z","wait":5}`, "application/json", "page=2&tag=x", false},
		{`{"name":"a","nested":{"name":"b"},"list":[{"name":"c"},{}]}`, "application/json; charset=utf-8", "", true},
		{`{"name":"a","count":300}`, "application/json", "", false},
		{`{"name":"a","when":"yesterday"}`, "application/vnd.api+json", "", false},
		{`{"name":"a"} trailing`, "application/json", "", true},
		{`{"name":"a"}{}`, "application/json", "", false},
		{`{"name":"a","unknown":1}`, "application/json", "", true},
		{`[1,2,3]`, "application/json", "", false},
		{`"just a string"`, "application/json", "page=0", false},
		{`{"name":`, "application/json", "page=x", false},
		{`{"raw":{"a":[1,{"b":null}]},"labels":{"k":"v"}}`, "application/json", "", false},
		{string(bytes.Repeat([]byte(" "), 300)) + `{}`, "application/json", "", false},
		{`name=a`, "application/x-www-form-urlencoded", "", false},
		{`{"name":"a"}`, "", "", false},
		{`{"name":"a"}`, "text/plain", "", false},
		{"\xff\xfe", "application/json", "%zz", false},
	} {
		f.Add([]byte(seed.body), seed.contentType, seed.query, seed.strict)
	}
	lenient := binding.New(binding.MaxBodySize(256))
	strict := binding.New(binding.MaxBodySize(256), binding.DisallowUnknownFields())
	f.Fuzz(func(t *testing.T, body []byte, contentType, query string, disallowUnknown bool) {
		r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		r.URL.RawQuery = query
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		b := lenient
		if disallowUnknown {
			b = strict
		}
		var in fuzzInput
		err := b.Bind(r, handler.Params{{Key: "id", Value: "7"}}, &in)
		if err == nil {
			if in.ID != 7 {
				t.Fatalf("ID = %d after a successful Bind, want 7", in.ID)
			}
			return
		}
		he, ok := errors.AsType[*handler.Error](err)
		if !ok {
			t.Fatalf("Bind error %v is a %T, want *handler.Error", err, err)
		}
		switch he.Status {
		case 400, 413, 415:
		default:
			t.Fatalf("Bind error status %d (%v), want 400, 413 or 415", he.Status, err)
		}
		if he.Message == "" {
			t.Fatalf("Bind error %v has no message", err)
		}
		for _, fe := range he.Fields {
			if fe.Field == "" || fe.Message == "" {
				t.Fatalf("Bind error %v has an incomplete field error %+v", err, fe)
			}
		}
	})
}
