package portico_test

import (
	"bufio"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The repository holds several Go modules (docs/modules.md): the framework
// at the root, and nested modules for the example app, the security suite,
// the benchmarks, the miniredis fallback and the optional capabilities with
// heavy dependencies. `go test ./...` at the root matches only the root
// module's packages, even inside a go.work workspace, so the two tests below
// make that one command cover, and guard, the whole layout.

// TestNestedModules runs `go test ./...` in every nested module, so that
// `go test ./...` at the repository root runs every test in the repository.
// Each module's output is logged line by line as it arrives (shown live
// with -v, and in full under the failing subtest otherwise).
func TestNestedModules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every nested module's tests; skipped under -short")
	}
	root := repoRoot(t)
	mods := nestedModules(t, root)
	if len(mods) == 0 {
		t.Fatal("no nested modules found; docs/modules.md lists at least example-app and security")
	}
	inWork := workspaceModules(t, root)
	recordInputs(t, root)
	// Each child gets this process's remaining time, in whole minutes so
	// that the child's arguments, part of its own test cache key, stay the
	// same from run to run.
	var timeout []string
	if d, ok := t.Deadline(); ok {
		timeout = []string{"-timeout", max(time.Until(d).Truncate(time.Minute), time.Minute).String()}
	}
	for _, rel := range mods {
		t.Run(rel, func(t *testing.T) {
			env := os.Environ()
			if !inWork[rel] {
				t.Errorf("module %s is missing from go.work: add it with `go work use ./%s`", rel, rel)
				env = append(env, "GOWORK=off")
			}
			args := append(append([]string{"test"}, timeout...), "./...")
			goTool(t, filepath.Join(root, filepath.FromSlash(rel)), env, args...)
		})
	}
}

