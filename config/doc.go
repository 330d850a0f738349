// Package config fills portico.Config and the auth settings from
// command-line flags and environment variables, so applications stop
// writing their own parsers.
//
//	fs := flag.NewFlagSet("bookstore", flag.ContinueOnError)
//	l := config.NewLoader(fs, "APP")
//	srv := l.Server(portico.Config{})     // -addr, -read-timeout, ... / APP_ADDR, APP_READ_TIMEOUT, ...
//	sec := l.Auth(config.Auth{})          // -access-ttl, ... / APP_ACCESS_TTL, ..., APP_JWT_SECRET
//	db := fs.String("db", "app.db", "database file") // the app's own flags get APP_DB too
//	if err := l.Parse(os.Args[1:], os.Getenv); err != nil { ... }
//	m, err := auth.New(sec.Config("key-1"))
//
// Every setting is a flag of the flag.FlagSet; a flag not given on the
// command line is read from the environment variable named PREFIX_ and the
// flag's name upper-cased with "-" as "_" (-access-ttl is APP_ACCESS_TTL),
// unless Env renames it. Flags win over the environment, the environment
// over the defaults. Each flag's usage line names its variable.
//
// Every bad value is reported, all at once, each naming the variable or
// flag to fix: "APP_ACCESS_TTL: "15 minutes" is not a Go duration such as
// 15m or 1h30m". Secrets are read from the environment only (a command
// line is visible to every user of the machine) and never echoed.
//
// Why not a library: the parsing is the standard library's flag package;
// what this package adds is the environment fallback (the part
// peterbourgon/ff does) and the checks between the auth settings, about a
// few hundred lines with comments. caarlos0/env would read the environment but not flags,
// and would need its struct tags on portico.Config and auth.Config, which
// stay plain.
package config
