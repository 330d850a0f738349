package security

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
)

// example is the example app's binary, built on first use by the tests
// that attack it into a directory TestMain removes. Test fixture.
var example struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// TestMain provides the example app's build directory and, after all
// tests, checks that none left a goroutine behind.
func TestMain(m *testing.M) {
	// go-redis logs every failed dial on its own logger; the outage tests
	// cause hundreds on purpose.
	redis.SetLogger(quietRedis{})
	dir, err := os.MkdirTemp("", "portico-security-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	example.dir = dir
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

func buildExample(dir string) (string, error) {
	bin := filepath.Join(dir, "example-app")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/portico-go/portico/example-app")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// exampleApp runs the example app's binary on a free port with a fresh
// database and in-memory sessions, and returns its address once it
// answers the login contract (POST /user/login admin/admin123 → 200 with
// data.accessToken). It skips the test, saying why, while the app does not
// build or does not yet honour that contract.
func exampleApp(t *testing.T) (addr, accessToken string) {
	t.Helper()
	if testing.Short() {
		t.Skip("short mode: not building the example app")
	}
	example.once.Do(func() { example.bin, example.err = buildExample(example.dir) })
	if example.err != nil {
		t.Skipf("example app does not build, skipping the attack on it: %v", example.err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr = ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	var out syncBuffer
	cmd := exec.Command(example.bin)
	cmd.Env = append(os.Environ(), "APP_ADDR="+addr, "APP_DB="+filepath.Join(dir, "db"), "REDIS_ADDR=")
	cmd.Stdout, cmd.Stderr = &out, &out
	must(t, cmd.Start())
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})

	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-exited:
			t.Skipf("example app exited before listening; its contract is not there yet:\n%s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Skipf("example app not listening on %s after 30s:\n%s", addr, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	r, err := tryCall(&http.Client{Transport: tr, Timeout: 10 * time.Second}, http.MethodPost, "http://"+addr+"/user/login", "",
		map[string]string{"username": "admin", "password": "admin123"})
	var body struct {
		Data struct {
			AccessToken string `json:"accessToken"`
		} `json:"data"`
	}
	if err != nil || r.status != 200 || json.Unmarshal([]byte(r.body), &body) != nil || body.Data.AccessToken == "" {
		t.Skipf("example app does not honour the login contract yet (POST /user/login admin/admin123 → 200 with data.accessToken): %d %s %v",
			r.status, trim(r.body), err)
	}
	return addr, body.Data.AccessToken
}

// TestHostilePathsExampleApp sends the same combinations as
// TestHostilePaths to the real example app, without a token. Its
// protected answers are JSON; the data they hold (book titles, the user's
// name) is read with a token first, and no hostile reply may contain it
// or be a JSON success.
func TestHostilePathsExampleApp(t *testing.T) {
	addr, tok := exampleApp(t)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var secrets []string
	for _, p := range []string{"/book/list", "/book/1", "/api/user/info"} {
		r := call(t, hc, http.MethodGet, "http://"+addr+p, tok, nil)
		if r.status != 200 {
			t.Fatalf("GET %s with a token: %d %s", p, r.status, r.body)
		}
		secrets = append(secrets, protectedStrings(r.body)...)
	}
	if len(secrets) == 0 {
		t.Fatal("found no protected data to look for")
	}
	t.Logf("looking for %d protected strings, e.g. %q", len(secrets), secrets[:min(3, len(secrets))])
	public := func(r reply) bool {
		if strings.Contains(r.header.Get("Content-Type"), "json") {
			return false
		}
		for _, s := range secrets {
			if strings.Contains(r.body, s) {
				return false
			}
		}
		return true
	}
	// Control: the oracle must see the protected data when it is there.
	for _, p := range []string{"/book/list", "/api/user/info"} {
		r := call(t, hc, http.MethodGet, "http://"+addr+p, tok, nil)
		if verdict(http.MethodGet, r, public) == "" {
			t.Fatalf("the verdict accepts the protected answer of %s: %s", p, trim(r.body))
		}
	}
	n := attack(t, addr, []string{http.MethodGet, http.MethodPost, http.MethodHead, http.MethodDelete}, public)
	t.Logf("%d hostile requests to the example app", n)
}

// protectedStrings picks the distinctive values out of a JSON answer:
// strings of 6 or more characters (titles, authors, names).
func protectedStrings(body string) []string {
	var v any
	if json.Unmarshal([]byte(body), &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if k == "message" || k == "createdAt" || k == "updatedAt" {
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			if len(x) >= 6 {
				out = append(out, x)
			}
		}
	}
	walk(v)
	return out
}
