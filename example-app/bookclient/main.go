// Command bookclient lists books from a running example app through
// Portico's HTTP client: it logs in, then lists a page of books every few
// seconds. Run the app with a short access-token lifetime to watch the
// client refresh the session on a 401 and retry, once:
//
//	APP_ACCESS_TTL=4s APP_RENEW_BEFORE=1s APP_TOKEN_LEEWAY=1ms go run ./example-app
//	go run ./example-app/bookclient -rounds 3 -wait 5s
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"time"

	"github.com/portico-go/portico/client"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "the example app's base URL")
	user := flag.String("user", "admin", "username")
	password := flag.String("password", "admin123", "password")
	rounds := flag.Int("rounds", 3, "how many times to list books")
	wait := flag.Duration("wait", 5*time.Second, "pause between rounds")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, *url, *user, *password, *rounds, *wait, os.Stdout, log); err != nil {
		fmt.Fprintln(os.Stderr, "bookclient:", err)
		os.Exit(1)
	}
}

// run logs in and lists the first page of books rounds times, wait apart,
// writing one line per round and per refresh to out.
func run(ctx context.Context, base, user, password string, rounds int, wait time.Duration, out io.Writer, log *slog.Logger) error {
	base = strings.TrimSuffix(base, "/")
	// The refresh goes through its own plain client: it can never pass
	// through BearerAuth again, so a failing refresh cannot loop.
	plain := &http.Client{Timeout: 10 * time.Second}
	tokens, err := client.Login(ctx, plain, base+"/user/login", user, password)
	if err != nil {
		return err
	}
	store := &client.MemoryStore{}
	if err := store.SetTokens(tokens); err != nil {
		return err
	}
	var refreshes atomic.Int32
	refresher := client.JSONRefresher(base + "/user/refresh")
	auth := &client.BearerAuth{
		Store:         store,
		RefreshClient: plain,
		Refresher: client.RefresherFunc(func(ctx context.Context, c *http.Client, cur client.Tokens) (client.Tokens, error) {
			n := refreshes.Add(1)
			fmt.Fprintf(out, "refresh #%d: the access token was refused, asking for a new pair\n", n)
			return refresher.Refresh(ctx, c, cur)
		}),
	}
	c := client.New(
		client.WithInterceptors(auth, client.Retry{MaxAttempts: 3}),
		client.WithNetworkInterceptors(client.Logging{Logger: log, Headers: true}),
	)
	c.Timeout = 15 * time.Second

	for i := 1; i <= rounds; i++ {
		if i > 1 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		}
		titles, total, err := listBooks(ctx, c, base)
		if err != nil {
			return fmt.Errorf("round %d: %w", i, err)
		}
		fmt.Fprintf(out, "round %d: %d books, first: %s\n", i, total, strings.Join(titles, "; "))
	}
	return nil
}

func listBooks(ctx context.Context, c *http.Client, base string) ([]string, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/book/list?page=1&size=3", nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("GET /book/list: %s", resp.Status)
	}
	var body struct {
		Data struct {
			Total int `json:"total"`
			Items []struct {
				Title string `json:"title"`
			} `json:"items"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, 0, fmt.Errorf("decoding the book list: %w", err)
	}
	var titles []string
	for _, b := range body.Data.Items {
		titles = append(titles, b.Title)
	}
	return titles, body.Data.Total, nil
}
