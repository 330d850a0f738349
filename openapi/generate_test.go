package openapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/openapi"
)

type importBooks struct {
	Shelf string        `path:"shelf"`
	Books []BookInput   `body:"" validate:"required,min=1,dive"`
	Trace string        `header:"X-Trace-Id" validate:"required"`
	Tags  []string      `query:"tag"`
	_     handler.Empty `json:"-"`
}

type signup struct {
	Name  string `form:"name" json:"name" validate:"required"`
	Email string `form:"email" json:"email" validate:"required,email"`
}

type customRenderer struct{}

func (customRenderer) RenderError(w http.ResponseWriter, _ *http.Request, e *handler.Error) {
	http.Error(w, e.Message, e.Status)
}

type withCookie struct {
	Session string
}

func (w *withCookie) FromRequest(r *http.Request) error {
	c, err := r.Cookie("session")
	if err == nil {
		w.Session = c.Value
	}
	return nil
}

func generate(t *testing.T, d *dispatcher.Dispatcher) (map[string]any, []openapi.Gap) {
	t.Helper()
	doc, gaps, err := openapi.Generate(d, openapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m, gaps
}

// at walks a decoded document by keys.
func at(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// canon re-encodes a JSON text with sorted keys, as js writes decoded
// documents.
func canon(s string) string {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		panic(err)
	}
	return js(v)
}

func TestBodiesParametersAndOptions(t *testing.T) {
	d := dispatcher.New(dispatcher.WithErrorRenderer(dispatcher.ProblemErrors{}))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.POST("/shelves/{shelf}/import", handler.Typed(func(context.Context, importBooks) (int, error) { return 0, nil })))
	must(d.POST("/signup", handler.Typed(func(context.Context, signup) (handler.Empty, error) { return handler.Empty{}, nil })))
	must(d.POST("/raw", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), dispatcher.WithMeta(
		openapi.Body[BookInput](true), openapi.Param[int]("query", "limit", "at most this many", false),
		openapi.Returns[Book](http.StatusAccepted, "queued"), openapi.OperationID("rawImport"))))
	must(d.POST("/ping", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), dispatcher.WithMeta(
		openapi.NoBody(), openapi.ReturnsContent(http.StatusNoContent, "", "pong"))))
	must(d.GET("/internal", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), dispatcher.WithMeta(openapi.Hidden())))
	m, gaps := generate(t, d)
	if len(gaps) != 0 {
		t.Errorf("gaps %v", gaps)
	}
	imp := at(m, "paths", "/shelves/{shelf}/import", "post")
	if got := js(at(imp, "requestBody")); got != canon(`{"required":true,"content":{"application/json":{"schema":{"type":"array","items":{"$ref":"#/components/schemas/BookInput"},"minItems":1}}}}`) {
		t.Errorf("body field: %s", got)
	}
	var params []string
	for _, p := range at(imp, "parameters").([]any) {
		params = append(params, fmt.Sprintf("%s:%s:%v", at(p, "in"), at(p, "name"), at(p, "required")))
	}
	if got := strings.Join(params, ","); got != "path:shelf:true,header:X-Trace-Id:true,query:tag:<nil>" {
		t.Errorf("parameters %s", got)
	}
	if got := js(at(imp, "responses", "200")); got != canon(`{"description":"OK","content":{"application/json":{"schema":{"type":"integer","format":"int64"}}}}`) {
		t.Errorf("200: %s", got)
	}
	if got := js(at(m, "components", "responses", "BadRequest", "content")); !strings.Contains(got, "application/problem+json") || !strings.Contains(got, "#/components/schemas/Problem") {
		t.Errorf("errors are not in the problem shape: %s", got)
	}
	su := at(m, "paths", "/signup", "post", "requestBody", "content")
	if at(su, "application/json") == nil || js(at(su, "application/x-www-form-urlencoded", "schema", "required")) != `["name","email"]` {
		t.Errorf("signup body: %s", js(su))
	}
	raw := at(m, "paths", "/raw", "post")
	if at(raw, "operationId") != "rawImport" || at(raw, "responses", "202") == nil || at(raw, "requestBody", "required") != true ||
		js(at(raw, "parameters")) != canon(`[{"name":"limit","in":"query","description":"at most this many","schema":{"type":"integer","format":"int64"}}]`) {
		t.Errorf("raw: %s", js(raw))
	}
	if at(m, "paths", "/ping", "post", "requestBody") != nil || at(m, "paths", "/ping", "post", "responses", "204") == nil {
		t.Errorf("ping: %s", js(at(m, "paths", "/ping")))
	}
	if at(m, "paths", "/internal") != nil {
		t.Error("a Hidden route is in the document")
	}
}

