package porticotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/theory/jsonpath"

	"github.com/portico-go/portico/handler"
)

// Response is what the application answered, with MockMvc-style
// expectations. Each expectation reports a failure with t.Errorf (so one
// test sees every mismatch), printing the request, the response and the
// route's chain, and returns the Response for chaining.
type Response struct {
	// Code is the status.
	Code int
	// Header is the response's header.
	Header http.Header
	// Body is the response's body.
	Body []byte

	t       testing.TB
	k       *Kit
	req     *http.Request
	reqBody []byte
	result  *handler.Result
	parsed  any
	perr    error
	didJSON bool
}

// Result returns the handler's result as the dispatcher rendered it, for a
// request answered with a ModelAndView; nil otherwise.
func (r *Response) Result() *handler.Result { return r.result }

func (r *Response) fail(format string, args ...any) {
	r.t.Helper()
	r.t.Errorf("porticotest: %s\n%s", fmt.Sprintf(format, args...), r.Print())
}

// Status expects the status code.
func (r *Response) Status(code int) *Response {
	r.t.Helper()
	if r.Code != code {
		r.fail("status %d, want %d", r.Code, code)
	}
	return r
}

// HasHeader expects the header key to have the value want (its first
// value).
func (r *Response) HasHeader(key, want string) *Response {
	r.t.Helper()
	if vs, ok := r.Header[http.CanonicalHeaderKey(key)]; !ok || len(vs) == 0 || vs[0] != want {
		r.fail("header %s = %q, want %q", key, r.Header.Get(key), want)
	}
	return r
}

// HeaderContains expects the header key to be present with s in one of
// its values: for list-valued headers such as Access-Control-Allow-Methods
// or Vary, whose order and spacing are not part of the contract.
func (r *Response) HeaderContains(key, s string) *Response {
	r.t.Helper()
	for _, v := range r.Header.Values(key) {
		if strings.Contains(v, s) {
			return r
		}
	}
	r.fail("header %s = %q, want it to contain %q", key, r.Header.Values(key), s)
	return r
}

// RedirectedTo expects a redirect (a 3xx status) to location, compared
// with the Location header as sent: MockMvc's redirectedUrl.
func (r *Response) RedirectedTo(location string) *Response {
	r.t.Helper()
	if got := r.Header.Get("Location"); r.Code < 300 || r.Code > 399 || got != location {
		r.fail("status %d, Location %q, want a redirect to %q", r.Code, got, location)
	}
	return r
}

// NoHeader expects the header key to be absent.
func (r *Response) NoHeader(key string) *Response {
	r.t.Helper()
	if v := r.Header.Values(key); len(v) > 0 {
		r.fail("header %s = %q, want none", key, v)
	}
	return r
}

// ContentType expects the Content-Type's media type (parameters such as
// charset ignored).
func (r *Response) ContentType(want string) *Response {
	r.t.Helper()
	got, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	if strings.TrimSpace(got) != want {
		r.fail("Content-Type %q, want %s", r.Header.Get("Content-Type"), want)
	}
	return r
}

// BodyContains expects the body to contain s.
func (r *Response) BodyContains(s string) *Response {
	r.t.Helper()
	if !strings.Contains(string(r.Body), s) {
		r.fail("body does not contain %q", s)
	}
	return r
}

func (r *Response) json() (any, error) {
	if !r.didJSON {
		r.didJSON = true
		r.perr = json.Unmarshal(r.Body, &r.parsed)
	}
	return r.parsed, r.perr
}

// selectPath runs an RFC 9535 JSONPath query on the body.
func (r *Response) selectPath(path string) (jsonpath.NodeList, error) {
	p, err := jsonpath.Parse(path)
	if err != nil {
		return nil, fmt.Errorf("bad JSONPath %q: %w", path, err)
	}
	doc, err := r.json()
	if err != nil {
		return nil, fmt.Errorf("body is not JSON: %w", err)
	}
	return p.Select(doc), nil
}

