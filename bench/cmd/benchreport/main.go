// Command benchreport reads Go benchmark output (several runs of the suite
// concatenated, plus the end-to-end results run.sh writes in the same
// format) and prints the goal table of docs/benchmarks.md: each goal, the
// ratio measured from the medians of the runs, the target, and whether it
// is met. benchstat prints the full tables with confidence intervals; this
// only does the arithmetic the goals need.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// samples holds every measurement by benchmark name and unit.
type samples map[string]map[string][]float64

var procSuffix = regexp.MustCompile(`-\d+$`)

func read(r io.Reader, s samples) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			if s[name] == nil {
				s[name] = map[string][]float64{}
			}
			s[name][f[i+1]] = append(s[name][f[i+1]], v)
		}
	}
	return sc.Err()
}

// med returns the median of name's unit, or NaN when it was not measured
// (a skipped Redis row, a pending example-app row).
func (s samples) med(name, unit string) float64 {
	vs := slices.Clone(s[name][unit])
	if len(vs) == 0 {
		return math.NaN()
	}
	slices.Sort(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2]
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
}

// slope fits y = a + b·n by least squares over the points that exist.
func slope(ns []float64, ys []float64) float64 {
	var sn, sy, snn, sny, k float64
	for i := range ns {
		if math.IsNaN(ys[i]) {
			continue
		}
		sn += ns[i]
		sy += ys[i]
		snn += ns[i] * ns[i]
		sny += ns[i] * ys[i]
		k++
	}
	if k < 2 {
		return math.NaN()
	}
	return (k*sny - sn*sy) / (k*snn - sn*sn)
}

type row struct {
	goal, measured, target string
	ok                     *bool // nil: not measured
}

func check(v float64, good func(float64) bool) *bool {
	if math.IsNaN(v) {
		return nil
	}
	ok := good(v)
	return &ok
}

func ratio(v float64) string {
	if math.IsNaN(v) {
		return "not measured"
	}
	return fmt.Sprintf("%.3g×", v)
}

func num(v float64, unit string) string {
	if math.IsNaN(v) {
		return "not measured"
	}
	return strings.TrimSpace(fmt.Sprintf("%.4g %s", v, unit))
}

func main() {
	flag.Parse()
	s := samples{}
	for _, path := range flag.Args() {
		f, err := os.Open(path)
		if err != nil {
			log.Fatal(err)
		}
		if err := read(f, s); err != nil {
			log.Fatal(err)
		}
		f.Close()
	}
	write(os.Stdout, goals(s))
}

