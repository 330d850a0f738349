package openapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

type tagged struct {
	Name     string            `json:"name" validate:"required,max=10"`
	Nick     string            `json:"nick,omitempty" validate:"omitempty,min=3"`
	Age      *int              `json:"age" validate:"omitempty,gte=0,lte=150"`
	Email    string            `json:"email" validate:"email"`
	Site     string            `json:"site" validate:"url"`
	ID       string            `json:"id" validate:"uuid"`
	Kind     string            `json:"kind" validate:"oneof=a b 'c d'"`
	Level    int               `json:"level" validate:"oneof=1 2 3"`
	Code     string            `json:"code" validate:"len=4,alphanum"`
	Ratio    float64           `json:"ratio" validate:"gt=0,lt=1"`
	Tags     []string          `json:"tags" validate:"min=1,dive,startswith=t"`
	Scores   map[string]uint8  `json:"scores"`
	When     time.Time         `json:"when"`
	Skip     string            `json:"-"`
	hidden   string            //nolint:unused // proves unexported fields are left out
	Raw      []byte            `json:"raw"`
	Count    int64             `json:"count,string"`
	Plain    string            // no tag: the Go name
	Either   string            `json:"either" validate:"email|url"`
	Fixed    [2]int            `json:"fixed"`
	Anything any               `json:"anything"`
	Labels   map[string]string `json:"labels" validate:"dive,keys,min=2,endkeys,max=5"`
}

type recursive struct {
	Value int        `json:"value"`
	Next  *recursive `json:"next,omitempty"`
	Kids  []recursive
}

type Base struct {
	ID      int64  `json:"id"`
	Shadow  string `json:"shadow"`
	Comment string `json:"comment,omitempty"`
}

type Extra struct {
	Note string `json:"note"`
}

type embedding struct {
	Base
	*Extra
	Shadow string `json:"shadow" validate:"required"`
}

func schemaJSON(t *testing.T, typ reflect.Type, m mode) (string, map[string]*Schema, []string) {
	t.Helper()
	r := newReflector()
	var notes []string
	s := r.schema(typ, m, func(n string) { notes = append(notes, n) })
	comps := r.finish()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), comps, notes
}

func compJSON(t *testing.T, s *Schema) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSchemaOfTaggedStruct(t *testing.T) {
	ref, comps, notes := schemaJSON(t, reflect.TypeFor[tagged](), input)
	if ref != `{"$ref":"#/components/schemas/Tagged"}` {
		t.Fatalf("ref %s", ref)
	}
	props := comps["Tagged"].Properties
	want := map[string]string{
		"name":     `{"type":"string","minLength":1,"maxLength":10}`,
		"nick":     `{"type":"string","anyOf":[{"const":""},{"minLength":3}]}`,
		"age":      `{"type":["integer","null"],"format":"int64","minimum":0,"maximum":150}`,
		"email":    `{"type":"string","format":"email"}`,
		"site":     `{"type":"string","format":"uri"}`,
		"id":       `{"type":"string","format":"uuid"}`,
		"kind":     `{"type":"string","enum":["a","b","c d"]}`,
		"level":    `{"type":"integer","format":"int64","enum":[1,2,3]}`,
		"code":     `{"type":"string","minLength":4,"maxLength":4,"pattern":"^[a-zA-Z0-9]+$"}`,
		"ratio":    `{"type":"number","format":"double","exclusiveMinimum":0,"exclusiveMaximum":1}`,
		"tags":     `{"type":["array","null"],"items":{"type":"string","pattern":"^t"},"minItems":1}`,
		"scores":   `{"type":["object","null"],"additionalProperties":{"type":"integer","minimum":0}}`,
		"when":     `{"type":"string","format":"date-time"}`,
		"raw":      `{"type":"string","contentEncoding":"base64"}`,
		"count":    `{"type":"string"}`,
		"Plain":    `{"type":"string"}`,
		"either":   `{"type":"string"}`,
		"fixed":    `{"type":"array","items":{"type":"integer","format":"int64"},"minItems":2,"maxItems":2}`,
		"anything": `{}`,
		"labels":   `{"type":["object","null"],"propertyNames":{"minLength":2},"additionalProperties":{"type":"string","maxLength":5}}`,
	}
	for name, w := range want {
		if got := compJSON(t, props[name]); got != w {
			t.Errorf("%s:\n got %s\nwant %s", name, got, w)
		}
	}
	for name := range props {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected property %s", name)
		}
	}
	if got := strings.Join(comps["Tagged"].Required, ","); got != "name" {
		t.Errorf("input required = %s, want name (validate required only)", got)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], `"email|url"`) {
		t.Errorf("notes = %q, want one about the alternatives", notes)
	}
}

