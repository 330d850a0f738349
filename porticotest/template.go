package porticotest

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Expand fills a Spring-style path template with vars, in order:
// {name} takes one path segment, escaped with url.PathEscape (so a "/"
// inside becomes %2F and cannot change the path's structure); {*name}
// takes the rest of the path, each of its segments escaped the same way,
// with or without a leading "/". Values are formatted with fmt.Sprint.
// The template's literal text is escaped too, segment by segment, as
// Spring's UriComponentsBuilder.encode() does: write "/a b", not "/a%20b".
// The result is an escaped path, ready to be a request's RawPath.
func Expand(template string, vars ...any) (string, error) {
	var b strings.Builder
	n := 0
	rest := template
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			if strings.IndexByte(rest, '}') >= 0 {
				return "", fmt.Errorf("template %q: '}' without '{'", template)
			}
			b.WriteString(escapePath(rest))
			break
		}
		if strings.IndexByte(rest[:i], '}') >= 0 {
			return "", fmt.Errorf("template %q: '}' without '{'", template)
		}
		b.WriteString(escapePath(rest[:i]))
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("template %q: '{' without '}'", template)
		}
		name := rest[i+1 : i+j]
		rest = rest[i+j+1:]
		catchAll := strings.HasPrefix(name, "*")
		if strings.TrimPrefix(name, "*") == "" || strings.ContainsAny(name, "{/") {
			return "", fmt.Errorf("template %q: bad variable {%s}", template, name)
		}
		if n >= len(vars) {
			return "", fmt.Errorf("template %q: no value for {%s} (%d given)", template, name, len(vars))
		}
		v := fmt.Sprint(vars[n])
		n++
		if !catchAll {
			if v == "" {
				return "", fmt.Errorf("template %q: {%s} is empty", template, name)
			}
			b.WriteString(url.PathEscape(v))
			continue
		}
		if rest != "" {
			return "", fmt.Errorf("template %q: {%s} must end the template", template, name)
		}
		v = strings.TrimPrefix(v, "/")
		if v == "" {
			// {*path} matches the bare prefix, as in Spring.
			out := strings.TrimSuffix(b.String(), "/")
			b.Reset()
			b.WriteString(out)
			continue
		}
		if !strings.HasSuffix(b.String(), "/") {
			b.WriteByte('/')
		}
		b.WriteString(escapePath(v))
	}
	if n != len(vars) {
		return "", fmt.Errorf("template %q: %d variables, %d values", template, n, len(vars))
	}
	out := b.String()
	if !strings.HasPrefix(out, "/") {
		return "", errors.New("template " + fmt.Sprintf("%q", template) + ": a path starts with '/'")
	}
	return out, nil
}

// escapePath escapes each segment of a literal path part, keeping its
// slashes.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
