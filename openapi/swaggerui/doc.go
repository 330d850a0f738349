// Package swaggerui serves Swagger UI for an OpenAPI document, from assets
// embedded in the binary: nothing loads from the internet at run time.
//
// The assets are swagger-ui-dist 5.35.0 from npm (Apache-2.0, see
// assets/LICENSE and assets/NOTICE): the minified bundle, its stylesheet
// and an icon, without source maps. The page and its initializer are
// written by this package, so the document URL is the application's.
package swaggerui
