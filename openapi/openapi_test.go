package openapi_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/portico-go/portico/openapi"
)

func documentOf(t testing.TB, app *testApp) []byte {
	t.Helper()
	body, _, err := app.docs.Document()
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func TestDocumentIsValidOpenAPI31(t *testing.T) {
	app := newApp(t)
	body := documentOf(t, app)
	if os.Getenv("OPENAPI_DUMP") != "" {
		os.WriteFile(os.Getenv("OPENAPI_DUMP"), body, 0o644)
	}
	doc, err := libopenapi.NewDocument(body)
	if err != nil {
		t.Fatal(err)
	}
	if v := doc.GetSpecInfo().VersionNumeric; v != 3.1 {
		t.Fatalf("version %v, want 3.1", v)
	}
	if _, err := doc.BuildV3Model(); err != nil {
		t.Fatalf("building the model: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("%s: %s", e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  %s at %s (%s)", se.Reason, se.FieldPath, se.KeywordLocation)
			}
		}
	}
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	_ = openapi.DefaultPath
}
