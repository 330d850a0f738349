package dispatcher

import (
	"fmt"
	"strings"
)

// template is a route path parsed at registration.
type template struct {
	spring string   // "/book/{id}", "/files/{*path}"
	router string   // "/book/:id", "/files/*path" for httprouter
	shape  string   // "/book/{}", "/files/{*}": equal shapes serve equal paths
	params []string // variable names in order
	segs   []string // router's segments: ["book", ":id"] for "/book/{id}"
	static int      // count of literal bytes, for specificity
	catch  bool
}

// parseTemplate accepts Spring's {id} and {*path} and httprouter's :id and
// *path, each as a whole segment.
func parseTemplate(p string) (*template, error) {
	if p == "" || p[0] != '/' {
		return nil, fmt.Errorf("path %q must start with '/'", p)
	}
	t := &template{}
	var spring, router, shape strings.Builder
	segs := strings.Split(p[1:], "/")
	seen := map[string]bool{}
	for i, seg := range segs {
		spring.WriteByte('/')
		router.WriteByte('/')
		shape.WriteByte('/')
		last := i == len(segs)-1
		name, catch, isVar, err := parseSegment(seg)
		if err != nil {
			return nil, fmt.Errorf("path %q, segment %d: %w", p, i+1, err)
		}
		if !isVar {
			if seg == "" && !last {
				return nil, fmt.Errorf("path %q has an empty segment ('//')", p)
			}
			if seg == "." || seg == ".." {
				return nil, fmt.Errorf("path %q has a %q segment", p, seg)
			}
			spring.WriteString(seg)
			router.WriteString(seg)
			shape.WriteString(seg)
			t.static += len(seg) + 1
			continue
		}
		if seen[name] {
			return nil, fmt.Errorf("path %q uses the variable %q twice", p, name)
		}
		seen[name] = true
		t.params = append(t.params, name)
		if catch {
			if !last {
				return nil, fmt.Errorf("path %q: catch-all {*%s} must be the last segment", p, name)
			}
			t.catch = true
			spring.WriteString("{*" + name + "}")
			router.WriteString("*" + name)
			shape.WriteString("{*}")
			continue
		}
		spring.WriteString("{" + name + "}")
		router.WriteString(":" + name)
		shape.WriteString("{}")
	}
	t.spring, t.router, t.shape = spring.String(), router.String(), shape.String()
	t.segs = strings.Split(t.router[1:], "/")
	return t, nil
}

func parseSegment(seg string) (name string, catch, isVar bool, err error) {
	switch {
	case strings.HasPrefix(seg, "{"):
		if !strings.HasSuffix(seg, "}") {
			return "", false, false, fmt.Errorf("%q: unclosed '{' or text after '}'", seg)
		}
		name = seg[1 : len(seg)-1]
		if strings.HasPrefix(name, "*") {
			name, catch = name[1:], true
		}
		if strings.Contains(name, ":") {
			return "", false, false, fmt.Errorf("%q: regex constraints are not supported in route paths (use them in interceptor patterns, or validate the bound value)", seg)
		}
	case strings.HasPrefix(seg, ":"):
		name = seg[1:]
	case strings.HasPrefix(seg, "*"):
		name, catch = seg[1:], true
	default:
		if strings.ContainsAny(seg, "{}:*") {
			return "", false, false, fmt.Errorf("%q: variables must take a whole segment", seg)
		}
		return "", false, false, nil
	}
	if !validName(name) {
		return "", false, false, fmt.Errorf("%q: variable name must be letters, digits or '_'", seg)
	}
	return name, catch, true, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// moreSpecific orders templates the way Spring's PathPattern comparator
// does in spirit: fewer catch-alls, then fewer variables, then more literal
// text wins.
func moreSpecific(a, b *template) bool {
	if a.catch != b.catch {
		return !a.catch
	}
	if len(a.params) != len(b.params) {
		return len(a.params) < len(b.params)
	}
	return a.static > b.static
}
