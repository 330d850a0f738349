package config_test

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/portico-go/portico"
	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/config"
)

type loaded struct {
	srv  *portico.Config
	auth *config.Auth
	db   *string
}

func load(args []string, env map[string]string) (loaded, error) {
	fs := flag.NewFlagSet("app", flag.ContinueOnError)
	fs.SetOutput(&bytes.Buffer{})
	l := config.NewLoader(fs, "APP")
	var r loaded
	r.srv = l.Server(portico.Config{})
	r.auth = l.Auth(config.Auth{})
	r.db = fs.String("db", "app.db", "database file")
	l.Env("redis-addr", "REDIS_ADDR")
	return r, l.Parse(args, func(k string) string { return env[k] })
}

func TestDefaults(t *testing.T) {
	r, err := load(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.srv.Addr != "127.0.0.1:8080" || r.srv.ReadTimeout != 0 || *r.db != "app.db" {
		t.Errorf("server %+v db %q", r.srv, *r.db)
	}
	a := r.auth
	if a.AccessTTL != auth.DefaultAccessTTL || a.IdleTimeout != auth.DefaultIdleTimeout || a.RefreshTTL != auth.DefaultRefreshTTL ||
		a.RenewBefore != auth.DefaultRenewBefore || !a.SecretGenerated || len(a.JWTSecret) < 32 {
		t.Errorf("auth %+v", a)
	}
	if _, err := auth.New(a.Config("k")); err != nil {
		t.Errorf("defaults do not make a Manager: %v", err)
	}
}

func TestSources(t *testing.T) {
	env := map[string]string{
		"APP_ADDR": "0.0.0.0:9000", "APP_READ_TIMEOUT": "5s", "APP_WRITE_TIMEOUT": "-1s", "APP_MAX_BODY_BYTES": "1024",
		"APP_HTTP_IDLE_TIMEOUT": "1m", "APP_IDLE_TIMEOUT": "2h",
		"APP_DB": "/tmp/x.db", "REDIS_ADDR": "localhost:6379", "APP_JWT_SECRET": strings.Repeat("s", 32),
		"APP_ACCESS_TTL": "10m", "APP_MAX_SESSIONS": "3", "APP_BIND_IP": "true",
	}
	r, err := load([]string{"-addr", "127.0.0.1:1234", "-access-ttl", "20m"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if r.srv.Addr != "127.0.0.1:1234" || r.auth.AccessTTL != 20*time.Minute {
		t.Errorf("flags should beat the environment: %q %v", r.srv.Addr, r.auth.AccessTTL)
	}
	if r.srv.ReadTimeout != 5*time.Second || r.srv.WriteTimeout != -time.Second || r.srv.MaxBodyBytes != 1024 || r.srv.IdleTimeout != time.Minute {
		t.Errorf("server %+v", r.srv)
	}
	a := r.auth
	if *r.db != "/tmp/x.db" || a.RedisAddr != "localhost:6379" || a.SecretGenerated || string(a.JWTSecret) != env["APP_JWT_SECRET"] ||
		a.IdleTimeout != 2*time.Hour || a.MaxSessions != 3 || !a.BindIP {
		t.Errorf("auth %+v db %q", a, *r.db)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{"duration syntax", nil, map[string]string{"APP_ACCESS_TTL": "15 minutes"}, []string{"APP_ACCESS_TTL", `"15 minutes"`, "Go duration"}},
		{"negative ttl", nil, map[string]string{"APP_REFRESH_TTL": "-1h"}, []string{"APP_REFRESH_TTL", "positive"}},
		{"zero via flag", []string{"-renew-before", "0s"}, nil, []string{"-renew-before", "positive"}},
		{"all reported", nil, map[string]string{"APP_ACCESS_TTL": "x", "APP_IDLE_TIMEOUT": "y", "APP_READ_TIMEOUT": "z"}, []string{"APP_ACCESS_TTL", "APP_IDLE_TIMEOUT", "APP_READ_TIMEOUT"}},
		{"renew not below access", nil, map[string]string{"APP_ACCESS_TTL": "5m", "APP_RENEW_BEFORE": "5m"}, []string{"APP_RENEW_BEFORE", "APP_ACCESS_TTL"}},
		{"refresh below access by flag", []string{"-refresh-ttl", "1h"}, map[string]string{"APP_ACCESS_TTL": "2h"}, []string{"-refresh-ttl", "APP_ACCESS_TTL"}},
		{"short secret", nil, map[string]string{"APP_JWT_SECRET": "too-short"}, []string{"APP_JWT_SECRET", "32 bytes"}},
		{"max sessions", nil, map[string]string{"APP_MAX_SESSIONS": "-2"}, []string{"APP_MAX_SESSIONS", "non-negative"}},
		{"bool", nil, map[string]string{"APP_BIND_IP": "maybe"}, []string{"APP_BIND_IP", `"maybe"`}},
		{"body bytes", nil, map[string]string{"APP_MAX_BODY_BYTES": "4MB"}, []string{"APP_MAX_BODY_BYTES"}},
		{"redis prefix", nil, map[string]string{"APP_REDIS_PREFIX": "a{b}"}, []string{"APP_REDIS_PREFIX", "braces"}},
		{"unknown flag", []string{"-port", "80"}, nil, []string{"-port"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(tt.args, tt.env)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "too-short") {
				t.Errorf("error %q repeats the secret", err)
			}
		})
	}
}

func TestUsageNamesVariables(t *testing.T) {
	fs := flag.NewFlagSet("app", flag.ContinueOnError)
	var out bytes.Buffer
	fs.SetOutput(&out)
	l := config.NewLoader(fs, "APP")
	l.Server(portico.Config{})
	fs.Bool("routes", false, "print routes")
	l.Env("routes", "")
	if err := l.Parse([]string{"-h"}, func(string) string { return "" }); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	if !strings.Contains(out.String(), "(env APP_READ_TIMEOUT)") || strings.Contains(out.String(), "APP_ROUTES") {
		t.Errorf("usage:\n%s", out.String())
	}
}

func TestDuplicateVariable(t *testing.T) {
	fs := flag.NewFlagSet("app", flag.ContinueOnError)
	l := config.NewLoader(fs, "APP")
	l.Server(portico.Config{})
	l.Auth(config.Auth{})
	l.Env("http-idle-timeout", "APP_IDLE_TIMEOUT")
	if err := l.Parse(nil, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "APP_IDLE_TIMEOUT") {
		t.Errorf("two flags on one variable: %v", err)
	}
}
