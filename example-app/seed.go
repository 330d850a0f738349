package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/portico-go/portico/auth"
)

// seedUser is a demo account. The passwords are printed in the docs; a real
// deployment would create its users some other way.
type seedUser struct {
	name, password, roles, permissions string
}

// seedUsers and seedBooks are functions, not package variables, so no
// mutable state is shared between app instances (tests run several).
func seedUsers() []seedUser {
	return []seedUser{
		{"admin", "admin123", "admin", "book:*"},
		{"reader", "reader123", "reader", "book:read"},
	}
}

func seedBooks() []Book {
	return []Book{
		{Title: "The Go Programming Language", Author: "Alan A. A. Donovan, Brian W. Kernighan", Year: 2015, ISBN: "978-0134190440"},
		{Title: "The C Programming Language", Author: "Brian W. Kernighan, Dennis M. Ritchie", Year: 1988, ISBN: "978-0131103627"},
		{Title: "Structure and Interpretation of Computer Programs", Author: "Harold Abelson, Gerald Jay Sussman", Year: 1996, ISBN: "978-0262510875"},
		{Title: "Design Patterns", Author: "Erich Gamma, Richard Helm, Ralph Johnson, John Vlissides", Year: 1994, ISBN: "978-0201633610"},
		{Title: "Refactoring", Author: "Martin Fowler", Year: 2018, ISBN: "978-0134757599"},
		{Title: "Clean Code", Author: "Robert C. Martin", Year: 2008, ISBN: "978-0132350884"},
		{Title: "The Pragmatic Programmer", Author: "David Thomas, Andrew Hunt", Year: 2019, ISBN: "978-0135957059"},
		{Title: "Designing Data-Intensive Applications", Author: "Martin Kleppmann", Year: 2017, ISBN: "978-1449373320"},
		{Title: "Introduction to Algorithms", Author: "Thomas H. Cormen, Charles E. Leiserson, Ronald L. Rivest, Clifford Stein", Year: 2009, ISBN: "978-0262033848"},
		{Title: "The Mythical Man-Month", Author: "Frederick P. Brooks Jr.", Year: 1995, ISBN: "978-0201835953"},
		{Title: "Code Complete", Author: "Steve McConnell", Year: 2004, ISBN: "978-0735619678"},
		{Title: "Domain-Driven Design", Author: "Eric Evans", Year: 2003, ISBN: "978-0321125217"},
		{Title: "Patterns of Enterprise Application Architecture", Author: "Martin Fowler", Year: 2002, ISBN: "978-0321127426"},
		{Title: "Java Concurrency in Practice", Author: "Brian Goetz", Year: 2006, ISBN: "978-0321349606"},
		{Title: "Effective Java", Author: "Joshua Bloch", Year: 2018, ISBN: "978-0134685991"},
		{Title: "Spring in Action", Author: "Craig Walls", Year: 2022, ISBN: "978-1617297571"},
		{Title: "Site Reliability Engineering", Author: "Betsy Beyer, Chris Jones, Jennifer Petoff, Niall Richard Murphy", Year: 2016, ISBN: "978-1491929124"},
		{Title: "The Art of Computer Programming, Vol. 1", Author: "Donald E. Knuth", Year: 1997, ISBN: "978-0201896831"},
		{Title: "Computer Networks", Author: "Andrew S. Tanenbaum, David J. Wetherall", Year: 2010, ISBN: "978-0132126953"},
		{Title: "Operating System Concepts", Author: "Abraham Silberschatz, Peter B. Galvin, Greg Gagne", Year: 2018, ISBN: "978-1119320913"},
		{Title: "Database System Concepts", Author: "Abraham Silberschatz, Henry F. Korth, S. Sudarshan", Year: 2019, ISBN: "978-0078022159"},
		{Title: "Concurrency in Go", Author: "Katherine Cox-Buday", Year: 2017, ISBN: "978-1491941195"},
		{Title: "Release It!", Author: "Michael T. Nygard", Year: 2018, ISBN: "978-1680502398"},
		{Title: "Working Effectively with Legacy Code", Author: "Michael Feathers", Year: 2004, ISBN: "978-0131177055"},
		{Title: "Test-Driven Development: By Example", Author: "Kent Beck", Year: 2002, ISBN: "978-0321146533"},
	}
}

// seed fills a new database inside the migration's transaction; cost is
// the bcrypt cost (0: the default).
func seed(ctx context.Context, tx *sql.Tx, cost int) error {
	for _, u := range seedUsers() {
		hash, err := auth.HashPassword(u.password, cost)
		if err != nil {
			return fmt.Errorf("seed user %s: %w", u.name, err)
		}
		if _, err := tx.ExecContext(ctx,
			"INSERT INTO users (username, password_hash, roles, permissions) VALUES (?, ?, ?, ?)",
			u.name, hash, u.roles, u.permissions); err != nil {
			return fmt.Errorf("seed user %s: %w", u.name, err)
		}
	}
	now := time.Now().UTC().Format(time.RFC3339)
	for _, b := range seedBooks() {
		if _, err := tx.ExecContext(ctx,
			"INSERT INTO books (title, author, year, isbn, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
			b.Title, b.Author, b.Year, b.ISBN, now, now); err != nil {
			return fmt.Errorf("seed book %q: %w", b.Title, err)
		}
	}
	return nil
}
