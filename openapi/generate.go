package openapi

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/handler"
	"github.com/portico-go/portico/interceptor/login"
	"github.com/portico-go/portico/registry"
)

// Config describes the document's info and where it is served.
type Config struct {
	// Title and Version fill the info object ("API" and "0.0.0" when
	// empty).
	Title       string
	Version     string
	Description string
	Servers     []Server
	// Path is where the JSON document is served, default /v3/api-docs;
	// the YAML form is served at Path + ".yaml".
	Path string
	// Exclude leaves out the routes whose template matches one of these
	// Spring path patterns (springdoc's paths-to-exclude), such as
	// operations endpoints that are not part of the API: "/health/**".
	Exclude []string
}

// Gap is a route the generator could not describe completely, with why.
type Gap struct {
	Method, Path string
	Reasons      []string
}

func (g Gap) String() string {
	return g.Method + " " + g.Path + " (" + strings.Join(g.Reasons, "; ") + ")"
}

// BearerScheme is the name of the bearer JWT security scheme.
const BearerScheme = "bearer"

// generator holds the state of one Generate call.
type generator struct {
	r         *reflector
	errShape  errorShape
	responses map[string]*Response
	usesLogin bool
}

// Generate builds the OpenAPI 3.1 document for d's routes (building d if
// needed) and lists the routes it could not describe completely.
func Generate(d *dispatcher.Dispatcher, cfg Config) (*Document, []Gap, error) {
	routes, err := d.RouteDetails()
	if err != nil {
		return nil, nil, fmt.Errorf("openapi: %w", err)
	}
	exclude := make([]*registry.Pattern, 0, len(cfg.Exclude))
	for _, e := range cfg.Exclude {
		p, err := registry.ParsePattern(e)
		if err != nil {
			return nil, nil, fmt.Errorf("openapi: Config.Exclude: %w", err)
		}
		exclude = append(exclude, p)
	}
	g := &generator{r: newReflector(), responses: map[string]*Response{}}
	var gaps []Gap
	var globalGap string
	g.errShape, globalGap = shapeOf(d.ErrorRenderer())

	doc := &Document{
		OpenAPI: "3.1.0",
		Info:    Info{Title: cmp(cfg.Title, "API"), Version: cmp(cfg.Version, "0.0.0"), Description: cfg.Description},
		Servers: cfg.Servers,
		Paths:   map[string]*PathItem{},
	}
	tagSet := map[string]bool{}
	ids := map[string]int{}
	for _, rd := range routes {
		meta := readMeta(rd.Route)
		if meta.hidden || slices.ContainsFunc(exclude, func(p *registry.Pattern) bool { return p.Match(rd.Route.Path) }) {
			continue
		}
		op, reasons := g.operation(rd, meta)
		if n := ids[op.OperationID]; n > 0 {
			// Two routes share a handler name: ids must be unique.
			ids[op.OperationID]++
			op.OperationID = fmt.Sprintf("%s_%d", op.OperationID, n+1)
		} else {
			ids[op.OperationID] = 1
		}
		path := openAPIPath(rd.Route.Path)
		item := doc.Paths[path]
		if item == nil {
			item = &PathItem{}
			doc.Paths[path] = item
		}
		if !item.set(rd.Route.Method, op) {
			reasons = append(reasons, "method "+rd.Route.Method+" has no place in OpenAPI; left out")
		}
		for _, t := range op.Tags {
			tagSet[t] = true
		}
		if globalGap != "" {
			reasons = append(reasons, globalGap)
		}
		if len(reasons) > 0 {
			gaps = append(gaps, Gap{Method: rd.Route.Method, Path: rd.Route.Path, Reasons: reasons})
		}
	}
	for t := range tagSet {
		doc.Tags = append(doc.Tags, Tag{Name: t})
	}
	sort.Slice(doc.Tags, func(i, j int) bool { return doc.Tags[i].Name < doc.Tags[j].Name })
	doc.Components.Schemas = g.r.finish()
	for k, v := range g.errShape.schemas {
		doc.Components.Schemas[k] = v
	}
	doc.Components.Responses = g.responses
	if g.usesLogin {
		doc.Components.SecuritySchemes = map[string]*SecurityScheme{BearerScheme: {
			Type: "http", Scheme: "bearer", BearerFormat: "JWT",
			Description: "Access token from the login endpoint, sent as Authorization: Bearer <token>.",
		}}
	}
	return doc, gaps, nil
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// openAPIPath turns a catch-all {*name} into {name}; other templates are
// already OpenAPI's.
func openAPIPath(p string) string { return strings.Replace(p, "{*", "{", 1) }

// templateParams lists the route template's variables; catchAll is the
// name of a final {*name}, if any.
func templateParams(p string) (names []string, catchAll string) {
	for _, seg := range strings.Split(p, "/") {
		if strings.HasPrefix(seg, "{*") && strings.HasSuffix(seg, "}") {
			catchAll = seg[2 : len(seg)-1]
			names = append(names, catchAll)
		} else if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			names = append(names, seg[1:len(seg)-1])
		}
	}
	return names, catchAll
}

