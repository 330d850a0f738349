package requestid

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"net/http"

	"go.uber.org/fx"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/handler"
)

// Header is the header the id is read from and echoed in.
const Header = "X-Request-ID"

// canonical is Header as net/http stores it; indexing the map with it
// skips a canonicalisation (and its allocation) per request.
const canonical = "X-Request-Id"

// MaxLen bounds an accepted id, so a client cannot push large values into
// every log line.
const MaxLen = 64

// Valid reports whether id is acceptable from a client: 1 to MaxLen bytes
// of letters, digits, '.', '_' and '-'. That admits UUIDs, ULIDs and the
// ids common proxies generate, and rules out anything that could forge a
// log line or a header.
func Valid(id string) bool {
	if id == "" || len(id) > MaxLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// New returns a fresh id: 128 random bits in hex. They come from
// math/rand/v2's runtime generator (ChaCha8 seeded by the OS, one per
// thread, no lock): unpredictable enough for an id, which is no secret,
// at a fraction of a getrandom system call's cost.
func New() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	var out [32]byte
	hex.Encode(out[:], b[:])
	return string(out[:])
}

// Wrap returns next behind the request-id filter: the request's context
// carries the id (see handler.RequestID) and the response echoes it.
func Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var id string
		if vs := r.Header[canonical]; len(vs) > 0 {
			id = vs[0]
		}
		if !Valid(id) {
			id = New()
		}
		w.Header()[canonical] = []string{id}
		r2 := r.WithContext(handler.WithRequestID(r.Context(), id))
		next.ServeHTTP(w, r2)
		// Filters outside this one read the matched route from the
		// request they passed in; the dispatcher wrote it on the copy.
		r.Pattern = r2.Pattern
	})
}

// Filter returns the filter for portico.AsFilter, at portico.OrderRequestID
// so every later filter can log and trace the id.
func Filter() portico.Filter {
	return portico.Filter{Name: "requestid", Order: portico.OrderRequestID, Wrap: Wrap}
}

// Module installs the filter in a portico.Module application.
var Module = fx.Module("portico.requestid", fx.Provide(portico.AsFilter(Filter)))
