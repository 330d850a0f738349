package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startExampleApp builds the example app and runs it with a 2 s access
// token on a free port, returning its base URL.
func startExampleApp(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "example-app")
	build := exec.Command("go", "build", "-o", bin, "github.com/portico-go/portico/example-app")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the example app: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var logs bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"APP_ADDR="+addr, "APP_DB="+filepath.Join(dir, "db"),
		"APP_JWT_SECRET=bookclient-test-secret-of-32-bytes!!",
		"APP_ACCESS_TTL=2s", "APP_RENEW_BEFORE=500ms", "APP_TOKEN_LEEWAY=1ms", "REDIS_ADDR=")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		if t.Failed() {
			t.Logf("example app log:\n%s", logs.String())
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/")
		if err == nil {
			resp.Body.Close()
			return base
		}
		if time.Now().After(deadline) {
			t.Fatalf("the example app did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRefreshIsVisible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example app")
	}
	base := startExampleApp(t)
	var out, logs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// The second round comes after the 2 s access token expired.
	err := run(ctx, base, "reader", "reader123", 2, 2500*time.Millisecond, &out, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	if strings.Count(got, "refresh #") != 1 || strings.Count(got, "books, first:") != 2 {
		t.Fatalf("want two rounds and exactly one refresh:\n%s", got)
	}
	if !strings.Contains(logs.String(), "REDACTED") || strings.Contains(logs.String(), "eyJ") {
		t.Errorf("client log must mask tokens:\n%s", logs.String())
	}
}
