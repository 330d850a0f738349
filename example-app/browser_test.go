package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// updateScreenshotsEnv, set to 1, makes the browser test save a
// viewport-sized screenshot of each page it passes through into
// screenshotDir, for people to review; normal runs write nothing.
const updateScreenshotsEnv = "UPDATE_SCREENSHOTS"

// screenshotDir is where the screenshots go, relative to this package.
const screenshotDir = "../docs/screenshots"

// findChromium returns the browser binary, or "".
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowser drives real Chromium through the pages: the home page
// logged out and in, the login, the list with search and sorting, a book
// with every field wrong (all errors shown at once), adding and deleting,
// the error page, a browser sent to the login page by a 401, the About
// page, the phone layout at 390 px (no sideways scroll, no cut-off cell),
// logging out, and a reader who finds no buttons to change anything.
func TestBrowser(t *testing.T) {
	bin := findChromium()
	if bin == "" {
		t.Skip("no chromium, chromium-browser or google-chrome on PATH: skipping the browser test")
	}
	a := startApp(t, tempDB(t), nil)

	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 800),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	update := os.Getenv(updateScreenshotsEnv) == "1"
	// shot saves what the viewport shows when updateScreenshotsEnv is set.
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if !update {
				return nil
			}
			png, err := chromedp.CaptureScreenshot()(ctx, tg)
			if err != nil {
				return err
			}
			path := filepath.Join(screenshotDir, name+".png")
			t.Logf("screenshot: %s (%d KB)", path, len(png)>>10)
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
			state, _ := chromedp.Run(browser, chromedp.Evaluate[string](`location.href + " rows=" + document.querySelectorAll("#books-body tr[data-id]").length + " search=" + (document.getElementById("search") || {}).value`))
			fail("%s: %v (page: %s)", name, err, state)
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
	// column lists the texts of one column (a td class) of the rows on screen.
	column := func(cls string) []string {
		t.Helper()
		v := js(`Array.from(document.querySelectorAll("#books-body tr[data-id] td.` + cls + `")).map((td) => td.textContent)`)
		var out []string
		for _, x := range v.([]any) {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	// waitList waits for the list to show what the address now asks for.
	waitList := func(cond string) chromedp.Action[chromedp.Void] {
		return chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(10*time.Second))
	}
	title := fmt.Sprintf("Browser Test Book %d", time.Now().UnixNano())
	row := fmt.Sprintf(`#books-body tr[data-title=%q]`, title)

	step("the home page, logged out",
		chromedp.Navigate(a.base+"/"),
		chromedp.WaitVisible("#book-count"),
		chromedp.WaitVisible("#login-link"),
		shot("home"),
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
	step("whoami",
		chromedp.Poll[chromedp.Void](`document.getElementById("whoami").textContent.includes("admin")`),
		shot("books"),
	)

	step("search by author",
		chromedp.SendKeys("#search", "fowler"),
		waitList(`location.search.includes("q=fowler") && document.querySelectorAll("#books-body tr[data-id]").length === 2`),
		shot("books-search"),
	)
	for _, author := range column("author") {
		if !strings.Contains(author, "Fowler") {
			fail("search for fowler shows %q", author)
		}
	}
	step("clear the search",
		// As the search field's clear button does.
		chromedp.Evaluate[chromedp.Void](`const s = document.getElementById("search"); s.value = ""; s.dispatchEvent(new Event("input"))`),
		waitList(`!location.search.includes("q=") && document.querySelectorAll("#books-body tr[data-id]").length === 10`),
	)
	step("sort by title",
		chromedp.Click(`button.sort[data-sort="title"]`),
		waitList(`location.search.includes("sort=title") && location.search.includes("order=asc") && document.body.dataset.loaded === "true"`),
		chromedp.Poll[chromedp.Void](`document.querySelector("#books-body td.title").textContent === "Clean Code"`),
	)
	titles := column("title")
	if !slices.IsSortedFunc(titles, func(x, y string) int { return strings.Compare(strings.ToLower(x), strings.ToLower(y)) }) {
		fail("title A-Z: %q", titles)
	}
	step("title Z-A",
		chromedp.Click(`button.sort[data-sort="title"]`),
		waitList(`location.search.includes("order=desc") && document.querySelector("#books-body td.title").textContent === "Working Effectively with Legacy Code"`),
	)
	if got := js(`document.getElementById("sort-select").value`); got != "title:desc" {
		fail("the sort menu shows %v after sorting Z-A by the header", got)
	}

	step("every field's error at once",
		chromedp.WaitVisible("#add-btn"),
		chromedp.Click("#add-btn"),
		chromedp.WaitVisible("#book-dialog"),
		chromedp.SendKeys("#book-title", "   "),
		chromedp.SendKeys("#book-year", "3000"),
		chromedp.Click("#book-save"),
		chromedp.WaitVisible("#book-title-error"),
		chromedp.WaitVisible("#book-author-error"),
		chromedp.WaitVisible("#book-year-error"),
		shot("book-errors"),
	)
	step("admin adds a book",
		chromedp.Evaluate[chromedp.Void](`document.getElementById("book-title").value = ""; document.getElementById("book-year").value = ""`),
		chromedp.SendKeys("#book-title", title),
		chromedp.SendKeys("#book-author", "Chromium Headless"),
		chromedp.SendKeys("#book-year", "2024"),
		chromedp.SendKeys("#book-isbn", "978-0000000000"),
		chromedp.Click("#book-save"),
		chromedp.WaitNotVisible("#book-dialog"),
		chromedp.WaitVisible(row),
	)
	step("admin deletes it",
		chromedp.Click(row+` button[data-action="delete"]`),
		chromedp.WaitVisible("#confirm-dialog"),
		chromedp.Click("#confirm-yes"),
		chromedp.WaitNotPresent(row),
	)
	// The page said so; the API agrees.
	p := a.login(t, "admin", "admin123")
	var page struct {
		Items []Book `json:"items"`
	}
	a.call(t, "GET", "/book/list?size=100&q="+url.QueryEscape(title), p.AccessToken, nil).data(t, &page)
	if len(page.Items) != 0 {
		t.Errorf("book %q still in the catalogue", title)
	}

	step("the home page knows who is logged in",
		chromedp.Navigate(a.base+"/"),
		chromedp.Poll[chromedp.Void](`document.getElementById("home-user").textContent === "admin"`),
		shot("home-logged-in"),
	)
	if js(`getComputedStyle(document.getElementById("login-link")).display === "none" && getComputedStyle(document.getElementById("nav-login")).display === "none"`) != true {
		fail("the home page offers to log in while logged in")
	}

	step("the About page",
		chromedp.Navigate(a.base+"/about.html"),
		chromedp.WaitVisible("table.routes"),
		shot("about"),
	)
	if n := js(`document.querySelectorAll("table.routes tbody tr").length`); n.(float64) < 10 {
		fail("the About page lists %v routes", n)
	}

	step("a missing page is an error page",
		chromedp.Navigate(a.base+"/no/such/page"),
		chromedp.WaitVisible("#error-page"),
		shot("error"),
	)
	if got := js(`document.getElementById("error-page").dataset.status`); got != "404" {
		fail("error page status %v", got)
	}

	step("phone width: labelled cards, nothing cut off",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(a.base+"/books.html"),
		chromedp.Poll[chromedp.Void](`document.body.dataset.loaded === "true"`),
		shot("books-phone"),
	)
	for _, pg := range []struct{ path, shot string }{
		{"/books.html", ""}, {"/", "home-phone"}, {"/about.html", "about-phone"}, {"/no/such/page", ""}, {"/login.html", ""},
	} {
		path := pg.path
		if path != "/books.html" {
			actions := []chromedp.Action[chromedp.Void]{chromedp.Navigate(a.base + path), chromedp.WaitReady("footer")}
			if pg.shot != "" {
				actions = append(actions, shot(pg.shot))
			}
			step("phone "+path, actions...)
		}
		if got := js(`document.documentElement.scrollWidth <= window.innerWidth`); got != true {
			fail("%s at 390 px scrolls sideways: scrollWidth %v, innerWidth %v", path,
				js(`document.documentElement.scrollWidth`), js(`window.innerWidth`))
		}
	}
	step("back to the list", chromedp.Navigate(a.base+"/books.html"), chromedp.Poll[chromedp.Void](`document.body.dataset.loaded === "true"`))
	cut := js(`Array.from(document.querySelectorAll("#books-body td")).filter((td) => {
		const r = td.getBoundingClientRect();
		return getComputedStyle(td).display !== "none" &&
			(td.scrollWidth > td.clientWidth + 1 || r.left < 0 || r.right > window.innerWidth);
	}).map((td) => td.dataset.label + ": " + td.textContent)`)
	if len(cut.([]any)) != 0 {
		fail("cells cut off at 390 px: %v", cut)
	}
	if got := js(`getComputedStyle(document.querySelector("#books-body td.year")).display !== "none" && getComputedStyle(document.querySelector("#books-body td.isbn")).display !== "none"`); got != true {
		fail("Year or ISBN hidden at 390 px")
	}
	step("desktop again", chromedp.EmulateViewport(1200, 800))

	step("admin logs out",
		chromedp.Navigate(a.base+"/books.html"),
		chromedp.WaitVisible("#logout-btn"),
		chromedp.Click("#logout-btn"),
		chromedp.WaitVisible("#login-form"),
	)
	if loc := location(); !strings.HasSuffix(loc, "/login.html") {
		fail("after logout: at %s", loc)
	}
	if js(`localStorage.getItem("accessToken") === null`) != true {
		fail("access token kept after logout")
	}

	step("a browser asking for the API without a login is sent to log in",
		chromedp.Navigate(a.base+"/book/list?page=2"),
		chromedp.WaitVisible("#login-form"),
	)
	if loc := location(); !strings.Contains(loc, "/login.html?next=%2Fbook%2Flist%3Fpage%3D2") {
		fail("after a browser 401: at %s", loc)
	}
	// An API URL is no page to come back to: the login goes to the list.
	step("reader logs in", logIn("reader", "reader123"), shot("books-reader"))
	if js(`document.getElementById("add-btn") === null`) != true {
		fail("the reader has an add button")
	}
	if n := js(`document.querySelectorAll("button[data-action]").length`); n != float64(0) {
		fail("the reader has %v edit/delete buttons", n)
	}

	step("a 401 sends the reader to the login page, and back",
		chromedp.Evaluate[chromedp.Void](`localStorage.setItem("accessToken", "not.a.token"); localStorage.removeItem("refreshToken")`),
		chromedp.Click("#next-btn"),
		chromedp.WaitVisible("#login-form"),
	)
	if loc := location(); !strings.Contains(loc, "/login.html?next=%2Fbooks.html") {
		fail("after a 401: at %s", loc)
	}
	step("reader logs in again", logIn("reader", "reader123"))
	if loc := location(); !strings.Contains(loc, "/books.html?") {
		fail("after logging in again: at %s", loc)
	}
}
