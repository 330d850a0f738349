// Package openapi builds an OpenAPI 3.1 document from a built Dispatcher's
// routes and serves it, the springdoc-openapi of Portico.
//
// Everything the document says is derived from what will run: paths and
// methods from the route table, parameters, request bodies and response
// schemas from typed handlers' input and output types and their path,
// query, header, json and validate tags, the error responses from the
// framework's own behaviour (binding, the login interceptor, routing) in
// the error shape the dispatcher is configured with, and each operation's
// security from the interceptor chain the registry decided for the route.
// Route options (Summary, Tags, Response, ...) attached with
// dispatcher.WithMeta describe what code cannot: they are Portico's stand-in
// for springdoc's annotations.
//
// Generate returns the document and the list of routes it could not
// describe completely; Register serves it at /v3/api-docs and logs that list
// in one line at startup.
package openapi
