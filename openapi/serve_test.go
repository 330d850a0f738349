package openapi_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/openapi"
)

func TestServesTheDocumentAndLogsGapsOnce(t *testing.T) {
	var logs bytes.Buffer
	d := dispatcher.New()
	docs, err := openapi.Register(d, openapi.Config{Title: "t"}, openapi.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.GET("/a/{id}", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})); err != nil {
		t.Fatal(err)
	}
	if err := d.GET("/b", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})); err != nil {
		t.Fatal(err)
	}
	if err := docs.Start(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		rec := httptest.NewRecorder()
		d.ServeHTTP(rec, httptest.NewRequest("GET", openapi.DefaultPath, nil))
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" || !strings.Contains(rec.Body.String(), `"openapi":"3.1.0"`) {
			t.Fatalf("%d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
		if strings.Contains(rec.Body.String(), openapi.DefaultPath) {
			t.Error("the document lists its own route")
		}
	}
	if n := strings.Count(logs.String(), "routes not fully described"); n != 1 {
		t.Fatalf("%d gap lines, want 1:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "count=2") || !strings.Contains(logs.String(), "GET /a/{id}") || !strings.Contains(logs.String(), "GET /b") {
		t.Errorf("gap line: %s", logs.String())
	}
}

func TestYAMLIsTheSameDocument(t *testing.T) {
	app := newApp(t)
	get := func(path string) []byte {
		rec := httptest.NewRecorder()
		app.d.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 200 {
			t.Fatalf("%s: %d", path, rec.Code)
		}
		return rec.Body.Bytes()
	}
	j, y := get(openapi.DefaultPath), get(openapi.DefaultPath+".yaml")
	if bytes.HasPrefix(bytes.TrimSpace(y), []byte("{")) {
		t.Fatalf("YAML in flow style:\n%.200s", y)
	}
	var fromYAML any
	if err := yaml.Unmarshal(y, &fromYAML); err != nil {
		t.Fatal(err)
	}
	if got, want := js(fromYAML), canon(string(j)); got != want {
		t.Fatalf("YAML and JSON differ:\n%.500s\n%.500s", got, want)
	}
	v := validatorFor(t, y)
	if ok, errs := v.ValidateDocument(); !ok {
		t.Fatalf("YAML document invalid: %s", describe(errs))
	}
}
