package redistest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// miniredisTimeout bounds building and starting the miniredis server; the
// first build compiles miniredis and takes a while on a busy machine.
const miniredisTimeout = 5 * time.Minute

// Miniredis starts a miniredis server for the test and returns its address.
// miniredis runs in its own process, built from the nested module in
// miniredisd/ with `go run`, so that the framework's go.mod does not require
// it: a program depending on Portico never downloads a test-only Redis. The
// server stops at cleanup (its standard input is closed). It skips the test
// when the go command or the module's source is not available.
func Miniredis(t testing.TB) string {
	t.Helper()
	dir, err := miniredisDir()
	if err != nil {
		t.Skipf("redistest: %v", err)
	}
	// go test puts its own GOROOT/bin first on the tests' PATH.
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("redistest: no go command for the miniredis fallback: %v", err)
	}
	cmd := exec.Command(goBin, "run", ".")
	cmd.Dir = dir
	// The module stands alone: no workspace, no vendor directory.
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatalf("redistest: miniredis: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("redistest: miniredis: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("redistest: start miniredis (go run in %s): %v", dir, err)
	}
	stop := func() {
		_ = stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "ADDR "); ok {
				addr <- a
				return
			}
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			stop()
			t.Fatalf("redistest: miniredis exited before announcing its address:\n%s", stderr.String())
		}
		t.Cleanup(stop)
		return a
	case <-time.After(miniredisTimeout):
		stop()
		t.Fatalf("redistest: miniredis not ready after %v:\n%s", miniredisTimeout, stderr.String())
		return ""
	}
}

// miniredisDir finds the miniredisd module beside this source file.
func miniredisDir() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("cannot locate the miniredisd module: no caller information")
	}
	dir := filepath.Join(filepath.Dir(file), "miniredisd")
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return "", fmt.Errorf("cannot locate the miniredisd module: %w", err)
	}
	return dir, nil
}