// goTool runs the go command in dir and logs its output line by line; a
// non-zero exit fails the test, naming the command and the directory.
func goTool(t *testing.T, dir string, env []string, args ...string) {
	t.Helper()
	cmd := exec.Command(goBinary(), args...)
	cmd.Dir, cmd.Env = dir, env
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatalf("go %s in %s: %v", strings.Join(args, " "), dir, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			t.Log(sc.Text())
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	err := cmd.Wait()
	_ = pw.Close()
	<-done
	if err != nil {
		t.Errorf("go %s in %s: %v (output above)", strings.Join(args, " "), dir, err)
	}
}

// TestHelloWorldModuleGraph proves the module split: a program that imports
// only the dispatcher must not pull the example app's SQLite or browser
// driver, a test-only module, or any optional capability's dependencies
// into its module graph.
func TestHelloWorldModuleGraph(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go mod tidy in a temporary module; skipped under -short")
	}
	root := repoRoot(t)
	dir := t.TempDir()
	goMod := "module example.com/hello\n\ngo 1.26.8\n\n" +
		"require github.com/portico-go/portico v0.0.0-00010101000000-000000000000\n\n" +
		"replace github.com/portico-go/portico => " + strings.ReplaceAll(root, `\`, `/`) + "\n"
	mainGo := `package main

import (
	"net/http"

	"github.com/portico-go/portico/dispatcher"
)

func main() {
	d := dispatcher.New()
	d.GET("/hello", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("hello"))
	}))
	_ = http.ListenAndServe("127.0.0.1:8080", d)
}
`
	for name, text := range map[string]string{"go.mod": goMod, "main.go": mainGo} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(goBinary(), args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("mod", "tidy")
	run("build", "-o", os.DevNull, ".")
	all := run("list", "-m", "all")
	t.Logf("go list -m all of a program importing only dispatcher:\n%s", all)

	// Modules that must never reach a framework user's graph: the example
	// app's (SQLite and its C-to-Go toolchain, the browser driver), the
	// tests' (miniredis and its Lua), the benchmarks' peers, and the
	// optional capabilities' (OpenTelemetry, Prometheus, OpenAPI).
	forbidden := []string{
		"modernc.org/", "github.com/chromedp/", "github.com/alicebob/miniredis",
		"github.com/yuin/gopher-lua", "github.com/gin-gonic/", "github.com/labstack/echo",
		"github.com/go-chi/", "golang.org/x/perf", "go.opentelemetry.io/",
		"github.com/prometheus/", "github.com/pb33f/", "github.com/getkin/",
	}
	for line := range strings.Lines(all) {
		mod, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		for _, f := range forbidden {
			if strings.HasPrefix(mod, f) {
				t.Errorf("%s is in the module graph of a program importing only dispatcher", mod)
			}
		}
	}
	// Any module that only the framework's tests need is a test-only module
	// and must not be in the graph, with one exception: goleak. The root
	// go.mod requires it for the tests beside the code, so it is listed here
	// (its go.mod is read; nothing of it is built); fx and zap, which every
	// program using Portico's fx wiring compiles, require it themselves.
	// docs/modules.md says why.
	testOnly := testOnlyModules(t, root)
	if len(testOnly) == 0 {
		t.Error("found no test-only module of the framework; goleak at least was expected: is the check still working?")
	}
	for line := range strings.Lines(all) {
		mod, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		if testOnly[mod] && mod != "go.uber.org/goleak" {
			t.Errorf("%s, a module only the framework's tests need, is in the module graph of a program importing only dispatcher; move what uses it to a nested module (docs/modules.md)", mod)
		}
	}
	// Anything that is built must come from a module the framework requires.
	built := run("list", "-deps", "-f", "{{with .Module}}{{.Path}}{{end}}", ".")
	for line := range strings.Lines(built) {
		mod := strings.TrimSpace(line)
		if mod == "" || mod == "example.com/hello" {
			continue
		}
		if !slices.Contains(frameworkModules, mod) {
			t.Errorf("the hello program compiles a package of %s, which is not a framework dependency", mod)
		}
	}
}

// testOnlyModules returns the modules whose packages the root module's
// tests compile and its non-test packages do not.
func testOnlyModules(t *testing.T, root string) map[string]bool {
	t.Helper()
	list := func(extra ...string) map[string]bool {
		args := append(append([]string{"list", "-deps"}, extra...), "-f", "{{with .Module}}{{.Path}}{{end}}", "./...")
		cmd := exec.Command(goBinary(), args...)
		cmd.Dir, cmd.Env = root, append(os.Environ(), "GOWORK=off")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go %s: %v", strings.Join(args, " "), err)
		}
		mods := map[string]bool{}
		for line := range strings.Lines(string(out)) {
			mods[strings.TrimSpace(line)] = true
		}
		return mods
	}
	withTests, without := list("-test"), list()
	only := map[string]bool{}
	for m := range withTests {
		if m != "" && !without[m] {
			only[m] = true
		}
	}
	return only
}

// frameworkModules are the modules whose packages a program importing only
// the dispatcher may compile: Portico, its direct dependencies, and theirs.
var frameworkModules = []string{
	"github.com/portico-go/portico",
	"github.com/julienschmidt/httprouter",
	"github.com/go-playground/validator/v10", "github.com/go-playground/locales",
	"github.com/go-playground/universal-translator", "github.com/leodido/go-urn",
	"github.com/gabriel-vasile/mimetype",
	"golang.org/x/crypto", "golang.org/x/sys", "golang.org/x/text", "golang.org/x/net",
	"github.com/golang-jwt/jwt/v5", "github.com/redis/go-redis/v9", "github.com/cespare/xxhash/v2",
	"go.uber.org/fx", "go.uber.org/dig", "go.uber.org/zap", "go.uber.org/multierr",
}

// repoRoot is the repository root: the root package's tests run there.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(wd, "go.work")); err != nil {
		t.Fatalf("go.work not found in %s: %v", wd, err)
	}
	return wd
}

// nestedModules lists, slash-separated and relative to root, every directory
// below root holding a go.mod (testdata and hidden directories excluded).
func nestedModules(t *testing.T, root string) []string {
	t.Helper()
	var mods []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && d.Name() == "go.mod" && filepath.Dir(path) != root {
			rel, err := filepath.Rel(root, filepath.Dir(path))
			if err != nil {
				return err
			}
			mods = append(mods, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("looking for nested modules: %v", err)
	}
	slices.Sort(mods)
	return mods
}

// workspaceModules returns the directories go.work uses, relative to root.
func workspaceModules(t *testing.T, root string) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "go.work"))
	if err != nil {
		t.Fatal(err)
	}
	use := map[string]bool{}
	inBlock := false
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if c, _, ok := strings.Cut(line, "//"); ok {
			line = strings.TrimSpace(c)
		}
		switch {
		case line == "use (":
			inBlock = true
			continue
		case inBlock && line == ")":
			inBlock = false
			continue
		case strings.HasPrefix(line, "use "):
			line = strings.TrimSpace(strings.TrimPrefix(line, "use "))
		case !inBlock:
			continue
		}
		use[strings.TrimPrefix(filepath.ToSlash(filepath.Clean(line)), "./")] = true
	}
	return use
}

// recordInputs stats every file in the repository and reads the environment
// variables the nested suites consult. go test caches a passing result
// keyed on the files and variables a test touched, so this keeps the result
// cached exactly while nothing the nested modules' tests depend on changes.
func recordInputs(t *testing.T, root string) {
	t.Helper()
	for _, v := range []string{"REDIS_ADDR", "REDIS_CLUSTER_ADDRS", "EXAMPLE_APP_SCREENSHOTS", "PATH", "GOFLAGS", "GOWORK", "CI"} {
		os.Getenv(v)
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		_, err = os.Stat(path)
		return err
	})
	if err != nil {
		t.Fatalf("recording test inputs: %v", err)
	}
}

// goBinary is the go command: go test puts its own GOROOT/bin first on the
// PATH of the tests it runs.
func goBinary() string { return "go" }