// typedHandler is what typed handlers (handler.TypedFunc) expose.
type typedHandler interface {
	InputType() reflect.Type
	OutputType() reflect.Type
}

var (
	responseType      = reflect.TypeFor[*handler.Response]()
	modelAndViewType  = reflect.TypeFor[*handler.ModelAndView]()
	emptyType         = reflect.TypeFor[handler.Empty]()
	requestReaderType = reflect.TypeFor[handler.RequestReader]()
)

func (g *generator) operation(rd dispatcher.RouteDetail, meta opMeta) (*Operation, []string) {
	rt := rd.Route
	var reasons []string
	note := func(s string) {
		if !slices.Contains(reasons, s) {
			reasons = append(reasons, s)
		}
	}
	op := &Operation{
		OperationID: cmp(meta.operationID, operationIDOf(rt)),
		Summary:     meta.summary,
		Description: meta.description,
		Tags:        meta.tags,
		Deprecated:  meta.deprecated,
		Responses:   map[string]*Response{},
	}
	if len(op.Tags) == 0 {
		if t := pathTag(rt.Path); t != "" {
			op.Tags = []string{t}
		}
	}

	// Parameters: the template's first, as strings, then refined by the
	// typed input's tags or the route options.
	names, catchAll := templateParams(rt.Path)
	params := map[string]*Parameter{}
	var order []string
	add := func(p *Parameter) {
		k := p.In + ":" + strings.ToLower(p.Name)
		if _, ok := params[k]; !ok {
			order = append(order, k)
		}
		params[k] = p
	}
	for _, n := range names {
		p := &Parameter{Name: n, In: "path", Required: true, Schema: &Schema{Type: "string", MinLength: ptr(1)}}
		if n == catchAll {
			p.Description = "the rest of the path; may contain '/'"
			p.Schema = &Schema{Type: "string"}
			p.CatchAll = true
		}
		add(p)
	}

	typed, isTyped := rt.Handler.(typedHandler)
	var in, out reflect.Type
	bodyRead := false
	if isTyped {
		in, out = typed.InputType(), typed.OutputType()
		if reflect.PointerTo(in).Implements(requestReaderType) && meta.readsRequest == "" {
			note("input implements handler.RequestReader: what FromRequest reads is not described")
		}
		for _, p := range g.inputParams(in, note) {
			if p.In == "path" && !slices.Contains(names, p.Name) {
				note(fmt.Sprintf("input field for path variable %q, which the template does not have", p.Name))
				continue
			}
			if p.In == "path" {
				p.Required = true
				if p.Name == catchAll {
					p.Description = cmp(p.Description, "the rest of the path; may contain '/'")
				}
			}
			add(p)
		}
		if canHaveBody(rt.Method) {
			if rb := g.inputBody(in, note); rb != nil {
				op.RequestBody = rb
				bodyRead = true
			}
		}
	}
	for _, p := range meta.params {
		add(&Parameter{Name: p.name, In: p.in, Description: p.description, Required: p.required || p.in == "path",
			Schema: g.r.schema(p.t, input, note)})
	}
	for _, k := range order {
		op.Parameters = append(op.Parameters, params[k])
	}
	if meta.body != nil {
		op.RequestBody = g.optionBody(*meta.body, note)
		bodyRead = true
	}

	// Success responses.
	described := false
	for _, r := range meta.responses {
		resp := &Response{Description: cmp(r.description, http.StatusText(r.status))}
		if r.isError {
			resp.Content = map[string]*MediaType{g.errShape.contentType: {Schema: &Schema{Ref: "#/components/schemas/" + g.errShape.name}}}
		} else if r.contentType != "" {
			mt := &MediaType{}
			if r.t != nil {
				mt.Schema = g.r.schema(r.t, output, note)
			}
			resp.Content = map[string]*MediaType{r.contentType: mt}
		}
		op.Responses[statusKey(r.status)] = resp
		described = described || r.status < 400
	}
	switch {
	case described:
	case isTyped && out != responseType && out != modelAndViewType:
		op.Responses[statusKey(http.StatusOK)] = &Response{
			Description: "OK",
			Content:     map[string]*MediaType{"application/json": {Schema: g.r.schema(out, output, note)}},
		}
	case isTyped:
		note(fmt.Sprintf("handler returns %v; document its responses with openapi.Returns", out))
	default:
		note("handler has no types; document its responses with openapi.Returns or openapi.ReturnsContent")
	}
	if !isTyped && canHaveBody(rt.Method) && !meta.describesBody {
		note("handler has no types; a request body, if it reads one, is not documented (openapi.Body, or openapi.NoBody)")
	}

	// Framework responses.
	if isTyped && in != emptyType {
		g.errorResponse(op, http.StatusBadRequest, "BadRequest", "the input does not bind or validate; errors lists each field", nil)
	}
	if bodyRead {
		g.errorResponse(op, http.StatusRequestEntityTooLarge, "PayloadTooLarge", "the body exceeds the binder's limit", nil)
		g.errorResponse(op, http.StatusUnsupportedMediaType, "UnsupportedMediaType", "the body is not JSON (or an expected form)", nil)
	}
	if len(names) > 0 {
		g.errorResponse(op, http.StatusNotFound, "NotFound", "nothing exists for these path variables", nil)
	}
	g.security(op, rd, note)
	g.errorResponse(op, http.StatusInternalServerError, "InternalError", "an unexpected error; details are only logged", nil)
	g.errorResponse(op, 0, "Error", "any other error the handler answers, in the error shape", nil)

	chain := make([]string, 0, len(rd.Chain))
	for _, l := range rd.Chain {
		n := l.Name
		if l.Cond != nil {
			n += "?"
		}
		chain = append(chain, n)
	}
	if len(chain) > 0 {
		op.Interceptors = chain
	}
	return op, reasons
}

