package main

import (
	"go.uber.org/fx"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/interceptor/login"
	"github.com/portico-go/portico/openapi"
	"github.com/portico-go/portico/openapi/swaggerui"
)

// apiDocsModule publishes the API: the OpenAPI document at /v3/api-docs
// and Swagger UI at /swagger-ui/, both public. The document is generated
// from the routes at start; the route options in the controllers
// (openapi.Summary, openapi.Returns, ...) describe what the types cannot.
func apiDocsModule() fx.Option {
	public := dispatcher.WithMeta(login.Ignore())
	return fx.Options(
		openapi.Module(openapi.Config{Title: "Portico books", Version: "1.0.0",
			Description: "The example app's book catalogue API.",
			// Operations endpoints are not the API (springdoc leaves
			// actuator out by default too).
			Exclude: []string{"/health/**", "/metrics"}}, openapi.WithRouteOptions(public)),
		swaggerui.Module(swaggerui.DefaultPath, openapi.DefaultPath, swaggerui.WithRouteOptions(public)),
	)
}

// apiResponse is envelope with the type of Data spelled out, so the
// document can say what each route's data is.
type apiResponse[T any] struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    T      `json:"data"`
}