// normalize turns v into what encoding/json decodes its encoding as, so
// 7 compares equal to the JSON number 7 and a struct to its object.
func normalize(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	return out, json.Unmarshal(b, &out)
}

// JSON expects the JSONPath query path (RFC 9535, e.g. "$.data.title" or
// "$.errors[0].field") to select exactly one value, equal to want once
// both are seen as JSON; a query selecting several values is compared
// with want as a list.
func (r *Response) JSON(path string, want any) *Response {
	r.t.Helper()
	nodes, err := r.selectPath(path)
	if err != nil {
		r.fail("%v", err)
		return r
	}
	w, err := normalize(want)
	if err != nil {
		r.fail("JSON %s: cannot encode the expected value %#v: %v", path, want, err)
		return r
	}
	var got any
	switch len(nodes) {
	case 0:
		r.fail("JSON %s selects nothing, want %s", path, show(w))
		return r
	case 1:
		got = nodes[0]
	default:
		got = []any(nodes)
	}
	if !reflect.DeepEqual(got, w) {
		r.fail("JSON %s = %s, want %s", path, show(got), show(w))
	}
	return r
}

// JSONAbsent expects the JSONPath query path to select nothing.
func (r *Response) JSONAbsent(path string) *Response {
	r.t.Helper()
	nodes, err := r.selectPath(path)
	if err != nil {
		r.fail("%v", err)
	} else if len(nodes) > 0 {
		r.fail("JSON %s = %s, want nothing", path, show([]any(nodes)))
	}
	return r
}

// JSONExists expects the JSONPath query path to select something (a
// null included): jsonPath(...).exists().
func (r *Response) JSONExists(path string) *Response {
	r.t.Helper()
	nodes, err := r.selectPath(path)
	if err != nil {
		r.fail("%v", err)
	} else if len(nodes) == 0 {
		r.fail("JSON %s selects nothing, want it to exist", path)
	}
	return r
}

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

// errorBody is the part of the framework's error shape (JSONErrors and
// ProblemErrors alike) the kit reads.
type errorBody struct {
	Reason string               `json:"reason"`
	Errors []handler.FieldError `json:"errors"`
}

func (r *Response) errorBody() (errorBody, bool) {
	var e errorBody
	return e, json.Unmarshal(r.Body, &e) == nil
}

// Reason expects the framework's error body with the machine-readable
// reason (e.g. "missing_token", "forbidden").
func (r *Response) Reason(want string) *Response {
	r.t.Helper()
	e, ok := r.errorBody()
	if !ok || e.Reason != want {
		r.fail("error reason %q, want %q", e.Reason, want)
	}
	return r
}

// FieldError expects the error body to list a failure for field whose
// message contains msg (any message when msg is empty).
func (r *Response) FieldError(field, msg string) *Response {
	r.t.Helper()
	e, _ := r.errorBody()
	for _, f := range e.Errors {
		if f.Field == field && strings.Contains(f.Message, msg) {
			return r
		}
	}
	r.fail("no field error for %q containing %q; field errors: %v", field, msg, e.Errors)
	return r
}

// View expects the request to have been answered by rendering the view
// called name (a "redirect:..." name included).
func (r *Response) View(name string) *Response {
	r.t.Helper()
	switch {
	case r.result == nil || r.result.View == nil:
		r.fail("no ModelAndView was rendered, want view %q (a filter's ResponseWriter without Unwrap hides the kit's recorder)", name)
	case r.result.View.View != name:
		r.fail("view %q, want %q", r.result.View.View, name)
	}
	return r
}

// Model expects the rendered ModelAndView's model to hold want under key
// (compared with reflect.DeepEqual).
func (r *Response) Model(key string, want any) *Response {
	r.t.Helper()
	if r.result == nil || r.result.View == nil {
		r.fail("no ModelAndView was rendered, want model attribute %q", key)
		return r
	}
	got, ok := r.result.View.Model[key]
	switch {
	case !ok:
		r.fail("model has no attribute %q (has %v)", key, modelKeys(r.result.View.Model))
	case !reflect.DeepEqual(got, want):
		r.fail("model[%q] = %#v, want %#v", key, got, want)
	}
	return r
}