// operationIDOf is the route's name without its package path
// ("main.(*BookController).Get" becomes "BookController.Get"), or, for a
// function literal, which has no name worth showing, the method and path
// ("GET /books/{id}" becomes "getBooksById").
func operationIDOf(rt *handler.Route) string {
	name := rt.Name[strings.LastIndex(rt.Name, "/")+1:]
	if i := strings.LastIndex(name, ".func"); i < 0 || strings.Trim(name[i+5:], "0123456789.") != "" {
		if _, rest, ok := strings.Cut(name, "."); ok {
			name = rest
		}
		return sanitize(strings.NewReplacer("(*", "", ")", "", "(", ".").Replace(name))
	}
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.Method))
	for _, seg := range strings.Split(rt.Path, "/") {
		if strings.HasPrefix(seg, "{") {
			b.WriteString("By")
			seg = strings.Trim(seg, "{*}")
		}
		for _, w := range strings.FieldsFunc(seg, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return sanitize(b.String())
}

// pathTag is the tag of a route without Tags: its first literal segment,
// which is the group prefix in most applications.
func pathTag(p string) string {
	for _, seg := range strings.Split(p, "/") {
		if seg != "" && !strings.HasPrefix(seg, "{") {
			return seg
		}
	}
	return ""
}

// canHaveBody mirrors the binder: it reads a body for every method but
// these.
func canHaveBody(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodConnect:
		return false
	}
	return true
}

