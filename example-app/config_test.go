package main

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/portico-go/portico/config"
)

func TestConfigDefaults(t *testing.T) {
	cfg, err := parseConfig(nil, mapEnv(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Addr: "127.0.0.1:8080", DBPath: "./data/bookstore.db", Auth: config.Auth{RedisPrefix: "bookstore:session:",
			AccessTTL: 15 * time.Minute, IdleTimeout: 30 * time.Minute, RefreshTTL: 168 * time.Hour, RenewBefore: 5 * time.Minute,
			SecretGenerated: true},
	}
	got := cfg
	got.JWTSecret = nil
	if got.Addr != want.Addr || got.DBPath != want.DBPath || got.RedisPrefix != want.RedisPrefix ||
		got.AccessTTL != want.AccessTTL || got.IdleTimeout != want.IdleTimeout || got.RefreshTTL != want.RefreshTTL ||
		got.RenewBefore != want.RenewBefore || !got.SecretGenerated || got.RedisAddr != "" || got.PrintRoutes || got.MaxSessions != 0 {
		t.Errorf("defaults:\n got %+v\nwant %+v", got, want)
	}
	if len(cfg.JWTSecret) < 32 {
		t.Errorf("generated secret has %d bytes", len(cfg.JWTSecret))
	}
	other, err := parseConfig(nil, mapEnv(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(cfg.JWTSecret, other.JWTSecret) {
		t.Error("two starts generated the same secret")
	}
}

func TestConfigSources(t *testing.T) {
	env := map[string]string{
		envAddr: "0.0.0.0:9000", envDB: "/tmp/x.db", envRedisAddr: "localhost:6379", envJWTSecret: strings.Repeat("s", 32),
		envAccessTTL: "10m", envIdleTimeout: "1h", envRefreshTTL: "24h", envRenewBefore: "1m", envMaxSessions: "3",
	}
	cfg, err := parseConfig([]string{"-addr", "127.0.0.1:1234", "-routes"}, mapEnv(env), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:1234" {
		t.Errorf("-addr should beat %s: %q", envAddr, cfg.Addr)
	}
	if cfg.DBPath != "/tmp/x.db" || cfg.RedisAddr != "localhost:6379" || !cfg.PrintRoutes || cfg.SecretGenerated ||
		cfg.AccessTTL != 10*time.Minute || cfg.IdleTimeout != time.Hour || cfg.RefreshTTL != 24*time.Hour ||
		cfg.RenewBefore != time.Minute || cfg.MaxSessions != 3 {
		t.Errorf("config %+v", cfg)
	}
	cfg, err = parseConfig([]string{"-db", "other.db"}, mapEnv(env), &bytes.Buffer{})
	if err != nil || cfg.DBPath != "other.db" || cfg.Addr != "0.0.0.0:9000" {
		t.Errorf("-db: %+v %v", cfg, err)
	}
}

// TestConfigErrors: every bad value stops start-up with a message naming
// the variable (or flag) to fix.
func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string // substrings of the error
	}{
		{"access ttl syntax", nil, map[string]string{envAccessTTL: "15 minutes"}, []string{envAccessTTL, `"15 minutes"`}},
		{"idle timeout syntax", nil, map[string]string{envIdleTimeout: "abc"}, []string{envIdleTimeout}},
		{"refresh ttl negative", nil, map[string]string{envRefreshTTL: "-1h"}, []string{envRefreshTTL, "positive"}},
		{"renew before zero", nil, map[string]string{envRenewBefore: "0s"}, []string{envRenewBefore, "positive"}},
		{"two bad durations", nil, map[string]string{envAccessTTL: "x", envIdleTimeout: "y"}, []string{envAccessTTL, envIdleTimeout}},
		{"renew not below access", nil, map[string]string{envAccessTTL: "5m", envRenewBefore: "5m"}, []string{envRenewBefore, envAccessTTL}},
		{"refresh below access", nil, map[string]string{envAccessTTL: "2h", envRefreshTTL: "1h"}, []string{envRefreshTTL, envAccessTTL}},
		{"short secret", nil, map[string]string{envJWTSecret: "too-short"}, []string{envJWTSecret, "32 bytes"}},
		{"max sessions", nil, map[string]string{envMaxSessions: "-2"}, []string{envMaxSessions}},
		{"redis prefix", nil, map[string]string{envRedisPrefix: "a{b}"}, []string{envRedisPrefix}},
		{"db with ?", []string{"-db", "x.db?mode=ro"}, nil, []string{envDB}},
		{"unknown flag", []string{"-port", "80"}, nil, []string{"-port"}},
		{"stray argument", []string{"serve"}, nil, []string{"serve"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig(tt.args, mapEnv(tt.env), &bytes.Buffer{})
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

// TestRunStopsOnBadConfig checks the errors reach run's caller before
// anything starts.
func TestRunStopsOnBadConfig(t *testing.T) {
	var out, errs bytes.Buffer
	err := run(t.Context(), nil, mapEnv(map[string]string{envIdleTimeout: "soon"}), &out, &errs)
	if err == nil || !strings.Contains(err.Error(), envIdleTimeout) {
		t.Fatalf("run: %v", err)
	}
	if err := run(t.Context(), []string{"-h"}, mapEnv(nil), &out, &errs); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	if !strings.Contains(errs.String(), "-routes") {
		t.Errorf("usage does not list -routes:\n%s", errs.String())
	}
}