// ModelHas expects the model to hold an attribute called key, whatever
// its value.
func (r *Response) ModelHas(key string) *Response {
	r.t.Helper()
	if r.result == nil || r.result.View == nil {
		r.fail("no ModelAndView was rendered, want model attribute %q", key)
	} else if _, ok := r.result.View.Model[key]; !ok {
		r.fail("model has no attribute %q (has %v)", key, modelKeys(r.result.View.Model))
	}
	return r
}

func modelKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Decode decodes the JSON body into v; a body that does not decode fails
// the test at once.
func (r *Response) Decode(v any) *Response {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("porticotest: decoding the body into %T: %v\n%s", v, err, r.Print())
	}
	return r
}

// DecodeAt decodes the one value the JSONPath query path selects (such
// as "$.data" in an envelope) into v, failing the test at once otherwise.
func (r *Response) DecodeAt(path string, v any) *Response {
	r.t.Helper()
	nodes, err := r.selectPath(path)
	if err == nil && len(nodes) != 1 {
		err = fmt.Errorf("JSON %s selects %d values, want 1", path, len(nodes))
	}
	if err == nil {
		var b []byte
		if b, err = json.Marshal(nodes[0]); err == nil {
			err = json.Unmarshal(b, v)
		}
	}
	if err != nil {
		r.t.Fatalf("porticotest: decoding %s into %T: %v\n%s", path, v, err, r.Print())
	}
	return r
}

// maxPrinted bounds each body Print shows.
const maxPrinted = 4 << 10

// Print describes the exchange the way MockMvc's print() does: the
// request, the route and its interceptor chain, the view and model when
// one was rendered, and the response. Authorization values are redacted.
func (r *Response) Print() string {
	var b strings.Builder
	req := r.req
	fmt.Fprintf(&b, "--- request\n%s %s\n", req.Method, req.URL.RequestURI())
	printHeader(&b, req.Header)
	printBody(&b, r.reqBody)
	b.WriteString("--- handler\n")
	if r.k != nil && r.k.d != nil {
		if ri, ok := r.k.d.RouteFor(req.Method, req.URL.Path); ok {
			fmt.Fprintf(&b, "route:   %s %s\nhandler: %s\n", ri.Method, ri.Path, ri.Handler)
			chain := ri.ChainText()
			if chain == "" {
				chain = "(no interceptors)"
			}
			fmt.Fprintf(&b, "chain:   %s\n", chain)
		} else {
			b.WriteString("no route (404 / 405 / automatic OPTIONS: no interceptor ran)\n")
		}
	}
	if r.result != nil && r.result.View != nil {
		mv := r.result.View
		fmt.Fprintf(&b, "view:    %s (status %d)\n", mv.View, mv.Status)
		for _, k := range modelKeys(mv.Model) {
			fmt.Fprintf(&b, "model:   %s = %#v\n", k, mv.Model[k])
		}
	}
	fmt.Fprintf(&b, "--- response %d %s\n", r.Code, http.StatusText(r.Code))
	printHeader(&b, r.Header)
	printBody(&b, r.Body)
	return b.String()
}

func printHeader(b *strings.Builder, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			if k == "Authorization" {
				scheme, _, _ := strings.Cut(v, " ")
				v = scheme + " [redacted]"
			}
			fmt.Fprintf(b, "%s: %s\n", k, v)
		}
	}
}

func printBody(b *strings.Builder, body []byte) {
	if len(body) == 0 {
		return
	}
	b.WriteByte('\n')
	if len(body) > maxPrinted {
		fmt.Fprintf(b, "%s\n... (%d more bytes)\n", body[:maxPrinted], len(body)-maxPrinted)
		return
	}
	b.Write(body)
	if body[len(body)-1] != '\n' {
		b.WriteByte('\n')
	}
}
