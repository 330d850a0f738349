package registry_test

import (
	"fmt"

	"github.com/portico-go/portico/interceptor"
	"github.com/portico-go/portico/registry"
)

func ExampleParsePattern() {
	p, err := registry.ParsePattern("/book/**")
	if err != nil {
		panic(err)
	}
	for _, path := range []string{"/book", "/book/addBook", "/book/addBook/2", "/bookshelf", "/user/login"} {
		fmt.Println(path, p.Match(path))
	}

	_, err = registry.ParsePattern("/book/{id")
	fmt.Println(err)
	// Output:
	// /book true
	// /book/addBook true
	// /book/addBook/2 true
	// /bookshelf false
	// /user/login false
	// pattern "/book/{id": unclosed '{' at offset 6
}

func ExamplePattern_MatchVars() {
	p, _ := registry.ParsePattern(`/book/{id:\d+}/{*rest}`)
	vars, ok := p.MatchVars("/book/42/chapters/3")
	fmt.Println(ok, vars["id"], vars["rest"])

	_, ok = p.MatchVars("/book/abc/chapters")
	fmt.Println(ok)
	// Output:
	// true 42 /chapters/3
	// false
}

func ExamplePattern_Decide() {
	p, _ := registry.ParsePattern("/api/admin/**")
	for _, route := range []string{"/api/admin/{id}", "/api/administrator/{id}", "/api/{section}/{id}"} {
		d, _ := p.Decide(route)
		fmt.Println(route, d)
	}
	// Output:
	// /api/admin/{id} ALL
	// /api/administrator/{id} NONE
	// /api/{section}/{id} SOME
}

func ExampleRegistry_AddInterceptor() {
	r := registry.New()
	r.AddInterceptor(interceptor.Funcs{}).Name("login").
		AddPathPatterns("/**").
		ExcludePathPatterns("/user/login", "/static/**")
	if err := r.Err(); err != nil {
		panic(err)
	}

	for _, route := range []string{"/user/login", "/static/{*path}", "/book/{id}", "/user/{name}"} {
		chain, _ := r.Chain("GET", route)
		fmt.Printf("%s:", route)
		for _, e := range chain {
			if e.Cond == nil {
				fmt.Printf(" %s (always)", e.Name)
			} else {
				fmt.Printf(" %s (if %s)", e.Name, e.Cond)
			}
		}
		fmt.Println()
	}
	// Output:
	// /user/login:
	// /static/{*path}:
	// /book/{id}: login (always)
	// /user/{name}: login (if exclude /user/login)
}

func ExampleRegistry_Unmatched() {
	r := registry.New()
	r.AddInterceptor(interceptor.Funcs{}).Name("login").
		AddPathPatterns("/**").
		ExcludePathPatterns("/user/logon")
	for _, w := range r.Unmatched([]registry.RouteRef{{Method: "POST", Template: "/user/login"}}) {
		fmt.Println(w)
	}
	// Output:
	// registry: registration 1 (login): exclude pattern "/user/logon" matches no route
}
