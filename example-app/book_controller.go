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

// Paging bounds, checked by the validator before any arithmetic: the
// largest offset is (maxPage-1)*maxPageSize, far from overflowing.
const (
	maxPage     = 1_000_000
	maxPageSize = 100
)

// listRequest is the query of /book/list. Pointers tell "absent" (use the
// default) from "0" (refused). Sort and order are checked against fixed
// lists here and mapped to SQL by the store, never interpolated.
type listRequest struct {
	Page  *int   `query:"page" validate:"omitempty,min=1,max=1000000"`
	Size  *int   `query:"size" validate:"omitempty,min=1,max=100"`
	Query string `query:"q" validate:"max=100"`
	Sort  string `query:"sort" validate:"omitempty,oneof=id title author year"`
	Order string `query:"order" validate:"omitempty,oneof=asc desc"`
}

type bookPage struct {
	Total int    `json:"total"`
	Page  int    `json:"page"`
	Size  int    `json:"size"`
	Query string `json:"q"`
	Sort  string `json:"sort"`
	Order string `json:"order"`
	Items []Book `json:"items"`
}

// list answers one page. Without a sort the newest books come first; a
// sort by a column is ascending unless order=desc.
func (c *bookController) list(ctx context.Context, in listRequest) (*handler.Response, error) {
	q := BookQuery{Page: 1, Size: 10, Search: strings.TrimSpace(in.Query), Sort: in.Sort, Desc: in.Order == "desc"}
	if in.Page != nil {
		q.Page = *in.Page
	}
	if in.Size != nil {
		q.Size = *in.Size
	}
	if q.Sort == "" {
		q.Sort = "id"
		q.Desc = in.Order != "asc"
	}
	items, total, err := c.books.ListBooks(ctx, q)
	if err != nil {
		return nil, err
	}
	order := "asc"
	if q.Desc {
		order = "desc"
	}
	return ok(bookPage{Total: total, Page: q.Page, Size: q.Size, Query: q.Search, Sort: q.Sort, Order: order, Items: items}), nil
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
	Title  string `json:"title" validate:"notblank,max=200"`
	Author string `json:"author" validate:"notblank,max=200"`
	Year   int    `json:"year" validate:"omitempty,min=1,max=2100"`
	ISBN   string `json:"isbn" validate:"omitempty,max=20"`
}

// book trims the input; the validator has already refused blank fields,
// together with every other field's error.
func (in bookInput) book() Book {
	return Book{Title: strings.TrimSpace(in.Title), Author: strings.TrimSpace(in.Author), Year: in.Year, ISBN: strings.TrimSpace(in.ISBN)}
}

func (c *bookController) create(ctx context.Context, in bookInput) (*handler.Response, error) {
	b, err := c.books.CreateBook(ctx, in.book())
	if err != nil {
		return nil, err
	}
	return created(b), nil
}

type updateRequest struct {
	bookID
	bookInput
}

func (c *bookController) update(ctx context.Context, in updateRequest) (*handler.Response, error) {
	b, err := c.books.UpdateBook(ctx, in.ID, in.book())
	if err != nil {
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
