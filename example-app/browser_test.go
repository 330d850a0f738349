package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// screenshotDirEnv names a directory where the browser test also saves
// screenshots of the pages it passed through, for people to look at.
const screenshotDirEnv = "EXAMPLE_APP_SCREENSHOTS"

// findChromium returns the browser binary, or "".
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowser drives real Chromium through the pages: an admin logs in,
// sees the list, adds a book, sees it, deletes it and logs out (landing on
// the login page); a reader logs in and finds no buttons to change
// anything.
func TestBrowser(t *testing.T) {
	bin := findChromium()
	if bin == "" {
		t.Skip("no chromium, chromium-browser or google-chrome on PATH: skipping the browser test")
	}
	a := startApp(t, tempDB(t), nil)

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	shots := os.Getenv(screenshotDirEnv)
	// shot saves a screenshot for people when screenshotDirEnv is set.
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if shots == "" {
				return nil
			}
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			path := filepath.Join(shots, name+".png")
			t.Logf("screenshot: %s", path)
			return os.WriteFile(path, png, 0o644)
		})
	}
	// fail saves what the browser shows, then stops the test.
	fail := func(format string, args ...any) {
		t.Helper()
		sctx, cancel := context.WithTimeout(browser, 5*time.Second)
		defer cancel()
		if png, err := chromedp.Run(sctx, chromedp.CaptureScreenshot()); err == nil {
			path := filepath.Join(t.TempDir(), "failure.png")
			if err := os.WriteFile(path, png, 0o644); err == nil {
				t.Logf("screenshot of the failure: %s", path)
			}
		}
		t.Fatalf(format, args...)
	}
	// step runs one part of the scenario.
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(browser, actions...); err != nil {
			fail("%s: %v", name, err)
		}
	}
	js := func(expr string) any {
		t.Helper()
		v, err := chromedp.Run(browser, chromedp.Evaluate[any](expr))
		if err != nil {
			fail("evaluating %s: %v", expr, err)
		}
		return v
	}
	location := func() string {
		t.Helper()
		loc, err := chromedp.Run(browser, chromedp.Location())
		if err != nil {
			fail("location: %v", err)
		}
		return loc
	}
	logIn := func(user, password string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.WaitVisible("#login-form"),
			chromedp.WaitEnabled("#login-submit"), // login.js is listening
			chromedp.Clear("#username"),
			chromedp.Clear("#password"),
			chromedp.SendKeys("#username", user),
			chromedp.SendKeys("#password", password),
			chromedp.Click("#login-submit"),
			chromedp.WaitVisible(`#books-body tr[data-id]`),
			// books.js marks the body once the first page is on screen.
			chromedp.Poll[chromedp.Void](`document.body.dataset.loaded === "true"`),
		)
	}
	title := fmt.Sprintf("Browser Test Book %d", time.Now().UnixNano())
	row := fmt.Sprintf(`#books-body tr[data-title=%q]`, title)

	step("admin logs in",
		chromedp.Navigate(a.base+"/"),
		chromedp.WaitVisible("#server-time"),
		shot("index"),
		chromedp.Click("#login-link"),
		chromedp.WaitVisible("#login-form"),
		shot("login"),
		logIn("admin", "admin123"),
	)
	if got := js(`localStorage.getItem("accessToken") !== null && localStorage.getItem("refreshToken") !== null`); got != true {
		fail("tokens not kept in localStorage after login")
	}
	if n := js(`document.querySelectorAll("#books-body tr[data-id]").length`); n != float64(10) {
		fail("admin sees %v rows, want 10", n)
	}
	if who := js(`document.getElementById("whoami").textContent`); !strings.Contains(fmt.Sprint(who), "admin") {
		fail("whoami %q", who)
	}

	step("admin adds a book",
		chromedp.WaitVisible("#add-btn"),
		chromedp.Click("#add-btn"),
		chromedp.WaitVisible("#book-dialog"),
		chromedp.SendKeys("#book-title", title),
		chromedp.SendKeys("#book-author", "Chromium Headless"),
		chromedp.SendKeys("#book-year", "2024"),
		chromedp.SendKeys("#book-isbn", "978-0000000000"),
		chromedp.Click("#book-save"),
		chromedp.WaitNotVisible("#book-dialog"),
		chromedp.WaitVisible(row),
		shot("books-admin"),
	)

	step("admin deletes it",
		chromedp.Click(row+` button[data-action="delete"]`),
		chromedp.WaitVisible("#confirm-dialog"),
		shot("confirm-delete"),
		chromedp.Click("#confirm-yes"),
		chromedp.WaitNotPresent(row),
	)
	// The page said so; the API agrees.
	p := a.login(t, "admin", "admin123")
	var page struct {
		Items []Book `json:"items"`
	}
	a.call(t, "GET", "/book/list?size=100", p.AccessToken, nil).data(t, &page)
	for _, b := range page.Items {
		if b.Title == title {
			t.Errorf("book %q still in the catalogue", title)
		}
	}

	step("admin logs out",
		chromedp.Click("#logout-btn"),
		chromedp.WaitVisible("#login-form"),
	)
	if loc := location(); !strings.HasSuffix(loc, "/login.html") {
		fail("after logout: at %s", loc)
	}
	if js(`localStorage.getItem("accessToken") === null`) != true {
		fail("access token kept after logout")
	}

	step("reader logs in", logIn("reader", "reader123"), shot("books-reader"))
	if js(`document.getElementById("add-btn") === null`) != true {
		fail("the reader has an add button")
	}
	if n := js(`document.querySelectorAll("button[data-action]").length`); n != float64(0) {
		fail("the reader has %v edit/delete buttons", n)
	}

	step("a 401 sends the reader to the login page",
		chromedp.Evaluate[chromedp.Void](`localStorage.setItem("accessToken", "not.a.token"); localStorage.removeItem("refreshToken")`),
		chromedp.Click("#next-btn"),
		chromedp.WaitVisible("#login-form"),
	)
	if loc := location(); !strings.HasSuffix(loc, "/login.html") {
		fail("after a 401: at %s", loc)
	}
}