func TestUndescribableRoutesAreReported(t *testing.T) {
	d := dispatcher.New(dispatcher.WithErrorRenderer(customRenderer{}))
	if err := d.Handle("PROPFIND", "/dav/{*path}", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})); err != nil {
		t.Fatal(err)
	}
	if err := d.GET("/any", handler.Typed(func(context.Context, handler.Empty) (any, error) { return nil, nil })); err != nil {
		t.Fatal(err)
	}
	if err := d.GET("/cookie", handler.Typed(func(context.Context, withCookie) (int, error) { return 0, nil })); err != nil {
		t.Fatal(err)
	}
	if err := d.GET("/resp", handler.Typed(func(context.Context, handler.Empty) (*handler.Response, error) { return nil, nil })); err != nil {
		t.Fatal(err)
	}
	_, gaps := generate(t, d)
	got := map[string]string{}
	for _, g := range gaps {
		got[g.Method+" "+g.Path] = strings.Join(g.Reasons, "; ")
	}
	for route, want := range map[string]string{
		"PROPFIND /dav/{*path}": "has no place in OpenAPI",
		"GET /resp":             "document its responses with openapi.Returns",
		"GET /any":              "error renderer openapi_test.customRenderer",
		"GET /cookie":           "handler.RequestReader",
	} {
		if !strings.Contains(got[route], want) {
			t.Errorf("%s: reasons %q, want one containing %q", route, got[route], want)
		}
	}
}

func ExampleGenerate() {
	type hello struct {
		Name string `query:"name" validate:"required,max=20"`
	}
	type greeting struct {
		Text string `json:"text"`
	}
	d := dispatcher.New()
	d.GET("/hello", handler.Typed(func(_ context.Context, in hello) (greeting, error) {
		return greeting{Text: "hello " + in.Name}, nil
	}), dispatcher.WithMeta(openapi.Summary("Greet")))
	doc, gaps, err := openapi.Generate(d, openapi.Config{Title: "Hello"})
	if err != nil {
		panic(err)
	}
	op := doc.Paths["/hello"].Get
	p, _ := json.Marshal(op.Parameters[0])
	fmt.Println(op.Summary, op.OperationID, len(gaps))
	fmt.Println(string(p))
	// Output:
	// Greet getHello 0
	// {"name":"name","in":"query","required":true,"schema":{"type":"string","minLength":1,"maxLength":20}}
}

// TestExcludeNegotiatedAndNotBlank covers what other parts of Portico bring
// to the generator: Config.Exclude leaves operations endpoints out, an
// application on dispatcher.NegotiatedErrors documents its JSON errors,
// a typed input whose FromRequest is declared with ReadsRequest is not
// reported, and the notblank rule is required plus a pattern.
func TestExcludeNegotiatedAndNotBlank(t *testing.T) {
	type input struct {
		Title string `json:"title" validate:"notblank,max=10"`
	}
	d := dispatcher.New(dispatcher.WithErrorRenderer(dispatcher.NegotiatedErrors{JSON: dispatcher.JSONErrors{Data: true}}))
	for _, err := range []error{
		d.GET("/health/live", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})),
		d.POST("/book", handler.Typed(func(context.Context, input) (int, error) { return 0, nil })),
		d.GET("/cookie", handler.Typed(func(context.Context, withCookie) (int, error) { return 0, nil }),
			dispatcher.WithMeta(openapi.ReadsRequest("a cookie the browser always sends"))),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	doc, gaps, err := openapi.Generate(d, openapi.Config{Exclude: []string{"/health/**"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(gaps) != 0 {
		t.Errorf("gaps %v, want none", gaps)
	}
	if _, ok := doc.Paths["/health/live"]; ok {
		t.Error("/health/live is in the document despite Config.Exclude")
	}
	b, _ := json.Marshal(doc)
	for _, want := range []string{`"data":{"type":"null"}`, `"pattern":"\\S"`, `"required":["title"]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("document lacks %s", want)
		}
	}
	if _, _, err := openapi.Generate(d, openapi.Config{Exclude: []string{"/a/{x"}}); err == nil {
		t.Error("a bad Exclude pattern was accepted")
	}
}
