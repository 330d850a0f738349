package dispatcher

import (
	"net/http"
	"runtime/debug"

	"github.com/portico-go/portico/handler"
)

// callResolver runs one exception resolver with its panics contained. A
// resolver runs outside the chain's recover, so a panic there used to reach
// net/http: the connection dropped without an answer and AfterCompletion
// never ran. A panicking resolver is logged and counts as declining, so
// the next resolver or the defaults (a 500 for an unknown error) answer.
// rt is nil for a request no route maps (404, 405).
func (d *Dispatcher) callResolver(x ExceptionResolver, r *http.Request, rt *route, err error) (out *handler.Result) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			d.logError(r, rt, &handler.PanicError{Value: v, Stack: debug.Stack()}, "panic in an exception resolver")
			out = nil
		}
	}()
	var info *handler.Route
	if rt != nil {
		info = &rt.info
	}
	return x.ResolveException(r, info, err)
}
