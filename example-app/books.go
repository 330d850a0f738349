package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Book is one row of the catalogue, as the API sends it.
type Book struct {
	ID        int64  `json:"id"`
	Title     string `json:"title"`
	Author    string `json:"author"`
	Year      int    `json:"year,omitempty"`
	ISBN      string `json:"isbn,omitempty"`
	CreatedAt string `json:"createdAt,omitempty"`
	UpdatedAt string `json:"updatedAt,omitempty"`
}

// errNoBook is returned when a book does not exist; the controller turns it
// into a 404.
var errNoBook = errors.New("no such book")

const bookColumns = "id, title, author, year, isbn, created_at, updated_at"

func scanBook(row interface{ Scan(...any) error }) (Book, error) {
	var b Book
	err := row.Scan(&b.ID, &b.Title, &b.Author, &b.Year, &b.ISBN, &b.CreatedAt, &b.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Book{}, errNoBook
	}
	return b, err
}

// BookQuery selects one page of the catalogue. The controller has checked
// every field against its bounds (see listRequest) before it gets here.
type BookQuery struct {
	// Search, when not empty, keeps the books whose title or author
	// contains it, ignoring ASCII case; % and _ are matched literally.
	Search string
	// Sort is a key orderBy knows; Desc reverses it. The id breaks ties,
	// so paging through any order is stable.
	Sort string
	Desc bool
	// Page counts from 1; Size is the page length.
	Page, Size int
}

// orderBy maps the sort keys a client may send to ORDER BY terms. Only
// these constant strings ever reach the SQL: the client's value selects
// one, it is never interpolated.
func orderBy(sort string) (string, bool) {
	switch sort {
	case "id":
		return "id", true
	case "title":
		return "title COLLATE NOCASE", true
	case "author":
		return "author COLLATE NOCASE", true
	case "year":
		return "year", true
	}
	return "", false
}

// escapeLike escapes LIKE's wildcards and the escape character itself, so
// a search for "50%" or "a_b" finds exactly that text.
func escapeLike(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ListBooks returns one page of the books q selects and how many it selects
// in all.
func (s *Store) ListBooks(ctx context.Context, q BookQuery) ([]Book, int, error) {
	order, ok := orderBy(q.Sort)
	if !ok {
		return nil, 0, fmt.Errorf("list books: unknown sort %q", q.Sort)
	}
	// The controller's validation keeps requests in these bounds; the store
	// checks them again because it does the arithmetic.
	if q.Page < 1 || q.Page > maxPage || q.Size < 1 || q.Size > maxPageSize {
		return nil, 0, fmt.Errorf("list books: page %d size %d out of bounds", q.Page, q.Size)
	}
	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	where, args := "", []any{}
	if q.Search != "" {
		like := "%" + escapeLike(q.Search) + "%"
		where = ` WHERE title LIKE ? ESCAPE '\' OR author LIKE ? ESCAPE '\'`
		args = append(args, like, like)
	}
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM books"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count books: %w", err)
	}
	// The offset is computed in int64 from bounded values (page ≤ maxPage,
	// size ≤ maxPageSize), so it cannot overflow; a page past the end is
	// answered empty by SQLite.
	offset := (int64(q.Page) - 1) * int64(q.Size)
	rows, err := s.db.QueryContext(ctx,
		"SELECT "+bookColumns+" FROM books"+where+" ORDER BY "+order+dir+", id"+dir+" LIMIT ? OFFSET ?",
		append(args, q.Size, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list books: %w", err)
	}
	defer rows.Close()
	items := make([]Book, 0, q.Size)
	for rows.Next() {
		b, err := scanBook(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list books: %w", err)
		}
		items = append(items, b)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list books: %w", err)
	}
	return items, total, nil
}

// CountBooks returns how many books there are.
func (s *Store) CountBooks(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM books").Scan(&n); err != nil {
		return 0, fmt.Errorf("count books: %w", err)
	}
	return n, nil
}

// GetBook returns the book with id, or errNoBook.
func (s *Store) GetBook(ctx context.Context, id int64) (Book, error) {
	b, err := scanBook(s.db.QueryRowContext(ctx, "SELECT "+bookColumns+" FROM books WHERE id = ?", id))
	if err != nil && !errors.Is(err, errNoBook) {
		return Book{}, fmt.Errorf("get book %d: %w", id, err)
	}
	return b, err
}

// CreateBook inserts b and returns it as stored.
func (s *Store) CreateBook(ctx context.Context, b Book) (Book, error) {
	now := time.Now().UTC().Format(time.RFC3339)
	out, err := scanBook(s.db.QueryRowContext(ctx,
		"INSERT INTO books (title, author, year, isbn, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING "+bookColumns,
		b.Title, b.Author, b.Year, b.ISBN, now, now))
	if err != nil {
		return Book{}, fmt.Errorf("create book: %w", err)
	}
	return out, nil
}

// UpdateBook replaces the fields of book id, or returns errNoBook.
func (s *Store) UpdateBook(ctx context.Context, id int64, b Book) (Book, error) {
	now := time.Now().UTC().Format(time.RFC3339)
	out, err := scanBook(s.db.QueryRowContext(ctx,
		"UPDATE books SET title = ?, author = ?, year = ?, isbn = ?, updated_at = ? WHERE id = ? RETURNING "+bookColumns,
		b.Title, b.Author, b.Year, b.ISBN, now, id))
	if err != nil && !errors.Is(err, errNoBook) {
		return Book{}, fmt.Errorf("update book %d: %w", id, err)
	}
	return out, err
}

// DeleteBook deletes book id and returns it, or returns errNoBook.
func (s *Store) DeleteBook(ctx context.Context, id int64) (Book, error) {
	out, err := scanBook(s.db.QueryRowContext(ctx, "DELETE FROM books WHERE id = ? RETURNING "+bookColumns, id))
	if err != nil && !errors.Is(err, errNoBook) {
		return Book{}, fmt.Errorf("delete book %d: %w", id, err)
	}
	return out, err
}