// goals computes the goal table's rows from the samples, in the order of
// the sections of docs/benchmarks.md.
func goals(s samples) []row {
	var rows []row
	le := func(lim float64) func(float64) bool { return func(v float64) bool { return v <= lim } }
	ge := func(lim float64) func(float64) bool { return func(v float64) bool { return v >= lim } }

	// 1. Routing. The goal is judged on the like-for-like Portico rows, the
	// handler kinds that, like httprouter.Handle, take the path variables as
	// httprouter hands them over: portico-params (the httprouter-shaped
	// func(w, r, handler.Params)) and portico-func (handler.Function). The
	// faster of the two by median is the goal row and the table names it;
	// the other rows, including portico-raw (a plain net/http handler, which
	// also pays r.SetPathValue), are shown for reference.
	gh := func(impl, unit string) float64 { return s.med("Routing/case=github-all/impl="+impl, unit) }
	likeForLike := []string{"portico-params", "portico-func"}
	best := ""
	for _, impl := range likeForLike {
		if v := gh(impl, "ns/op"); !math.IsNaN(v) && (best == "" || v < gh(best, "ns/op")) {
			best = impl
		}
	}
	if best == "" {
		best = likeForLike[0] // not measured: the row says so
	}
	routing := func(impl, what, target string) {
		r := gh(impl, "ns/op") / gh("httprouter", "ns/op")
		a, h := gh(impl, "allocs/op"), gh("httprouter", "allocs/op")
		allocs := fmt.Sprintf("%.0f vs %.0f", a, h)
		if math.IsNaN(a) || math.IsNaN(h) {
			allocs = "not measured"
		}
		if target == "" {
			rows = append(rows,
				row{"GitHub API, no interceptors (" + impl + what + "): time vs httprouter", ratio(r), "(reference)", nil},
				row{"GitHub API (" + impl + what + "): allocs per 203 requests vs httprouter", allocs, "(reference)", nil})
			return
		}
		rows = append(rows,
			row{"GitHub API, no interceptors (" + impl + what + "): time vs httprouter", ratio(r), "≤ 1.20×", check(r, le(1.2))},
			row{"GitHub API (" + impl + what + "): allocs per 203 requests vs httprouter", allocs, "≤ httprouter", check(a-h, le(0))})
	}
	routing(best, ", best like-for-like row", "goal")
	for _, impl := range []string{"portico-params", "portico-func", "portico-raw"} {
		if impl != best {
			routing(impl, "", "")
		}
	}

	// 2. Chain.
	ch := func(n int, impl, unit string) float64 {
		return s.med(fmt.Sprintf("Chain/n=%02d/impl=%s", n, impl), unit)
	}
	r := ch(3, "portico", "ns/op") / ch(3, "gin", "ns/op")
	rows = append(rows, row{"3 interceptors on a parameter route vs gin with 3 middlewares", ratio(r), "≤ 1.30×", check(r, le(1.3))})
	r = ch(3, "portico", "ns/op") / ch(3, "echo", "ns/op")
	rows = append(rows, row{"3 interceptors on a parameter route vs echo with 3 middlewares", ratio(r), "≤ 1.00×", check(r, le(1))})
	r = ch(3, "portico-scoped", "ns/op") / ch(3, "echo", "ns/op")
	rows = append(rows, row{"3 interceptors with a request scope (portico-scoped) vs echo with 3 middlewares", ratio(r), "(reference)", nil})
	a3, a0 := ch(3, "portico", "allocs/op"), ch(0, "portico", "allocs/op")
	rows = append(rows, row{"allocs, 3 stateless interceptors vs none",
		fmt.Sprintf("%.0f vs %.0f", a3, a0), "equal", check(a3-a0, le(0))})
	as := ch(3, "portico-scoped", "allocs/op")
	rows = append(rows, row{"allocs, 3 interceptors with a request scope vs none",
		fmt.Sprintf("%.0f vs %.0f", as, a0), "≤ +1 (the Request copy)", check(as-a0, le(1))})
	xs := []float64{1, 3, 5, 10}
	// fit is the slope over xs of the benchmarks name(n) names.
	fit := func(name func(n int) string, unit string) float64 {
		ys := make([]float64, len(xs))
		for i, n := range xs {
			ys[i] = s.med(name(int(n)), unit)
		}
		return slope(xs, ys)
	}
	per := func(impl, unit string) float64 {
		return fit(func(n int) string { return fmt.Sprintf("Chain/n=%02d/impl=%s", n, impl) }, unit)
	}
	ps := per("portico", "ns/op")
	// The floor is three bare loops of hook calls with no framework: what
	// any chain with Spring's three hooks pays per interceptor here.
	floor := fit(func(n int) string { return fmt.Sprintf("HookFloor/n=%02d", n) }, "ns/op")
	rows = append(rows, row{"each added interceptor (least-squares slope over n = 1, 3, 5, 10)",
		fmt.Sprintf("%s (gin %s, echo %s, chi %s; floor of three hook calls %s)", num(ps, "ns"), num(per("gin", "ns/op"), "ns"),
			num(per("echo", "ns/op"), "ns"), num(per("chi", "ns/op"), "ns"), num(floor, "ns")),
		"≤ 5 ns", check(ps, le(5))})
	pa := per("portico", "allocs/op")
	rows = append(rows, row{"allocations per added interceptor", num(pa, "allocs"), "0", check(math.Abs(pa), le(0.01))})

	// Start-up.
	b1, b12 := s.med("Build/routes=01200", "ns/op"), s.med("Build/routes=12000", "ns/op")
	r = b12 / b1
	rows = append(rows, row{"Build, 12,000 routes vs 1,200", ratio(r), "≤ 15×", check(r, le(15))})
	rows = append(rows, row{"Build, 12,000 routes", num(b12/1e9, "s"), "< 1 s", check(b12, le(1e9))})

	// 3. Registry.
	rg := func(n int, impl string) float64 {
		return s.med(fmt.Sprintf("Registry/registered=%03d/impl=%s", n, impl), "ns/op")
	}
	r = rg(100, "portico") / rg(10, "portico")
	rows = append(rows, row{"100 registered (3 apply) vs 10 registered", ratio(r), "≤ 1.10×", check(r, le(1.1))})
	r = rg(100, "mapped-per-request") / rg(10, "mapped-per-request")
	rows = append(rows, row{"per-request matching baseline, 100 vs 10 registered", ratio(r), "grows (> 1.10×)", check(r, func(v float64) bool { return v > 1.1 })})

	// 4. JWT.
	jw := func(impl string) float64 { return s.med("JWT/impl="+impl, "ns/op") }
	r = jw("portico-nocache") / jw("golang-jwt")
	rows = append(rows, row{"JWT stage without cache vs plain golang-jwt ParseWithClaims", ratio(r), "≤ 1.05×", check(r, le(1.05))})
	r = jw("portico-cache") / jw("golang-jwt")
	rows = append(rows, row{"JWT stage with the verified-token cache vs plain golang-jwt", ratio(r), "≤ 0.50×", check(r, le(0.5))})

	// 5. Login with Redis.
	for _, impl := range []string{"portico", "seed-gin"} {
		v := s.med("Login/store=redis/impl="+impl, "roundtrips/op")
		want := "1"
		var ok *bool
		if impl == "portico" {
			ok = check(v, func(v float64) bool { return v > 0.999 && v < 1.001 })
		} else {
			want = "(baseline)"
		}
		rows = append(rows, row{"Redis round trips per authenticated request, " + impl + " (go-redis hook, benchmark)", num(v, ""), want, ok})
	}
	v := s.med("E2E/case=book/impl=portico-redis", "roundtrips/req")
	rows = append(rows, row{"Redis round trips per request, portico (go-redis hook, whole wrk run)", num(v, ""), "1", check(v, func(v float64) bool { return v > 0.999 && v < 1.001 })})
	r = s.med("LoginParallel/store=redis/impl=seed-gin", "ns/op") / s.med("LoginParallel/store=redis/impl=portico", "ns/op")
	rows = append(rows, row{"protected-route throughput vs seed-style check, same Redis (in process, 64 goroutines)", ratio(r), "≥ 2.00×", check(r, ge(2))})
	e2e := func(impl, c string) float64 { return s.med("E2E/case="+c+"/impl="+impl, "req/s") }
	r = e2e("portico-redis", "book") / e2e("seed-gin-redis", "book")
	rows = append(rows, row{"protected-route throughput vs seed-style check, same Redis (wrk, loopback)", ratio(r), "≥ 2.00×", check(r, ge(2))})

	// 5b. Redis with go-redis's client-side cache (issue 14): a hot session
	// is read from the local copy, so the targets are about zero round trips
	// and the throughput of the in-memory store. Both counts are given: the
	// go-redis hook's and the server's own command statistics.
	zero := func(v float64) bool { return v <= 0.01 }
	for _, u := range []struct{ unit, by string }{{"roundtrips/op", "go-redis hook"}, {"servercmds/op", "server command statistics"}} {
		v := s.med("Login/store=redis-cached/impl=portico", u.unit)
		rows = append(rows, row{"Redis commands per hot authenticated request, client-side cache (" + u.by + ", benchmark)", num(v, ""), "≈ 0 (≤ 0.01)", check(v, zero)})
	}
	v = s.med("E2E/case=book/impl=portico-redis-cached", "roundtrips/req")
	rows = append(rows, row{"Redis round trips per request, client-side cache (go-redis hook, whole wrk run)", num(v, ""), "≈ 0 (≤ 0.01)", check(v, zero)})
	lp := func(store, impl string) float64 { return s.med("LoginParallel/store="+store+"/impl="+impl, "ns/op") }
	r = lp("memory", "portico") / lp("redis-cached", "portico")
	rows = append(rows, row{"protected-route throughput, cached Redis vs in-memory store (in process, 64 goroutines)", ratio(r), "≥ 0.90×", check(r, ge(0.9))})
	r = e2e("portico-redis-cached", "book") / e2e("portico-memory", "book")
	rows = append(rows, row{"protected-route throughput, cached Redis vs in-memory store (wrk, loopback)", ratio(r), "≥ 0.90×", check(r, ge(0.9))})
	r = lp("redis", "seed-gin") / lp("redis-cached", "portico")
	rows = append(rows, row{"protected-route throughput, cached Redis vs seed-style check (in process, 64 goroutines)", ratio(r), "≥ 2.00×", check(r, ge(2))})
	r = e2e("portico-redis-cached", "book") / e2e("seed-gin-redis", "book")
	rows = append(rows, row{"protected-route throughput, cached Redis vs seed-style check (wrk, loopback)", ratio(r), "≥ 2.00×", check(r, ge(2))})

	// 6. End to end.
	r = e2e("portico", "hello") / e2e("httprouter", "hello")
	rows = append(rows, row{"hello route, requests/s vs raw httprouter (wrk)", ratio(r), "≥ 0.95×", check(r, ge(0.95))})
	r = e2e("portico-redis", "book") / e2e("httprouter", "hello")
	rows = append(rows, row{"protected route with login and Redis, requests/s vs httprouter hello (wrk)", ratio(r), "≥ 0.55×", check(r, ge(0.55))})
	r = e2e("portico-redis-cached", "book") / e2e("httprouter", "hello")
	rows = append(rows, row{"protected route with login and cached Redis, requests/s vs httprouter hello (wrk)", ratio(r), "(reference)", nil})
	r = e2e("example-app-redis", "book") / e2e("httprouter", "hello")
	rows = append(rows, row{"example app GET /book/{id} with Redis, requests/s vs httprouter hello (wrk)", ratio(r), "≥ 0.55×", check(r, ge(0.55))})

	// 7. Observability filters on the hello route (issue 12), by CPU time
	// per request (steadier than wall time on a shared machine; it includes
	// the span exporter's goroutine). Only tracing without a provider has a
	// target: close to zero, read as no extra allocation and at most 10 %
	// more CPU; the others are costs to report.
	ob := func(c, unit string) float64 { return s.med("Observability/"+c, unit) }
	allocs := func(c string) string {
		a, n := ob(c, "allocs/op"), ob("none", "allocs/op")
		if math.IsNaN(a) || math.IsNaN(n) {
			return "not measured"
		}
		return fmt.Sprintf("%.0f vs %.0f allocs", a, n)
	}
	r = ob("tracing-off", "cpu-ns/op") / ob("none", "cpu-ns/op")
	rows = append(rows, row{"tracing filter with no TracerProvider vs no filter, CPU time per request", ratio(r), "≤ 1.10×", check(r, le(1.1))})
	d := ob("tracing-off", "allocs/op") - ob("none", "allocs/op")
	rows = append(rows, row{"tracing filter with no TracerProvider vs no filter, allocations", allocs("tracing-off"), "equal", check(d, le(0))})
	for _, c := range []struct{ name, what string }{
		{"tracing-on", "tracing on (SDK, spans discarded)"},
		{"tracing-on-handler-spans", "tracing on with handler and interceptor spans"},
		{"metrics", "metrics (prometheus/client_golang)"},
		{"accesslog", "access log (JSON to io.Discard)"},
		{"requestid", "request id"},
		{"all", "request id + tracing on + access log + metrics"},
	} {
		r = ob(c.name, "cpu-ns/op") / ob("none", "cpu-ns/op")
		m := ratio(r)
		if !math.IsNaN(r) {
			m += " (" + allocs(c.name) + ")"
		}
		rows = append(rows, row{c.what + " vs no filter, CPU time per request", m, "(reference)", nil})
	}
	return rows
}

// status is the Status column: met, missed, not measured, or a dash for a
// row that has no target.
func (r row) status() string {
	switch {
	case r.target == "(baseline)" || r.target == "(reference)":
		return "—"
	case r.ok == nil:
		return "not measured"
	case *r.ok:
		return "met"
	}
	return "**missed**"
}

func write(w io.Writer, rows []row) {
	fmt.Fprintln(w, "| Goal | Measured (median of runs) | Target | Status |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", r.goal, r.measured, r.target, r.status())
	}
}
