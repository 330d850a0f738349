package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"go.uber.org/fx"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// Store is the app's SQLite database: users and books. It is opened in the
// fx start hook, not in the constructor, so building the graph (as -routes
// does) never touches the disk; every query runs after start.
type Store struct {
	path string
	cost int // bcrypt cost for seeding
	log  *slog.Logger
	db   *sql.DB
}

// newStore returns the Store and ties opening and closing it to the fx
// lifecycle.
func newStore(lc fx.Lifecycle, cfg Config, log *slog.Logger) *Store {
	s := &Store{path: cfg.DBPath, cost: cfg.passwordCost, log: log}
	lc.Append(fx.Hook{OnStart: s.open, OnStop: func(context.Context) error { return s.close() }})
	return s
}

// dsnParams configure every connection the pool opens: WAL lets readers
// run beside the writer, the busy timeout makes a second writer wait for
// the lock instead of failing with SQLITE_BUSY, and _txlock=immediate takes
// the write lock at BEGIN so a transaction that reads then writes cannot
// deadlock against another one doing the same.
const dsnParams = "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"

func (s *Store) open(ctx context.Context) error {
	if dir := filepath.Dir(s.path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("database directory: %w", err)
		}
	}
	db, err := sql.Open("sqlite", s.path+dsnParams)
	if err != nil {
		return fmt.Errorf("open database %s: %w", s.path, err)
	}
	s.db = db
	if err := s.migrate(ctx); err != nil {
		return errors.Join(fmt.Errorf("database %s: %w", s.path, err), s.close())
	}
	s.log.Info("database ready", "path", s.path)
	return nil
}

func (s *Store) close() error {
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	if err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return nil
}

// schema is version 1 of the database; PRAGMA user_version records which
// version a file has, so seeding happens exactly once per file, even if
// every book is later deleted.
const schema = `
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
	password_hash TEXT NOT NULL,
	roles         TEXT NOT NULL DEFAULT '',
	permissions   TEXT NOT NULL DEFAULT ''
);
CREATE TABLE books (
	id         INTEGER PRIMARY KEY,
	title      TEXT NOT NULL,
	author     TEXT NOT NULL,
	year       INTEGER NOT NULL DEFAULT 0,
	isbn       TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX books_title ON books(title);
`

// migrate creates and seeds a new database; an existing one is left alone.
func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil) // immediate: one process seeds
	if err != nil {
		return fmt.Errorf("begin migration: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	switch version {
	case 1:
		return nil
	case 0:
	default:
		return fmt.Errorf("schema version %d is newer than this app knows (1)", version)
	}
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if err := seed(ctx, tx, s.cost); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "PRAGMA user_version = 1"); err != nil {
		return fmt.Errorf("set schema version: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit migration: %w", err)
	}
	s.log.Info("created and seeded a new database", "path", s.path, "books", len(seedBooks()), "users", "admin, reader")
	return nil
}
