package openapi_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/auth/token"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor/login"
	"github.com/portico-go/portico/openapi"
)

// The test app: a small book API with typed handlers, the login
// interceptor on every path but login and the docs, roles and permissions,
// an untyped handler and a route decided per request.

type Author struct {
	Name  string `json:"name" validate:"required,max=80"`
	Email string `json:"email,omitempty" validate:"omitempty,email"`
}

type Audit struct {
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt *time.Time `json:"updatedAt"`
}

type Book struct {
	ID     int64    `json:"id"`
	Title  string   `json:"title" validate:"required,min=1,max=200"`
	Year   int      `json:"year,omitempty" validate:"omitempty,gte=1450,lte=2100"`
	Genre  string   `json:"genre" validate:"required,oneof=fiction science history"`
	ISBN   *string  `json:"isbn" validate:"omitempty,len=13,numeric"`
	Tags   []string `json:"tags,omitempty" validate:"max=5,dive,min=1,max=20"`
	Author Author   `json:"author"`
	Audit
}

type BookInput struct {
	Title  string   `json:"title" validate:"required,min=1,max=200"`
	Year   int      `json:"year,omitempty" validate:"omitempty,gte=1450,lte=2100"`
	Genre  string   `json:"genre" validate:"required,oneof=fiction science history"`
	ISBN   *string  `json:"isbn" validate:"omitempty,len=13,numeric"`
	Tags   []string `json:"tags,omitempty" validate:"max=5,dive,min=1,max=20"`
	Author Author   `json:"author" validate:"required"`
}

type UpdateBook struct {
	ID int64 `path:"id" validate:"gte=1"`
	BookInput
}

type BookID struct {
	ID int64 `path:"id" validate:"gte=1"`
}

type ListBooks struct {
	Page   int    `query:"page" validate:"omitempty,gte=1"`
	Size   int    `query:"size" validate:"omitempty,gte=1,lte=100"`
	Genre  string `query:"genre" validate:"omitempty,oneof=fiction science history"`
	Client string `header:"X-Client" doc:"the calling client's name"`
}

type Page[T any] struct {
	Items []T  `json:"items"`
	Total int  `json:"total"`
	Next  *int `json:"next"`
}

type Credentials struct {
	Username string `json:"username" validate:"required"`
	Password string `json:"password" validate:"required,min=8"`
}

type Node struct {
	Name     string           `json:"name"`
	Children []*Node          `json:"children,omitempty"`
	Attrs    map[string]int64 `json:"attrs,omitempty"`
}

type directory struct{}

func (directory) Roles(_ context.Context, id string) ([]string, error) {
	if id == "1" {
		return []string{"admin"}, nil
	}
	return []string{"reader"}, nil
}

func (directory) Permissions(_ context.Context, id string) ([]string, error) {
	if id == "1" {
		return []string{"book:*"}, nil
	}
	return []string{"book:read"}, nil
}

type store struct {
	mu    sync.Mutex
	books map[int64]Book
	next  int64
}

var errNotFound = handler.NewError(http.StatusNotFound, "book not found")

type testApp struct {
	d    *dispatcher.Dispatcher
	mgr  *auth.Manager
	docs *openapi.Docs
}

