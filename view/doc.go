// Package view renders Portico's ModelAndView results with html/template,
// in the manner of Spring's ViewResolver and View.
//
// A Resolver maps the view name a handler returns to a View, which renders
// the model into the response. Templates is the Resolver Portico ships: it
// parses a tree of templates from an fs.FS (so an embed.FS works) once, at
// construction, and maps a view name to the file prefix+name+suffix, like
// Spring's InternalResourceViewResolver:
//
//	//go:embed templates
//	var files embed.FS
//
//	views, err := view.NewTemplates(files,
//		view.Prefix("templates/"),           // "books/list" → templates/books/list.html
//		view.Layout("templates/layout.html"),
//		view.Partials("templates/partials/*.html"),
//	)
//
// # Layouts
//
// With a layout, each page is parsed into its own copy of the layout and
// the partials, and rendering a page executes the layout. The page defines
// the blocks the layout leaves open:
//
//	layout.html:  <html><title>{{block "title" .}}Shop{{end}}</title>
//	              <body>{{block "content" .}}{{end}}</body></html>
//	index.html:   {{define "content"}}<h1>{{.Greeting}}</h1>{{end}}
//
// Because every page has its own copy, two pages may define "content"
// without one replacing the other, which a single shared template set
// would do.
//
// # Rendering
//
// A View executes its template into a buffer before touching the response,
// so a template error is returned with nothing written and the caller can
// still answer a clean 500. html/template reports some errors (escaping
// ones) only at the first execution, never at parse time.
package view
