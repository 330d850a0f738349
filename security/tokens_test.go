package security

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	mrand "math/rand/v2"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// forge signs claims with any method and key, the way an attacker would.
func forge(t testing.TB, m jwt.SigningMethod, key any, kid any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, claims)
	if kid == nil {
		delete(tok.Header, "kid")
	} else {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// claimsOf reads a token's payload without verifying it.
func claimsOf(t testing.TB, tok string) jwt.MapClaims {
	t.Helper()
	parts := strings.Split(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c jwt.MapClaims
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// with returns a copy of c with k set to v, or removed when v is nil.
func with(c jwt.MapClaims, kv ...any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, v := range c {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(out, k)
		} else {
			out[k] = kv[i+1]
		}
	}
	return out
}

// tokenCase is one Authorization attempt against a protected route.
type tokenCase struct {
	name    string
	headers []string // raw header lines
	status  int
	reason  string
}

func bearerLine(tok string) []string { return []string{"Authorization: Bearer " + tok} }

// TestHostileTokens sends every JWT attack from the attack list, over
// TCP, to a protected route: each gets 401 (or 431 from net/http for a
// header over its limit) with the reason the docs promise, and none
// reaches the handler.
func TestHostileTokens(t *testing.T) {
	// No reuse grace: a replay right after the rotation must already
	// count as reuse (the grace is tested in package auth).
	a := newApp(t, appConfig{maxSessions: 2, reuseGrace: -1}).serve()
	hc := a.client(4)
	good := a.login(t, hc, "reader", "reader123")
	// The "standard base64 alphabet" case below only tests something when
	// the token has a '-' or '_' to re-spell; a few logins make sure.
	for i := 0; i < 50 && !strings.ContainsAny(good.AccessToken, "-_"); i++ {
		good = a.login(t, hc, "reader", "reader123")
	}
	if !strings.ContainsAny(good.AccessToken, "-_") {
		t.Fatal("no access token with a '-' or '_' in 50 logins")
	}
	base := claimsOf(t, good.AccessToken)
	now := time.Now()
	hs := func(c jwt.MapClaims) string { return forge(t, jwt.SigningMethodHS256, testSecret, testKeyID, c) }

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	must(t, err)
	pub, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	must(t, err)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, base).SignedString(jwt.UnsafeAllowNoneSignatureType)
	must(t, err)
	noneWithKid := forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, testKeyID, base)

	// Sessions ended in each way the attack list names.
	revoked := a.login(t, hc, "reader", "reader123")
	must(t, a.mgr.Logout(context.Background(), claimsOf(t, revoked.AccessToken)["sid"].(string)))
	kicked := a.login(t, hc, "admin", "admin123")
	must(t, a.mgr.Kickout(context.Background(), "1"))
	replaced := a.login(t, hc, "admin", "admin123")
	a.login(t, hc, "admin", "admin123")
	a.login(t, hc, "admin", "admin123") // third login past the limit of 2
	// A refresh token replayed after rotation ends the session, and the
	// access token that came with the winning refresh stops working.
	family := a.login(t, hc, "reader", "reader123")
	rotated := call(t, hc, http.MethodPost, a.srv.URL+"/user/refresh", "", refreshIn{family.RefreshToken}).tokens(t)
	if r := call(t, hc, http.MethodPost, a.srv.URL+"/user/refresh", "", refreshIn{family.RefreshToken}); r.status != 401 || r.reason() != "revoked" {
		t.Fatalf("replayed refresh token: %d %s", r.status, r.body)
	}

	unix := func(d time.Duration) int64 { return now.Add(d).Unix() }
	cases := []tokenCase{
		{"control: valid token", bearerLine(good.AccessToken), 200, ""},
		{"control: lower-case scheme", []string{"Authorization: bearer " + good.AccessToken}, 200, ""},
		{"control: upper-case scheme", []string{"Authorization: BEARER " + good.AccessToken}, 200, ""},
		{"control: padded token", []string{"Authorization:   Bearer    " + good.AccessToken + "   "}, 200, ""},
		{"control: exp inside the leeway", bearerLine(hs(with(base, "exp", unix(-20*time.Second)))), 200, ""},
		{"control: nbf inside the leeway", bearerLine(hs(with(base, "nbf", unix(20*time.Second)))), 200, ""},

		{"no header", nil, 401, "missing_token"},
		{"empty header", []string{"Authorization:"}, 401, "missing_token"},
		{"scheme only", []string{"Authorization: Bearer"}, 401, "missing_token"},
		{"scheme and spaces", []string{"Authorization: Bearer    "}, 401, "missing_token"},
		{"Basic scheme", []string{"Authorization: Basic YWRtaW46YWRtaW4xMjM="}, 401, "invalid_token"},
		{"token without scheme", []string{"Authorization: " + good.AccessToken}, 401, "invalid_token"},
		{"tab after scheme", []string{"Authorization: Bearer\t" + good.AccessToken}, 401, "invalid_token"},
		{"scheme glued to token", []string{"Authorization: Bearer" + good.AccessToken}, 401, "invalid_token"},
		{"two Authorization headers", append(bearerLine(good.AccessToken), bearerLine(good.AccessToken)...), 401, "invalid_token"},
		{"two headers, second valid", append(bearerLine("x"), bearerLine(good.AccessToken)...), 401, "invalid_token"},
		{"token twice in one header", []string{"Authorization: Bearer " + good.AccessToken + " " + good.AccessToken}, 401, "invalid_token"},
		{"token, comma, token", []string{"Authorization: Bearer " + good.AccessToken + ", Bearer " + good.AccessToken}, 401, "invalid_token"},
		{"100k dots (CVE-2025-30204)", bearerLine(strings.Repeat(".", 100_000)), 401, "invalid_token"},
		{"100k dots after a token", bearerLine(good.AccessToken + strings.Repeat(".", 100_000)), 401, "invalid_token"},
		{"header just over 8 KiB", bearerLine(strings.Repeat("a", 8<<10)), 401, "invalid_token"},
		{"token just over 4 KiB", bearerLine(good.AccessToken[:20] + strings.Repeat("A", 4<<10)), 401, "invalid_token"},
		{"header over net/http's 1 MiB limit", bearerLine(strings.Repeat("a", 1<<20+8<<10)), 431, ""},
		{"alg none", bearerLine(none), 401, "invalid_token"},
		{"alg none with kid", bearerLine(noneWithKid), 401, "invalid_token"},
		{"alg none, signature kept", bearerLine(strings.Join(append([]string{strings.Split(none, ".")[0]}, strings.Split(good.AccessToken, ".")[1:]...), ".")), 401, "invalid_token"},
		{"HS384", bearerLine(forge(t, jwt.SigningMethodHS384, testSecret, testKeyID, base)), 401, "invalid_token"},
		{"HS512", bearerLine(forge(t, jwt.SigningMethodHS512, testSecret, testKeyID, base)), 401, "invalid_token"},
		{"RS256", bearerLine(forge(t, jwt.SigningMethodRS256, rsaKey, testKeyID, base)), 401, "invalid_token"},
		{"ES256", bearerLine(forge(t, jwt.SigningMethodES256, ecKey, testKeyID, base)), 401, "invalid_token"},
		{"public key as HMAC secret", bearerLine(forge(t, jwt.SigningMethodHS256, pubPEM, testKeyID, base)), 401, "invalid_token"},
		{"other 32-byte secret", bearerLine(forge(t, jwt.SigningMethodHS256, []byte(strings.Repeat("x", 32)), testKeyID, base)), 401, "invalid_token"},
		{"empty secret", bearerLine(forge(t, jwt.SigningMethodHS256, []byte{}, testKeyID, base)), 401, "invalid_token"},
		{"no exp", bearerLine(hs(with(base, "exp", nil))), 401, "invalid_token"},
		{"exp past the leeway", bearerLine(hs(with(base, "exp", unix(-40*time.Second)))), 401, "expired"},
		{"exp far past", bearerLine(hs(with(base, "exp", unix(-48*time.Hour)))), 401, "expired"},
		{"exp as a string", bearerLine(hs(with(base, "exp", "never"))), 401, "invalid_token"},
		{"nbf past the leeway", bearerLine(hs(with(base, "nbf", unix(40*time.Second)))), 401, "invalid_token"},
		{"iat in the future", bearerLine(hs(with(base, "iat", unix(time.Hour)))), 401, "invalid_token"},
		{"no iat", bearerLine(hs(with(base, "iat", nil))), 401, "invalid_token"},
		{"wrong iss", bearerLine(hs(with(base, "iss", "evil"))), 401, "invalid_token"},
		{"no iss", bearerLine(hs(with(base, "iss", nil))), 401, "invalid_token"},
		{"wrong aud", bearerLine(hs(with(base, "aud", []string{"other-api"}))), 401, "invalid_token"},
		{"aud list with ours and another", bearerLine(hs(with(base, "aud", []string{"other-api", testAudience}))), 200, ""},
		{"wrong sub", bearerLine(hs(with(base, "sub", "1"))), 401, "invalid_token"},
		{"no sub", bearerLine(hs(with(base, "sub", nil))), 401, "invalid_token"},
		{"sid of no session", bearerLine(hs(with(base, "sid", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))), 401, "expired"},
		{"path-like sid", bearerLine(hs(with(base, "sid", "../../etc/passwd"))), 401, "invalid_token"},
		{"typ refresh", bearerLine(hs(with(base, "typ", "refresh"))), 401, "invalid_token"},
		{"no typ", bearerLine(hs(with(base, "typ", nil))), 401, "invalid_token"},
		{"sxp extended", bearerLine(hs(with(base, "sxp", unix(1000*time.Hour)))), 200, ""},
		{"sxp passed", bearerLine(hs(with(base, "sxp", unix(-time.Hour)))), 401, "expired"},
		{"unknown kid", bearerLine(forge(t, jwt.SigningMethodHS256, testSecret, "k2", base)), 401, "invalid_token"},
		{"path-like kid", bearerLine(forge(t, jwt.SigningMethodHS256, testSecret, "../../../../dev/null", base)), 401, "invalid_token"},
		{"URL kid", bearerLine(forge(t, jwt.SigningMethodHS256, testSecret, "https://evil.example/jwks.json", base)), 401, "invalid_token"},
		{"numeric kid", bearerLine(forge(t, jwt.SigningMethodHS256, testSecret, 1, base)), 401, "invalid_token"},
		{"no kid", bearerLine(forge(t, jwt.SigningMethodHS256, testSecret, nil, base)), 401, "invalid_token"},
		{"jku header", bearerLine(withHeader(t, base, "jku", "https://evil.example/jwks.json")), 200, ""},
		{"payload swapped, signature kept", bearerLine(swapPayload(t, good.AccessToken, with(base, "sub", "1"))), 401, "invalid_token"},
		{"signature stripped", bearerLine(good.AccessToken[:strings.LastIndex(good.AccessToken, ".")+1]), 401, "invalid_token"},
		{"signature of another token", bearerLine(swapSignature(good.AccessToken, kicked.AccessToken)), 401, "invalid_token"},
		{"padded base64", bearerLine(strings.Replace(good.AccessToken, ".", "=.", 1)), 401, "invalid_token"},
		{"standard base64 alphabet", bearerLine(strings.NewReplacer("-", "+", "_", "/").Replace(good.AccessToken)), 401, "invalid_token"},
		{"refresh token as access token", bearerLine(good.RefreshToken), 401, "invalid_token"},
		{"logged out (revoked)", bearerLine(revoked.AccessToken), 401, "revoked"},
		{"kicked out", bearerLine(kicked.AccessToken), 401, "kicked_out"},
		{"replaced by a newer login", bearerLine(replaced.AccessToken), 401, "replaced"},
		{"winner of a replayed refresh", bearerLine(rotated.AccessToken), 401, "revoked"},
		{"original of a replayed refresh", bearerLine(family.AccessToken), 401, "revoked"},
	}
	c := newRawClient(t, a.addr())
	for _, tc := range cases {
		r, err := c.do(http.MethodGet, "/api/user/info", tc.headers...)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if r.status != tc.status || r.reason() != tc.reason {
			t.Errorf("%s: %d %q, want %d %q", tc.name, r.status, trim(r.body), tc.status, tc.reason)
		}
		if r.status != 200 && strings.Contains(r.body, marker) {
			t.Errorf("%s: protected data in a failed answer", tc.name)
		}
	}
	a.checkNoBypass(t)
}

