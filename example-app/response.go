package main

import (
	"net/http"

	"github.com/portico-go/portico/handler"
)

// envelope is the body of every JSON response: code equals the HTTP
// status. Errors get the same shape from dispatcher.JSONErrors{Data: true},
// plus "reason" and "errors" when set.
type envelope struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data"`
}

// ok answers 200 with data.
func ok(data any) *handler.Response { return reply(http.StatusOK, "ok", data) }

// created answers 201 with data.
func created(data any) *handler.Response { return reply(http.StatusCreated, "created", data) }

func reply(status int, msg string, data any) *handler.Response {
	return handler.NewResponse(status, envelope{Code: status, Message: msg, Data: data})
}
