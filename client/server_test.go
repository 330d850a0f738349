package client

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// authServer speaks the example app's token protocol: POST /user/login,
// POST /user/refresh with single-use refresh tokens, and /api/ endpoints
// that want the current access token and echo the request body;
// /api/renew also renews the access token through a New-Token header.
type authServer struct {
	*httptest.Server

	mu      sync.Mutex
	access  string
	refresh string
	gen     int

	refreshes atomic.Int32 // calls to /user/refresh
	rejected  atomic.Int32 // /api/ requests answered 401
	served    atomic.Int32 // /api/ requests answered 200

	// beforeRefresh, if set, runs at the start of every refresh call;
	// tests use it to hold the refresh until they are ready.
	beforeRefresh func()
	// onReject, if set, runs before an /api/ request is answered 401.
	onReject func()
	// beforeCheck, if set, runs before an /api/ request's token is checked.
	beforeCheck func(*http.Request)
}

func newAuthServer(t *testing.T) *authServer {
	t.Helper()
	s := &authServer{access: "access-0", refresh: "refresh-0"}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /user/login", s.login)
	mux.HandleFunc("POST /user/refresh", s.refreshTokens)
	mux.HandleFunc("/api/", s.api)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func writeEnvelope(w http.ResponseWriter, status int, message string, data any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"code": status, "message": message, "data": data})
}

// rotate issues a new token pair; s.mu must be held.
func (s *authServer) rotate() map[string]any {
	s.gen++
	s.access = fmt.Sprintf("access-%d", s.gen)
	s.refresh = fmt.Sprintf("refresh-%d", s.gen)
	return map[string]any{"accessToken": s.access, "refreshToken": s.refresh, "tokenType": "Bearer", "expiresIn": 900}
}

func (s *authServer) login(w http.ResponseWriter, r *http.Request) {
	var in struct{ Username, Password string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Username != "alice" || in.Password != "secret" {
		writeEnvelope(w, http.StatusUnauthorized, "bad credentials", nil)
		return
	}
	s.mu.Lock()
	data := s.rotate()
	s.mu.Unlock()
	writeEnvelope(w, http.StatusOK, "ok", data)
}

func (s *authServer) refreshTokens(w http.ResponseWriter, r *http.Request) {
	s.refreshes.Add(1)
	if s.beforeRefresh != nil {
		s.beforeRefresh()
	}
	var in struct {
		RefreshToken string `json:"refreshToken"`
	}
	json.NewDecoder(r.Body).Decode(&in)
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.RefreshToken == "" || in.RefreshToken != s.refresh {
		writeEnvelope(w, http.StatusUnauthorized, "invalid refresh token", nil)
		return
	}
	writeEnvelope(w, http.StatusOK, "ok", s.rotate())
}

func (s *authServer) api(w http.ResponseWriter, r *http.Request) {
	if s.beforeCheck != nil {
		s.beforeCheck(r)
	}
	s.mu.Lock()
	ok := r.Header.Get("Authorization") == "Bearer "+s.access
	s.mu.Unlock()
	if !ok {
		s.rejected.Add(1)
		if s.onReject != nil {
			s.onReject()
		}
		writeEnvelope(w, http.StatusUnauthorized, "token expired", nil)
		return
	}
	s.served.Add(1)
	if r.URL.Path == "/api/renew" {
		// The near-expiry renewal: the old token stops working at once.
		s.setTokens("renewed", "refresh-0")
		w.Header().Set("New-Token", "renewed")
	}
	io.Copy(w, r.Body)
}

// setTokens makes the server accept exactly these tokens.
func (s *authServer) setTokens(access, refresh string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access, s.refresh = access, refresh
}
