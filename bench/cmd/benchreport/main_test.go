package main

import (
	"fmt"
	"strings"
	"testing"
)

// bench renders one benchmark line as go test prints it.
func bench(name string, metrics ...any) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Benchmark%s-2 \t 1000", name)
	for i := 0; i+1 < len(metrics); i += 2 {
		fmt.Fprintf(&b, " \t %v %s", metrics[i], metrics[i+1])
	}
	return b.String() + "\n"
}

func statusOf(t *testing.T, rows []row, goal string) string {
	t.Helper()
	for _, r := range rows {
		if r.goal == goal {
			return r.status()
		}
	}
	t.Fatalf("no row %q", goal)
	return ""
}

func TestCachedSessionAndObservabilityRows(t *testing.T) {
	const (
		cachedHook   = "Redis commands per hot authenticated request, client-side cache (go-redis hook, benchmark)"
		cachedServer = "Redis commands per hot authenticated request, client-side cache (server command statistics, benchmark)"
		cachedWrk    = "Redis round trips per request, client-side cache (go-redis hook, whole wrk run)"
		vsMemProc    = "protected-route throughput, cached Redis vs in-memory store (in process, 64 goroutines)"
		vsMemWrk     = "protected-route throughput, cached Redis vs in-memory store (wrk, loopback)"
		vsSeedProc   = "protected-route throughput, cached Redis vs seed-style check (in process, 64 goroutines)"
		vsSeedWrk    = "protected-route throughput, cached Redis vs seed-style check (wrk, loopback)"
		offTime      = "tracing filter with no TracerProvider vs no filter, CPU time per request"
		offAllocs    = "tracing filter with no TracerProvider vs no filter, allocations"
		tracingOn    = "tracing on (SDK, spans discarded) vs no filter, CPU time per request"
	)
	tests := []struct {
		name  string
		input string
		want  map[string]string
	}{
		{
			name: "all met",
			input: bench("Login/store=redis-cached/impl=portico", 5000, "ns/op", 0.00004, "roundtrips/op", 0.00003, "servercmds/op") +
				bench("LoginParallel/store=memory/impl=portico", 1000, "ns/op") +
				bench("LoginParallel/store=redis-cached/impl=portico", 1050, "ns/op") +
				bench("LoginParallel/store=redis/impl=seed-gin", 3000, "ns/op") +
				bench("E2E/case=book/impl=portico-memory", 1, "ns/op", 1000, "req/s") +
				bench("E2E/case=book/impl=portico-redis-cached", 1, "ns/op", 950, "req/s", 0, "roundtrips/req") +
				bench("E2E/case=book/impl=seed-gin-redis", 1, "ns/op", 400, "req/s", 2, "roundtrips/req") +
				bench("Observability/none", 800, "ns/op", 700, "cpu-ns/op", 2, "allocs/op") +
				bench("Observability/tracing-off", 810, "ns/op", 720, "cpu-ns/op", 2, "allocs/op") +
				bench("Observability/tracing-on", 9000, "ns/op", 7000, "cpu-ns/op", 22, "allocs/op"),
			want: map[string]string{
				cachedHook: "met", cachedServer: "met", cachedWrk: "met",
				vsMemProc: "met", vsMemWrk: "met", vsSeedProc: "met", vsSeedWrk: "met",
				offTime: "met", offAllocs: "met", tracingOn: "—",
			},
		},
		{
			name: "all missed",
			input: bench("Login/store=redis-cached/impl=portico", 5000, "ns/op", 1, "roundtrips/op", 1, "servercmds/op") +
				bench("LoginParallel/store=memory/impl=portico", 1000, "ns/op") +
				bench("LoginParallel/store=redis-cached/impl=portico", 2000, "ns/op") +
				bench("LoginParallel/store=redis/impl=seed-gin", 3000, "ns/op") +
				bench("E2E/case=book/impl=portico-memory", 1, "ns/op", 1000, "req/s") +
				bench("E2E/case=book/impl=portico-redis-cached", 1, "ns/op", 500, "req/s", 1, "roundtrips/req") +
				bench("E2E/case=book/impl=seed-gin-redis", 1, "ns/op", 400, "req/s", 2, "roundtrips/req") +
				bench("Observability/none", 800, "ns/op", 700, "cpu-ns/op", 2, "allocs/op") +
				bench("Observability/tracing-off", 1000, "ns/op", 900, "cpu-ns/op", 3, "allocs/op"),
			want: map[string]string{
				cachedHook: "**missed**", cachedServer: "**missed**", cachedWrk: "**missed**",
				vsMemProc: "**missed**", vsMemWrk: "**missed**", vsSeedProc: "**missed**", vsSeedWrk: "**missed**",
				offTime: "**missed**", offAllocs: "**missed**",
			},
		},
		{
			name:  "not measured",
			input: bench("Observability/none", 800, "ns/op", 700, "cpu-ns/op", 2, "allocs/op"),
			want: map[string]string{
				cachedHook: "not measured", cachedWrk: "not measured", vsMemWrk: "not measured",
				offTime: "not measured", offAllocs: "not measured",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := samples{}
			if err := read(strings.NewReader(tt.input), s); err != nil {
				t.Fatal(err)
			}
			rows := goals(s)
			for goal, want := range tt.want {
				if got := statusOf(t, rows, goal); got != want {
					t.Errorf("%s: status %q, want %q", goal, got, want)
				}
			}
		})
	}
}

// TestMedianOfRuns checks that ratios come from medians: one outlier run
// must not decide a row.
func TestMedianOfRuns(t *testing.T) {
	in := bench("LoginParallel/store=memory/impl=portico", 1000, "ns/op") +
		bench("LoginParallel/store=memory/impl=portico", 1000, "ns/op") +
		bench("LoginParallel/store=memory/impl=portico", 90000, "ns/op") +
		bench("LoginParallel/store=redis-cached/impl=portico", 1050, "ns/op")
	s := samples{}
	if err := read(strings.NewReader(in), s); err != nil {
		t.Fatal(err)
	}
	if got := statusOf(t, goals(s), "protected-route throughput, cached Redis vs in-memory store (in process, 64 goroutines)"); got != "met" {
		t.Errorf("status %q, want met (median 1000 ns vs 1050 ns)", got)
	}
}

// TestSlopeRowNamesTheFloor checks the per-interceptor row: Portico's
// slope decides it, and the floor's slope is printed beside the peers'.
func TestSlopeRowNamesTheFloor(t *testing.T) {
	const goal = "each added interceptor (least-squares slope over n = 1, 3, 5, 10)"
	var in strings.Builder
	for _, n := range []int{1, 3, 5, 10} {
		in.WriteString(bench(fmt.Sprintf("Chain/n=%02d/impl=portico", n), 100+6*n, "ns/op", 0, "allocs/op"))
		in.WriteString(bench(fmt.Sprintf("Chain/n=%02d/impl=gin", n), 50+4*n, "ns/op"))
		in.WriteString(bench(fmt.Sprintf("HookFloor/n=%02d", n), 2+5*n, "ns/op"))
	}
	s := samples{}
	if err := read(strings.NewReader(in.String()), s); err != nil {
		t.Fatal(err)
	}
	rows := goals(s)
	if got := statusOf(t, rows, goal); got != "**missed**" {
		t.Errorf("status %q, want missed (6 ns per interceptor)", got)
	}
	for _, r := range rows {
		if r.goal == goal {
			for _, want := range []string{"6 ns (gin 4 ns", "floor of three hook calls 5 ns"} {
				if !strings.Contains(r.measured, want) {
					t.Errorf("measured %q lacks %q", r.measured, want)
				}
			}
		}
	}
}
