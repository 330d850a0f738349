package client

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

func TestJSONRefresher(t *testing.T) {
	tests := []struct {
		name        string
		current     Tokens
		status      int
		body        string
		want        Tokens
		wantExpired bool // error wraps ErrSessionExpired
		wantErr     bool
		wantCalls   int32
	}{
		{
			name: "rotated", current: Tokens{Access: "a0", Refresh: "r0"}, status: 200,
			body: `{"code":200,"message":"ok","data":{"accessToken":"a1","refreshToken":"r1","tokenType":"Bearer","expiresIn":900}}`,
			want: Tokens{Access: "a1", Refresh: "r1"}, wantCalls: 1,
		},
		{
			name: "used refresh token", current: Tokens{Refresh: "r0"}, status: 401,
			body: `{"code":401,"message":"invalid refresh token","data":null}`, wantExpired: true, wantCalls: 1,
		},
		{
			name: "forbidden", current: Tokens{Refresh: "r0"}, status: 403, body: `not json`,
			wantExpired: true, wantCalls: 1,
		},
		{
			name: "no refresh token: no call", current: Tokens{Access: "a0"},
			wantExpired: true, wantCalls: 0,
		},
		{
			name: "server error", current: Tokens{Refresh: "r0"}, status: 500, body: `{}`,
			wantErr: true, wantCalls: 1,
		},
		{
			name: "envelope error behind 200", current: Tokens{Refresh: "r0"}, status: 200,
			body: `{"code":401,"message":"expired","data":null}`, wantExpired: true, wantCalls: 1,
		},
		{
			name: "no access token", current: Tokens{Refresh: "r0"}, status: 200,
			body: `{"code":200,"message":"ok","data":{}}`, wantErr: true, wantCalls: 1,
		},
		{
			name: "malformed", current: Tokens{Refresh: "r0"}, status: 200, body: `{"code":`,
			wantErr: true, wantCalls: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				got, _ := io.ReadAll(r.Body)
				if r.Method != http.MethodPost || string(got) != `{"refreshToken":"`+tt.current.Refresh+`"}` {
					t.Errorf("request = %s %s", r.Method, got)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()

			got, err := JSONRefresher(srv.URL).Refresh(t.Context(), srv.Client(), tt.current)
			if errors.Is(err, ErrSessionExpired) != tt.wantExpired {
				t.Errorf("err = %v, want ErrSessionExpired: %v", err, tt.wantExpired)
			}
			if (err != nil) != (tt.wantErr || tt.wantExpired) {
				t.Errorf("err = %v", err)
			}
			if got != tt.want {
				t.Errorf("tokens = %+v, want %+v", got, tt.want)
			}
			if n := calls.Load(); n != tt.wantCalls {
				t.Errorf("calls = %d, want %d", n, tt.wantCalls)
			}
		})
	}
}

func TestLogin(t *testing.T) {
	s := newAuthServer(t)
	tests := []struct {
		user, password string
		want           Tokens
		wantStatus     int
	}{
		{"alice", "secret", Tokens{Access: "access-1", Refresh: "refresh-1"}, 0},
		{"alice", "wrong", Tokens{}, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.user+"/"+tt.password, func(t *testing.T) {
			got, err := Login(t.Context(), s.Client(), s.URL+"/user/login", tt.user, tt.password)
			var se *StatusError
			if errors.As(err, &se) != (tt.wantStatus != 0) || (se != nil && se.StatusCode != tt.wantStatus) {
				t.Errorf("err = %v, want status %d", err, tt.wantStatus)
			}
			if got != tt.want {
				t.Errorf("tokens = %+v, want %+v", got, tt.want)
			}
		})
	}
}