func newManager(t testing.TB) *auth.Manager {
	t.Helper()
	mgr, err := auth.New(auth.Config{
		Issuer: "portico", Audience: "api", ActiveKey: "k1",
		Keys: []token.Key{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mgr.Close() })
	return mgr
}

func newApp(t testing.TB, opts ...dispatcher.Option) *testApp {
	t.Helper()
	mgr := newManager(t)
	li, err := login.New(mgr, login.WithAuthorizer(directory{}))
	if err != nil {
		t.Fatal(err)
	}
	d := dispatcher.New(opts...)
	s := &store{books: map[int64]Book{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	books := d.Group("/books", dispatcher.WithMeta(openapi.Tags("books")))
	must(books.GET("", handler.Typed(func(_ context.Context, in ListBooks) (Page[Book], error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		p := Page[Book]{Items: []Book{}}
		for _, b := range s.books {
			if in.Genre == "" || b.Genre == in.Genre {
				p.Items = append(p.Items, b)
			}
		}
		p.Total = len(p.Items)
		return p, nil
	}), dispatcher.WithMeta(openapi.Summary("List books"))))
	must(books.GET("/{id}", handler.Typed(func(_ context.Context, in BookID) (*Book, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		b, ok := s.books[in.ID]
		if !ok {
			return nil, errNotFound
		}
		return &b, nil
	}), dispatcher.WithMeta(openapi.Summary("Get a book"), login.RequirePermissions(login.Any, "book:read", "book:update"))))
	must(books.POST("", handler.Typed(func(_ context.Context, in BookInput) (*handler.Response, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.next++
		b := Book{ID: s.next, Title: in.Title, Year: in.Year, Genre: in.Genre, ISBN: in.ISBN, Tags: in.Tags, Author: in.Author,
			Audit: Audit{CreatedAt: time.Now().UTC()}}
		s.books[b.ID] = b
		return handler.NewResponse(http.StatusCreated, b), nil
	}), dispatcher.WithMeta(openapi.Summary("Create a book"), openapi.Returns[Book](http.StatusCreated, "the created book"),
		login.RequirePermissions(login.All, "book:create"))))
	must(books.PUT("/{id}", handler.Typed(func(_ context.Context, in UpdateBook) (Book, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		b, ok := s.books[in.ID]
		if !ok {
			return Book{}, errNotFound
		}
		now := time.Now().UTC()
		b.Title, b.Year, b.Genre, b.ISBN, b.Tags, b.Author, b.UpdatedAt = in.Title, in.Year, in.Genre, in.ISBN, in.Tags, in.Author, &now
		s.books[b.ID] = b
		return b, nil
	}), dispatcher.WithMeta(login.RequireRoles(login.All, "admin"))))
	must(books.DELETE("/{id}", handler.Typed(func(_ context.Context, in BookID) (*handler.Response, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.books, in.ID)
		return nil, nil
	}), dispatcher.WithMeta(openapi.ReturnsContent(http.StatusNoContent, "", "deleted"), openapi.Deprecated(), login.RequireRoles(login.Any, "admin", "root"))))
	must(d.POST("/login", handler.Typed(func(ctx context.Context, in Credentials) (auth.TokenPair, error) {
		if in.Password != "correct horse" {
			return auth.TokenPair{}, login.ToHTTP(&auth.Error{Reason: auth.ReasonBadCredentials, Err: errors.New("wrong password")})
		}
		id := "2"
		if in.Username == "admin" {
			id = "1"
		}
		return mgr.Login(ctx, auth.Principal{ID: id, Name: in.Username}, "192.0.2.1")
	}), dispatcher.WithMeta(openapi.Summary("Log in"), openapi.ReturnsError(http.StatusUnauthorized, "wrong username or password"))))
	must(d.GET("/tree", handler.Typed(func(context.Context, handler.Empty) (Node, error) {
		return Node{Name: "root", Children: []*Node{{Name: "leaf", Attrs: map[string]int64{"depth": 1}}}}, nil
	})))
	must(d.GET("/health", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("ok"))
	}), dispatcher.WithMeta(login.Ignore(), openapi.ReturnsContent(http.StatusOK, "text/plain", "the server is up"))))
	must(d.GET("/files/{*path}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.PathValue("path")))
	})))
	docs := openapi.New(openapi.Config{Title: "Books", Version: "1.0.0"}, openapi.WithRouteOptions(dispatcher.WithMeta(login.Ignore())))
	must(docs.RegisterRoutes(d))
	// Login on every path but /login and /files/public/**: the latter
	// makes /files/{*path} decided per request.
	d.Interceptors().AddInterceptor(li).AddPathPatterns("/**").ExcludePathPatterns("/login", "/files/public/**")
	must(d.Build())
	return &testApp{d: d, mgr: mgr, docs: docs}
}