func TestRequiredFollowsTheSide(t *testing.T) {
	_, comps, _ := schemaJSON(t, reflect.TypeFor[tagged](), output)
	got := strings.Join(comps["Tagged"].Required, ",")
	want := "Plain,age,anything,code,count,either,email,fixed,id,kind,labels,level,name,ratio,raw,scores,site,tags,when"
	if got != want {
		t.Errorf("output required:\n got %s\nwant %s", got, want)
	}
}

func TestRecursiveTypesTerminate(t *testing.T) {
	ref, comps, _ := schemaJSON(t, reflect.TypeFor[recursive](), output)
	if ref != `{"$ref":"#/components/schemas/Recursive"}` || len(comps) != 1 {
		t.Fatalf("ref %s, comps %v", ref, comps)
	}
	want := `{"type":"object","properties":{"Kids":{"type":["array","null"],"items":{"$ref":"#/components/schemas/Recursive"}},` +
		`"next":{"anyOf":[{"$ref":"#/components/schemas/Recursive"},{"type":"null"}]},"value":{"type":"integer","format":"int64"}},"required":["Kids","value"]}`
	if got := compJSON(t, comps["Recursive"]); got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}

func TestEmbeddedStructsFlatten(t *testing.T) {
	_, comps, _ := schemaJSON(t, reflect.TypeFor[embedding](), output)
	want := `{"type":"object","properties":{"comment":{"type":"string"},"id":{"type":"integer","format":"int64"},` +
		`"note":{"type":"string"},"shadow":{"type":"string","minLength":1}},"required":["id","shadow"]}`
	if got := compJSON(t, comps["Embedding"]); got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}

func TestComponentsAreSharedOrSplitBySide(t *testing.T) {
	r := newReflector()
	noop := func(string) {}
	// Extra's fields have no omitempty and no validate: required in
	// responses only, so requests get their own component.
	r.schema(reflect.TypeFor[Extra](), output, noop)
	r.schema(reflect.TypeFor[Extra](), input, noop)
	// time.Time-only structs with omitempty read the same both ways.
	type Same struct {
		A string `json:"a,omitempty"`
	}
	r.schema(reflect.TypeFor[Same](), output, noop)
	r.schema(reflect.TypeFor[Same](), input, noop)
	comps := r.finish()
	names := make([]string, 0, len(comps))
	for n := range comps {
		names = append(names, n)
	}
	got := strings.Join(sortedStrings(names), ",")
	if got != "Extra,ExtraInput,Same" {
		t.Errorf("components %s, want Extra,ExtraInput,Same", got)
	}
}

func sortedStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

type sameName struct{ A int }

func TestGenericAndCollidingNames(t *testing.T) {
	type page[T any] struct {
		Items []T `json:"items"`
	}
	r := newReflector()
	noop := func(string) {}
	r.schema(reflect.TypeFor[page[sameName]](), output, noop)
	comps := r.finish()
	for n := range comps {
		if strings.ContainsAny(n, "[]/* ") {
			t.Errorf("component name %q is not a valid OpenAPI component key", n)
		}
	}
	if len(comps) != 2 {
		t.Errorf("components %v, want page and sameName", comps)
	}
}