// withHeader forges a correctly signed token carrying an extra JOSE
// header (jku, x5u, jwk): Portico must ignore them, never fetch a key.
func withHeader(t testing.TB, c jwt.MapClaims, k, v string) string {
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	tok.Header["kid"] = testKeyID
	tok.Header[k] = v
	s, err := tok.SignedString(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func swapPayload(t testing.TB, tok string, c jwt.MapClaims) string {
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	p := strings.Split(tok, ".")
	p[1] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(p, ".")
}

func swapSignature(tok, from string) string {
	return tok[:strings.LastIndex(tok, ".")] + from[strings.LastIndex(from, "."):]
}

// TestTruncatedAndGarbageTokens sends every prefix and suffix of a valid
// token and seeded random garbage: always 401 invalid_token (or
// missing_token when nothing is left), never a panic or a 5xx.
func TestTruncatedAndGarbageTokens(t *testing.T) {
	a := newApp(t, appConfig{}).serve()
	good := a.login(t, a.client(1), "reader", "reader123").AccessToken
	var toks []string
	for i := 0; i < len(good); i++ {
		toks = append(toks, good[:i], good[i+1:])
	}
	rng := mrand.New(mrand.NewPCG(1, 2))
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := 0; i < 300; i++ {
		b := make([]byte, rng.IntN(600))
		for j := range b {
			if i%2 == 0 {
				b[j] = byte(0x21 + rng.IntN(0x7e-0x21)) // printable ASCII
			} else {
				b[j] = b64[rng.IntN(len(b64))]
			}
		}
		if i%2 == 1 && len(b) > 2 {
			// Exactly two dots, so the token reaches the JWT parser.
			b[rng.IntN(len(b))], b[rng.IntN(len(b))] = '.', '.'
		}
		toks = append(toks, string(b))
	}
	// Mutations of single characters of a valid token.
	for i := 0; i < len(good); i += 3 {
		b := []byte(good)
		b[i] = b64[(strings.IndexByte(b64, b[i])+1)%len(b64)]
		if b[i] != good[i] && good[i] != '.' {
			toks = append(toks, string(b))
		}
	}
	c := newRawClient(t, a.addr())
	for _, tok := range toks {
		if tok == good {
			continue
		}
		r, err := c.do(http.MethodGet, "/book/list", "Authorization: Bearer "+tok)
		if err != nil {
			t.Fatalf("%q: %v", tok, err)
		}
		want := "invalid_token"
		if strings.TrimSpace(tok) == "" {
			want = "missing_token"
		}
		if r.status != 401 || r.reason() != want {
			// Includes changes to the unused low bits of the signature's
			// last character: a token has exactly one accepted spelling.
			t.Errorf("token %q: %d %s, want 401 %s", trim(tok), r.status, trim(r.body), want)
		}
	}
	a.checkNoBypass(t)
	t.Logf("%d truncated, mutated and random tokens", len(toks))
}

// hostileTokenInputs are the inputs whose cost must not grow with their
// size, for the allocation test and BenchmarkHostileTokens.
// parsed says the input passes the structural checks (length, two dots)
// and reaches the JWT parser, whose work is bounded by the 4 KiB cap.
func hostileTokenInputs() []struct {
	name, header string
	parsed       bool
} {
	return []struct {
		name, header string
		parsed       bool
	}{
		{"short-garbage", "Bearer abc", false},
		{"100k-dots", "Bearer " + strings.Repeat(".", 100_000), false},
		{"1M-dots", "Bearer " + strings.Repeat(".", 1_000_000), false},
		{"8k-header", "Bearer " + strings.Repeat("a", 8<<10), false},
		{"5k-token", "Bearer " + strings.Repeat("a.", 2500), false},
		{"garbage-two-dots", "Bearer eyJ.eyJ.x", true},
		{"4k-token-two-dots", "Bearer " + strings.Repeat("a", 2<<10) + "." + strings.Repeat("b", 2<<10-4) + ".c", true},
	}
}

// discardWriter is a reusable ResponseWriter for allocation counts.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

// perRequest measures the allocations and bytes of serving r once.
func perRequest(a *app, r *http.Request, n int) (allocs, bytes float64) {
	w := &discardWriter{h: http.Header{}}
	serve := func() {
		clear(w.h)
		a.d.ServeHTTP(w, r)
	}
	serve() // warm pools and caches
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < n; i++ {
		serve()
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / float64(n), float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
}

// TestHostileTokenCostIsBounded checks that rejecting a huge hostile
// token costs no more allocations or memory than rejecting a short one:
// the work is bounded before the input's size matters. It counts
// allocations, never time, so it is deterministic.
func TestHostileTokenCostIsBounded(t *testing.T) {
	a := newApp(t, appConfig{})
	short := hostileTokenInputs()[0]
	req := func(h string) *http.Request {
		r, err := http.NewRequest(http.MethodGet, "/book/list", nil)
		must(t, err)
		r.Header.Set("Authorization", h)
		r.RemoteAddr = "192.0.2.1:1234"
		return r
	}
	baseAllocs, baseBytes := perRequest(a, req(short.header), 200)
	t.Logf("%-18s %5.1f allocs %7.0f B per request", short.name, baseAllocs, baseBytes)
	for _, in := range hostileTokenInputs()[1:] {
		allocs, bytes := perRequest(a, req(in.header), 200)
		t.Logf("%-18s %5.1f allocs %7.0f B per request (header %d B)", in.name, allocs, bytes, len(in.header))
		// Inputs refused by the structural checks cost what a short one
		// does, with small slack for the error text, which differs per
		// rule; they are 5 KiB to 1 MB, so any copy would show. Inputs
		// that reach the JWT parser are at most 4 KiB: their cost has a
		// fixed ceiling.
		maxAllocs, maxBytes := baseAllocs+4, baseBytes+2048
		if in.parsed {
			maxAllocs, maxBytes = 64, 16<<10
		}
		if allocs > maxAllocs || bytes > maxBytes {
			t.Errorf("%s: %.1f allocs, %.0f B per request; a short garbage token costs %.1f allocs, %.0f B",
				in.name, allocs, bytes, baseAllocs, baseBytes)
		}
	}
}

// BenchmarkHostileTokens measures the full dispatch of a protected
// request carrying each hostile token. The 100k-dots case
// (CVE-2025-30204) must stay in microseconds.
func BenchmarkHostileTokens(b *testing.B) {
	a := newApp(b, appConfig{})
	for _, in := range hostileTokenInputs() {
		b.Run(in.name, func(b *testing.B) {
			r, err := http.NewRequest(http.MethodGet, "/book/list", nil)
			must(b, err)
			r.Header.Set("Authorization", in.header)
			r.RemoteAddr = "192.0.2.1:1234"
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				a.d.ServeHTTP(w, r)
			}
		})
	}
}
