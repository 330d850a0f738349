package swaggerui_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/openapi"
	"github.com/portico-go/portico/openapi/swaggerui"
)

func TestServesEmbeddedAssets(t *testing.T) {
	d := dispatcher.New()
	if err := swaggerui.New("", openapi.DefaultPath).RegisterRoutes(d); err != nil {
		t.Fatal(err)
	}
	docs := openapi.New(openapi.Config{})
	if err := docs.RegisterRoutes(d); err != nil {
		t.Fatal(err)
	}
	get := func(path string) (*http.Response, string) {
		rec := httptest.NewRecorder()
		d.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		b, _ := io.ReadAll(rec.Result().Body)
		return rec.Result(), string(b)
	}
	tests := []struct {
		path, ct, contains string
		status             int
	}{
		{"/swagger-ui/", "text/html", `src="./swagger-ui-bundle.js"`, 200},
		{"/swagger-ui/index.html", "text/html", `<div id="swagger-ui">`, 200},
		{"/swagger-ui/swagger-initializer.js", "text/javascript", `url: "/v3/api-docs"`, 200},
		{"/swagger-ui/swagger-ui-bundle.js", "text/javascript", "SwaggerUIBundle", 200},
		{"/swagger-ui/swagger-ui.css", "text/css", ".swagger-ui", 200},
		{"/swagger-ui/favicon-32x32.png", "image/png", "PNG", 200},
		{"/swagger-ui/LICENSE", "text/plain", "Apache License", 200},
		{"/swagger-ui/swagger-ui-bundle.js.map", "", "", 404},
		{"/swagger-ui/../go.mod", "", "", 400},
	}
	for _, tt := range tests {
		resp, body := get(tt.path)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.path, resp.StatusCode, tt.status)
			continue
		}
		if tt.status != 200 {
			continue
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.ct) {
			t.Errorf("%s: Content-Type %q", tt.path, ct)
		}
		if !strings.Contains(body, tt.contains) {
			t.Errorf("%s: body lacks %q", tt.path, tt.contains)
		}
	}
	if resp, _ := get("/swagger-ui"); resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/swagger-ui/" {
		t.Errorf("/swagger-ui: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The UI's routes stay out of the document; nothing is reported.
	body, gaps, err := docs.Document()
	if err != nil || len(gaps) != 0 || strings.Contains(string(body), "swagger-ui") {
		t.Errorf("document: %v %v %s", err, gaps, body)
	}
}

func TestBadPrefixIsAStartupError(t *testing.T) {
	if err := swaggerui.New("/docs", "/v3/api-docs").RegisterRoutes(dispatcher.New()); err == nil {
		t.Fatal("prefix without a trailing slash accepted")
	}
}
