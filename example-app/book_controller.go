package main

import (
	"context"
	"errors"
	"strings"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor/login"
	"github.com/portico-go/portico/openapi"
)

// bookController is seed 004's BookController: the catalogue API behind
// the login interceptor. Each route states what it needs in its metadata
// (Portico's stand-in for @SaCheckRole / @SaCheckPermission); the login
// interceptor enforces it before the handler runs.
type bookController struct {
	books *Store
}

func newBookController(s *Store) *bookController { return &bookController{books: s} }

// RegisterRoutes maps the controller. /book/list is a static route, so it
// wins over /book/{id} as in Spring.
func (c *bookController) RegisterRoutes(d *dispatcher.Dispatcher) error {
	read := dispatcher.WithMeta(
		login.RequireRoles(login.Any, "admin", "reader"),
		login.RequirePermissions(login.All, "book:read"),
	)
	doc := func(summary string, status int, meta ...any) dispatcher.RouteOption {
		return dispatcher.WithMeta(append([]any{openapi.Tags("books"), openapi.Summary(summary),
			openapi.Returns[apiResponse[Book]](status, "the book")}, meta...)...)
	}
	missing := openapi.ReturnsError(404, "no book with this id")
	return errors.Join(
		d.GET("/book/list", handler.Typed(c.list), read, dispatcher.WithMeta(openapi.Tags("books"), openapi.Summary("List books, newest first"),
			openapi.Returns[apiResponse[bookPage]](200, "one page of books"))),
		d.GET("/book/{id}", handler.Typed(c.get), read, doc("Get a book", 200, missing)),
		d.POST("/book", handler.Typed(c.create), dispatcher.WithMeta(login.RequirePermissions(login.All, "book:create")), doc("Create a book", 201)),
		d.PUT("/book/{id}", handler.Typed(c.update), dispatcher.WithMeta(login.RequirePermissions(login.All, "book:update")), doc("Replace a book", 200, missing)),
		d.DELETE("/book/{id}", handler.Typed(c.delete), dispatcher.WithMeta(login.RequirePermissions(login.All, "book:delete")), doc("Delete a book", 200, missing)),
	)
}

type listRequest struct {
	// Pointers tell "absent" (use the default) from "0" (refused).
	Page *int `query:"page" validate:"omitempty,min=1"`
	Size *int `query:"size" validate:"omitempty,min=1,max=100"`
}

type bookPage struct {
	Total int    `json:"total"`
	Page  int    `json:"page"`
	Size  int    `json:"size"`
	Items []Book `json:"items"`
}

func (c *bookController) list(ctx context.Context, in listRequest) (*handler.Response, error) {
	page, size := 1, 10
	if in.Page != nil {
		page = *in.Page
	}
	if in.Size != nil {
		size = *in.Size
	}
	items, total, err := c.books.ListBooks(ctx, page, size)
	if err != nil {
		return nil, err
	}
	return ok(bookPage{Total: total, Page: page, Size: size, Items: items}), nil
}

type bookID struct {
	ID int64 `path:"id" validate:"min=1"`
}

func (c *bookController) get(ctx context.Context, in bookID) (*handler.Response, error) {
	b, err := c.books.GetBook(ctx, in.ID)
	if err != nil {
		return nil, notFound(in.ID, err)
	}
	return ok(b), nil
}

// bookInput is the JSON a client sends to create or replace a book.
type bookInput struct {
	Title  string `json:"title" validate:"required,max=200"`
	Author string `json:"author" validate:"required,max=200"`
	Year   int    `json:"year" validate:"omitempty,min=1,max=2100"`
	ISBN   string `json:"isbn" validate:"omitempty,max=20"`
}

// book trims the input and refuses what the validator let through but a
// person would call empty ("   ").
func (in bookInput) book() (Book, error) {
	b := Book{Title: strings.TrimSpace(in.Title), Author: strings.TrimSpace(in.Author), Year: in.Year, ISBN: strings.TrimSpace(in.ISBN)}
	if b.Title == "" {
		return Book{}, fieldError("title", "is required")
	}
	if b.Author == "" {
		return Book{}, fieldError("author", "is required")
	}
	return b, nil
}

func (c *bookController) create(ctx context.Context, in bookInput) (*handler.Response, error) {
	b, err := in.book()
	if err != nil {
		return nil, err
	}
	if b, err = c.books.CreateBook(ctx, b); err != nil {
		return nil, err
	}
	return created(b), nil
}

type updateRequest struct {
	bookID
	bookInput
}

func (c *bookController) update(ctx context.Context, in updateRequest) (*handler.Response, error) {
	b, err := in.book()
	if err != nil {
		return nil, err
	}
	if b, err = c.books.UpdateBook(ctx, in.ID, b); err != nil {
		return nil, notFound(in.ID, err)
	}
	return ok(b), nil
}

func (c *bookController) delete(ctx context.Context, in bookID) (*handler.Response, error) {
	b, err := c.books.DeleteBook(ctx, in.ID)
	if err != nil {
		return nil, notFound(in.ID, err)
	}
	return reply(200, "deleted", b), nil
}

// notFound turns errNoBook into a 404 and passes other errors on (they
// become a 500 whose details stay in the log).
func notFound(id int64, err error) error {
	if errors.Is(err, errNoBook) {
		return handler.Errorf(404, "book %d not found", id)
	}
	return err
}
