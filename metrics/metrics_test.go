package metrics_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/portico-go/portico/auth"
	"github.com/portico-go/portico/auth/token"
	"github.com/portico-go/portico/dispatcher"
	"github.com/portico-go/portico/firewall"
	"github.com/portico-go/portico/metrics"
)

func app(t *testing.T, m *metrics.Metrics, hook func()) http.Handler {
	t.Helper()
	d := dispatcher.New(dispatcher.WithFirewall(firewall.New()), dispatcher.WithLogger(slog.New(slog.DiscardHandler)))
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.GET("/book/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hook != nil {
			hook()
		}
		io.WriteString(w, "ok")
	})))
	must(d.POST("/book", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusCreated) })))
	must(m.RegisterRoutes(d))
	return m.Wrap(d)
}

// series returns the duration histogram's series as "method route status"
// with their sample counts.
func series(t *testing.T, reg prometheus.Gatherer) map[string]uint64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]uint64{}
	for _, mf := range mfs {
		if mf.GetName() != "http_server_request_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			out[labels(m)] = m.GetHistogram().GetSampleCount()
		}
	}
	return out
}

func labels(m *dto.Metric) string {
	l := map[string]string{}
	for _, p := range m.GetLabel() {
		l[p.GetName()] = p.GetValue()
	}
	return l["method"] + " " + l["route"] + " " + l["status"]
}

func TestRequestDuration(t *testing.T) {
	m, err := metrics.New(metrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	h := app(t, m, nil)
	for _, tc := range []struct {
		method, target string
		status         int
	}{
		{"GET", "/book/1", 200},
		{"GET", "/book/2", 200},
		{"POST", "/book", 201},
		{"GET", "/nope", 404},
		{"DELETE", "/book/1", 405},
		{"GET", "/a/../b", 400},
		{"BREW", "/book/1", 405},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(tc.method, tc.target, nil))
		if w.Code != tc.status {
			t.Fatalf("%s %s: %d, want %d", tc.method, tc.target, w.Code, tc.status)
		}
	}
	want := map[string]uint64{
		"GET /book/{id} 200":   2,
		"POST /book 201":       1,
		"GET unmatched 404":    1,
		"DELETE unmatched 405": 1,
		"GET unmatched 400":    1,
		"_OTHER unmatched 405": 1,
	}
	got := series(t, m.Registry())
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("series\n got %v\nwant %v", got, want)
	}
}

// 1,000 random paths and methods stay within a fixed handful of series.
func TestCardinalityBounded(t *testing.T) {
	m, err := metrics.New(metrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	h := app(t, m, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	methods := []string{"GET", "POST", "PUT", "PROPFIND", "X" + fmt.Sprint(rng.Int())}
	for i := range 1000 {
		var b strings.Builder
		for range 1 + rng.IntN(5) {
			fmt.Fprintf(&b, "/%x", rng.Uint64())
		}
		if i%3 == 0 {
			b.Reset()
			fmt.Fprintf(&b, "/book/%d", rng.Int())
		}
		method := methods[rng.IntN(len(methods))]
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, b.String(), nil))
	}
	got := series(t, m.Registry())
	var total uint64
	for _, n := range got {
		total += n
	}
	if total != 1000 {
		t.Fatalf("%d requests counted, want 1000", total)
	}
	// route: /book/{id} or unmatched; method: 3 standard + _OTHER;
	// status: 200, 404, 405.
	t.Logf("%d series: %v", len(got), got)
	if len(got) > 8 {
		t.Fatalf("%d series for 1,000 random requests: %v", len(got), got)
	}
	for s := range got {
		if strings.Contains(s, "/book/") && !strings.Contains(s, "{id}") {
			t.Fatalf("raw path in a label: %q", s)
		}
	}
}

func TestActiveRequests(t *testing.T) {
	m, err := metrics.New(metrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var during float64
	h := app(t, m, func() { during = gauge(t, m, "http_server_active_requests") })
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/book/1", nil))
	if during != 1 || gauge(t, m, "http_server_active_requests") != 0 {
		t.Fatalf("in flight %v during, %v after", during, gauge(t, m, "http_server_active_requests"))
	}
}

func gauge(t *testing.T, m *metrics.Metrics, name string) float64 {
	t.Helper()
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no %s", name)
	return 0
}

// A panic still counts, as a 500, and leaves nothing in flight.
func TestPanicCounted(t *testing.T) {
	m, _ := metrics.New(metrics.Config{})
	h := m.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
	func() {
		defer func() { recover() }()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil))
	}()
	if got := series(t, m.Registry()); got["GET unmatched 500"] != 1 || gauge(t, m, "http_server_active_requests") != 0 {
		t.Fatalf("series %v", got)
	}
}

func TestAuthObserver(t *testing.T) {
	m, _ := metrics.New(metrics.Config{})
	mgr, err := auth.New(auth.Config{Issuer: "i", Audience: "a", ActiveKey: "k",
		Keys: []token.Key{{ID: "k", Secret: []byte("0123456789abcdef0123456789abcdef")}}, Observer: m})
	if err != nil {
		t.Fatal(err)
	}
	defer mgr.Close()
	ctx := context.Background()
	pair, err := mgr.Login(ctx, auth.Principal{ID: "u"}, "")
	if err != nil {
		t.Fatal(err)
	}
	mgr.ReportLoginFailure(auth.ReasonBadCredentials)
	mgr.ReportLoginFailure(auth.ReasonBadCredentials)
	mgr.ReportLoginFailure(auth.ReasonTooManyRequests)
	if _, _, err := mgr.Authenticate(ctx, pair.AccessToken, ""); err != nil {
		t.Fatal(err)
	}
	expected := `
# HELP portico_auth_logins_total Login attempts by outcome: success or the refusal's reason.
# TYPE portico_auth_logins_total counter
portico_auth_logins_total{outcome="bad_credentials"} 2
portico_auth_logins_total{outcome="success"} 1
portico_auth_logins_total{outcome="too_many_requests"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(expected), "portico_auth_logins_total"); err != nil {
		t.Fatal(err)
	}
	mfs, _ := m.Registry().Gather()
	ops := map[string]uint64{}
	for _, mf := range mfs {
		if mf.GetName() == "portico_session_store_duration_seconds" {
			for _, s := range mf.GetMetric() {
				ops[s.GetLabel()[0].GetValue()] = s.GetHistogram().GetSampleCount()
			}
		}
	}
	if ops["create"] != 1 || ops["touch"] != 1 {
		t.Fatalf("store calls %v", ops)
	}
	m.StoreCall("touch", 0, fmt.Errorf("down"))
	expected = `
# HELP portico_session_store_errors_total Session-store calls that failed (store unavailable), by operation.
# TYPE portico_session_store_errors_total counter
portico_session_store_errors_total{op="touch"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(expected), "portico_session_store_errors_total"); err != nil {
		t.Fatal(err)
	}
}

func TestServesMetrics(t *testing.T) {
	m, _ := metrics.New(metrics.Config{})
	h := app(t, m, nil)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/book/1", nil))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body := w.Body.String()
	for _, want := range []string{
		`http_server_request_duration_seconds_count{method="GET",route="/book/{id}",status="200"} 1`,
		"http_server_active_requests 1", // the scrape itself
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestDuplicateRegistration(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := metrics.New(metrics.Config{Registry: reg}); err != nil {
		t.Fatal(err)
	}
	if _, err := metrics.New(metrics.Config{Registry: reg}); err == nil || !strings.Contains(err.Error(), "metrics:") {
		t.Fatalf("second registration: %v", err)
	}
}
