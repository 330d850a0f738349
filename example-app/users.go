package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// User is an account as stored.
type User struct {
	ID           int64
	Username     string
	PasswordHash string
	Roles        []string
	Permissions  []string
}

// errNoUser is returned when a user does not exist.
var errNoUser = errors.New("no such user")

// FindUser returns the user called name (case-insensitively), or errNoUser.
func (s *Store) FindUser(ctx context.Context, name string) (User, error) {
	return s.user(ctx, "username = ?", name)
}

// UserByID returns the user with the ID the session carries, or errNoUser.
func (s *Store) UserByID(ctx context.Context, id string) (User, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return User{}, errNoUser
	}
	return s.user(ctx, "id = ?", n)
}

func (s *Store) user(ctx context.Context, where string, arg any) (User, error) {
	var u User
	var roles, perms string
	err := s.db.QueryRowContext(ctx,
		"SELECT id, username, password_hash, roles, permissions FROM users WHERE "+where, arg).
		Scan(&u.ID, &u.Username, &u.PasswordHash, &roles, &perms)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, errNoUser
	}
	if err != nil {
		return User{}, fmt.Errorf("find user: %w", err)
	}
	u.Roles, u.Permissions = strings.Fields(roles), strings.Fields(perms)
	return u, nil
}

// Roles implements login.Authorizer (Sa-Token's StpInterface): the login
// interceptor asks it, at most once per request, when a route requires a
// role. A user deleted since login has none.
func (s *Store) Roles(ctx context.Context, userID string) ([]string, error) {
	u, err := s.UserByID(ctx, userID)
	if errors.Is(err, errNoUser) {
		return nil, nil
	}
	return u.Roles, err
}

// Permissions implements login.Authorizer for permission checks.
func (s *Store) Permissions(ctx context.Context, userID string) ([]string, error) {
	u, err := s.UserByID(ctx, userID)
	if errors.Is(err, errNoUser) {
		return nil, nil
	}
	return u.Permissions, err
}