// security derives the operation's security and its 401/403/503
// responses from the login interceptors in the route's chain.
func (g *generator) security(op *Operation, rd dispatcher.RouteDetail, note func(string)) {
	need := login.NeverNeeded
	var req login.Requirement
	var conds []string
	found := false
	for _, l := range rd.Chain {
		li, ok := l.Interceptor.(*login.Interceptor)
		if !ok {
			continue
		}
		found = true
		r := li.Requirement(rd.Route)
		if r.Ignored {
			// Ignore beats all, as at run time.
			req = r
			need = login.NeverNeeded
			break
		}
		n := r.Login
		if l.Cond != nil && n == login.AlwaysNeeded {
			n = login.NeededPerRequest
			conds = append(conds, fmt.Sprint(l.Cond))
		}
		if rank(n) > rank(need) {
			need = n
		}
		req.Roles = append(req.Roles, r.Roles...)
		req.RolesMode = r.RolesMode
		req.Permissions = append(req.Permissions, r.Permissions...)
		req.PermissionsMode = r.PermissionsMode
		req.Rules += r.Rules
	}
	if !found {
		return
	}
	var lines []string
	switch need {
	case login.NeverNeeded:
		op.Login = "never"
		if req.Ignored {
			op.Description = strings.TrimSpace(op.Description + "\n\nPublic: the route carries login.Ignore.")
		}
		return
	case login.AlwaysNeeded:
		g.usesLogin = true
		op.Login = "always"
		op.Security = []map[string][]string{{BearerScheme: {}}}
		lines = append(lines, "Requires a bearer token.")
	case login.NeededPerRequest:
		g.usesLogin = true
		op.Login = "per-request"
		op.Security = []map[string][]string{{BearerScheme: {}}, {}}
		if len(conds) > 0 {
			op.LoginCondition = strings.Join(conds, " or ")
		}
		lines = append(lines, "A bearer token is required for some of this route's paths only, decided per request"+
			condText(conds)+".")
	}
	if len(req.Roles) > 0 {
		op.Roles = &Requirement{Mode: req.RolesMode.String(), Values: req.Roles}
		lines = append(lines, fmt.Sprintf("Requires %s of the roles: %s.", req.RolesMode, strings.Join(req.Roles, ", ")))
	}
	if len(req.Permissions) > 0 {
		op.Permissions = &Requirement{Mode: req.PermissionsMode.String(), Values: req.Permissions}
		lines = append(lines, fmt.Sprintf("Requires %s of the permissions: %s.", req.PermissionsMode, strings.Join(req.Permissions, ", ")))
	}
	if req.Rules > 0 {
		lines = append(lines, "Path rules of the login interceptor check the user too; they may refuse with 403.")
		note("login interceptor path rules run code the document cannot describe (403 documented)")
	}
	op.Description = strings.TrimSpace(op.Description + "\n\n" + strings.Join(lines, " "))
	g.errorResponse(op, http.StatusUnauthorized, "Unauthorized", "no valid bearer token", authReasons)
	if len(req.Roles) > 0 || len(req.Permissions) > 0 || req.Rules > 0 {
		g.errorResponse(op, http.StatusForbidden, "Forbidden", "the user lacks a required role or permission", []string{"forbidden"})
	}
	g.errorResponse(op, http.StatusServiceUnavailable, "StoreUnavailable", "the session store cannot answer; never treated as valid", []string{"store_unavailable"})
}

// rank orders needs by strength when several login interceptors run: one
// that always demands a token wins over one that sometimes does.
func rank(n login.Need) int {
	switch n {
	case login.AlwaysNeeded:
		return 2
	case login.NeededPerRequest:
		return 1
	}
	return 0
}

func condText(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " (" + strings.Join(conds, " or ") + ")"
}

// authReasons are the reasons a 401 from the login interceptor carries.
var authReasons = []string{"missing_token", "invalid_token", "expired", "revoked", "replaced", "kicked_out"}