func TestParseValidate(t *testing.T) {
	tests := []struct {
		tag      string
		required bool
		own      int
		dive     bool
		err      bool
	}{
		{"", false, 0, false, false},
		{"required", true, 0, false, false},
		{"required,min=1,max=3", true, 2, false, false},
		{"omitempty,dive,required", false, 0, true, false},
		{"dive,keys,min=1,endkeys,max=3", false, 0, true, false},
		{"keys,min=1", false, 0, false, true},
		{"min=1,,max=2", false, 1, false, true},
		{"startswith=a0x2Cb", false, 1, false, false},
	}
	for _, tt := range tests {
		rs, err := parseValidate(tt.tag)
		if (err != nil) != tt.err {
			t.Errorf("%q: err %v", tt.tag, err)
			continue
		}
		if tt.err {
			continue
		}
		if rs.required != tt.required || len(rs.own) != tt.own || (rs.diveRules != nil) != tt.dive {
			t.Errorf("%q: got %+v", tt.tag, rs)
		}
	}
	rs, _ := parseValidate("startswith=a0x2Cb")
	if rs.own[0].param != "a,b" {
		t.Errorf("escaped comma: %q", rs.own[0].param)
	}
}

func FuzzParseValidate(f *testing.F) {
	for _, s := range []string{"required,min=1,max=200", "omitempty,oneof=a 'b c'", "dive,keys,len=2,endkeys,email", "gt=0|lt=-1", "eq=x,startswith=0x2C"} {
		f.Add(s)
	}
	kinds := []reflect.Type{reflect.TypeFor[string](), reflect.TypeFor[int](), reflect.TypeFor[[]string](), reflect.TypeFor[map[string]int](), reflect.TypeFor[*float64]()}
	f.Fuzz(func(t *testing.T, tag string) {
		rs, err := parseValidate(tag)
		if err != nil {
			return
		}
		r := newReflector()
		for _, k := range kinds {
			s := r.schema(k, input, func(string) {})
			s = applyRules(s, k, rs, func(string) {})
			if _, err := json.Marshal(s); err != nil {
				t.Fatalf("%q on %v: %v", tag, k, err)
			}
		}
	})
}

type requiredPointers struct {
	N   *int   `json:"n" validate:"required"`
	Ref *Extra `json:"ref" validate:"required"`
	Opt *int   `json:"opt"`
}

func TestRequiredPointerIsNotNullInRequests(t *testing.T) {
	_, in, _ := schemaJSON(t, reflect.TypeFor[requiredPointers](), input)
	want := `{"type":"object","properties":{"n":{"type":"integer","format":"int64"},"opt":{"type":["integer","null"],"format":"int64"},` +
		`"ref":{"$ref":"#/components/schemas/Extra"}},"required":["n","ref"]}`
	if got := compJSON(t, in["RequiredPointers"]); got != want {
		t.Errorf("input:\n got %s\nwant %s", got, want)
	}
	_, out, _ := schemaJSON(t, reflect.TypeFor[requiredPointers](), output)
	if got := compJSON(t, out["RequiredPointers"].Properties["n"]); got != `{"type":["integer","null"],"format":"int64"}` {
		t.Errorf("output n: %s (responses are not validated: nil stays possible)", got)
	}
}

func TestCollidingNamesGetTheirPackage(t *testing.T) {
	type Extra struct {
		B int `json:"b"`
	}
	r := newReflector()
	noop := func(string) {}
	a := r.schema(reflect.TypeFor[Extra](), output, noop)
	r.schema(reflect.TypeFor[extraHolder](), output, noop)
	comps := r.finish()
	if len(comps) != 3 {
		t.Fatalf("components %v", comps)
	}
	inner := comps["ExtraHolder"].Properties["e"].Ref
	if a.Ref == inner || a.Ref == "" || inner == "" {
		t.Errorf("two Extra types share %q / %q", a.Ref, inner)
	}
}

type extraHolder struct {
	E Extra `json:"e"`
}
