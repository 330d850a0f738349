package openapi

// Document is an OpenAPI 3.1 document, reduced to what the generator
// writes. It marshals with encoding/json.
type Document struct {
	OpenAPI    string               `json:"openapi"`
	Info       Info                 `json:"info"`
	Servers    []Server             `json:"servers,omitempty"`
	Tags       []Tag                `json:"tags,omitempty"`
	Paths      map[string]*PathItem `json:"paths"`
	Components Components           `json:"components"`
}

// Info is the document's info object.
type Info struct {
	Title       string `json:"title"`
	Version     string `json:"version"`
	Description string `json:"description,omitempty"`
}

// Server is one server URL.
type Server struct {
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
}

// Tag names a group of operations.
type Tag struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// PathItem holds a path's operations, one per method.
type PathItem struct {
	Get     *Operation `json:"get,omitempty"`
	Put     *Operation `json:"put,omitempty"`
	Post    *Operation `json:"post,omitempty"`
	Delete  *Operation `json:"delete,omitempty"`
	Options *Operation `json:"options,omitempty"`
	Head    *Operation `json:"head,omitempty"`
	Patch   *Operation `json:"patch,omitempty"`
	Trace   *Operation `json:"trace,omitempty"`
}

// set stores op under method, reporting false for a method OpenAPI has no
// field for (CONNECT, extension methods).
func (p *PathItem) set(method string, op *Operation) bool {
	slot := map[string]**Operation{
		"GET": &p.Get, "PUT": &p.Put, "POST": &p.Post, "DELETE": &p.Delete,
		"OPTIONS": &p.Options, "HEAD": &p.Head, "PATCH": &p.Patch, "TRACE": &p.Trace,
	}[method]
	if slot == nil {
		return false
	}
	*slot = op
	return true
}

// Operation is one method on one path.
type Operation struct {
	OperationID string                `json:"operationId,omitempty"`
	Summary     string                `json:"summary,omitempty"`
	Description string                `json:"description,omitempty"`
	Tags        []string              `json:"tags,omitempty"`
	Deprecated  bool                  `json:"deprecated,omitempty"`
	Parameters  []*Parameter          `json:"parameters,omitempty"`
	RequestBody *RequestBody          `json:"requestBody,omitempty"`
	Responses   map[string]*Response  `json:"responses"`
	Security    []map[string][]string `json:"security,omitempty"`

	// The x-portico extensions: what the generator derived from the
	// route's chain, for tools and readers.

	// Login is "always", "per-request" or "never": whether the login
	// interceptor demands a bearer token, as decided for the route at
	// startup; empty when no login interceptor runs on the route.
	Login string `json:"x-portico-login,omitempty"`
	// LoginCondition is the path condition checked per request.
	LoginCondition string `json:"x-portico-login-condition,omitempty"`
	// Roles and Permissions are the route's required roles and
	// permissions.
	Roles       *Requirement `json:"x-portico-roles,omitempty"`
	Permissions *Requirement `json:"x-portico-permissions,omitempty"`
	// Interceptors lists the route's chain by name; a name ending in "?"
	// runs only for some of the route's paths.
	Interceptors []string `json:"x-portico-interceptors,omitempty"`
}

// Requirement is a set of roles or permissions and whether all or any of
// them are needed.
type Requirement struct {
	Mode   string   `json:"mode"`
	Values []string `json:"values"`
}

// Parameter is a path, query or header parameter.
type Parameter struct {
	Name        string  `json:"name"`
	In          string  `json:"in"`
	Description string  `json:"description,omitempty"`
	Required    bool    `json:"required,omitempty"`
	Schema      *Schema `json:"schema"`
	// CatchAll marks a final {*name} variable, whose value may contain
	// '/' (x-portico-catch-all).
	CatchAll bool `json:"x-portico-catch-all,omitempty"`
}

// RequestBody is an operation's request body.
type RequestBody struct {
	Description string                `json:"description,omitempty"`
	Required    bool                  `json:"required,omitempty"`
	Content     map[string]*MediaType `json:"content"`
}

// Response is one response; Ref points to a shared one instead.
type Response struct {
	Ref         string                `json:"$ref,omitempty"`
	Description string                `json:"description,omitempty"`
	Content     map[string]*MediaType `json:"content,omitempty"`
}

// MediaType is the schema of one content type.
type MediaType struct {
	Schema *Schema `json:"schema,omitempty"`
}

// Components holds the reusable schemas, responses and security schemes.
type Components struct {
	Schemas         map[string]*Schema         `json:"schemas,omitempty"`
	Responses       map[string]*Response       `json:"responses,omitempty"`
	SecuritySchemes map[string]*SecurityScheme `json:"securitySchemes,omitempty"`
}

// SecurityScheme describes how requests authenticate.
type SecurityScheme struct {
	Type         string `json:"type"`
	Scheme       string `json:"scheme,omitempty"`
	BearerFormat string `json:"bearerFormat,omitempty"`
	Description  string `json:"description,omitempty"`
}
