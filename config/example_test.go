package config_test

import (
	"flag"
	"fmt"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/config"
)

func ExampleLoader() {
	fs := flag.NewFlagSet("bookstore", flag.ContinueOnError)
	l := config.NewLoader(fs, "APP")
	srv := l.Server(portico.Config{})
	sec := l.Auth(config.Auth{})
	db := fs.String("db", "app.db", "database file") // read from APP_DB too

	env := map[string]string{"APP_READ_TIMEOUT": "5s", "APP_DB": "/var/lib/app.db", "APP_ACCESS_TTL": "10m"}
	err := l.Parse([]string{"-addr", ":9000"}, func(k string) string { return env[k] })
	fmt.Println(err, srv.Addr, srv.ReadTimeout, *db, sec.AccessTTL)
	// Output: <nil> :9000 5s /var/lib/app.db 10m0s
}

// Every bad value is reported, naming the variable or flag.
func ExampleLoader_errors() {
	fs := flag.NewFlagSet("bookstore", flag.ContinueOnError)
	l := config.NewLoader(fs, "APP")
	l.Auth(config.Auth{})
	env := map[string]string{"APP_ACCESS_TTL": "soon", "APP_MAX_SESSIONS": "-1"}
	fmt.Println(l.Parse(nil, func(k string) string { return env[k] }))
	// Output:
	// APP_ACCESS_TTL: "soon": not a Go duration such as 15m or 1h30m
	// APP_MAX_SESSIONS: "-1": not a non-negative whole number
}
