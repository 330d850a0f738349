package view_test

import (
	"fmt"
	"net/http/httptest"
	"testing/fstest"

	"github.com/portico-go/portico/view"
)

func ExampleNewTemplates() {
	// In an application the files come from an embed.FS.
	files := fstest.MapFS{
		"templates/layout.html": {Data: []byte(`<title>{{block "title" .}}Shop{{end}}</title>{{block "content" .}}{{end}}`)},
		"templates/index.html":  {Data: []byte(`{{define "content"}}<p>Hello, {{.Name}}</p>{{end}}`)},
		"templates/about.html":  {Data: []byte(`{{define "title"}}About{{end}}{{define "content"}}<p>Since {{.Year}}</p>{{end}}`)},
	}
	views, err := view.NewTemplates(files, view.Prefix("templates/"), view.Layout("templates/layout.html"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, mv := range []struct {
		name  string
		model map[string]any
	}{
		{"index", map[string]any{"Name": "<Ann>"}},
		{"about", map[string]any{"Year": 1999}},
	} {
		v, err := views.ResolveView(mv.name)
		if err != nil {
			fmt.Println(err)
			return
		}
		rec := httptest.NewRecorder()
		if err := v.Render(rec, httptest.NewRequest("GET", "/", nil), mv.model); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(rec.Body.String())
	}
	// Output:
	// <title>Shop</title><p>Hello, &lt;Ann&gt;</p>
	// <title>About</title><p>Since 1999</p>
}

func ExampleTemplates_ResolveView() {
	views, err := view.NewTemplates(fstest.MapFS{"index.html": {Data: []byte("hi")}})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = views.ResolveView("missing")
	fmt.Println(err)
	// Output:
	// view "missing": view not found
}
