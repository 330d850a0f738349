#!/usr/bin/env bash
# Runs Portico's benchmark suite and writes docs/benchmarks.md: the
# microbenchmarks COUNT times (interleaved, one full pass after another, so
# a noisy neighbour hurts every framework alike), then the end-to-end
# targets under wrk over loopback, round-robin for E2E_ROUNDS rounds.
# Needs redis-server (started here unless REDIS_ADDR is set) and wrk
# (apt-get install -y wrk); without wrk the end-to-end rows are left out.
# About 10-12 minutes on two cores with the defaults.
set -euo pipefail

cd "$(dirname "$0")"
bench_dir=$(pwd)
root=$(cd .. && pwd)

COUNT=${COUNT:-8}                  # passes over the microbenchmarks (benchstat wants >= 6)
BENCHTIME=${BENCHTIME:-200ms}      # per benchmark per pass
E2E_ROUNDS=${E2E_ROUNDS:-5}        # wrk runs per end-to-end target
E2E_SECONDS=${E2E_SECONDS:-4}      # length of each wrk run
E2E_CONNS=${E2E_CONNS:-64}         # wrk connections
OUT=${OUT:-$root/docs/benchmarks.md}
RAW_DIR=${RAW_DIR:-}               # if set, the raw benchmark output is kept there
REPORT_FROM=${REPORT_FROM:-}       # if set, rewrite the report from a RAW_DIR of an earlier run; measure nothing

work=$(mktemp -d)
redis_pid=""
t_pid=""   # the end-to-end target running now, if any
cleanup() {
  for p in "$t_pid" "$redis_pid"; do
    if [ -n "$p" ]; then
      kill "$p" 2>/dev/null || true
      wait "$p" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

log() { printf '== %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local p
  for p in $(seq "$1" $(($1 + 200))); do
    if ! port_open "$p"; then echo "$p"; return; fi
  done
  echo "no free port near $1" >&2
  return 1
}

wait_port() {
  local i
  for i in $(seq 1 100); do
    if port_open "$1"; then return 0; fi
    sleep 0.1
  done
  echo "nothing listening on 127.0.0.1:$1" >&2
  return 1
}

e2e_note=""
if [ -n "$REPORT_FROM" ]; then
  cp "$REPORT_FROM/micro.txt" "$REPORT_FROM/e2e.txt" "$work/"
  # The Method section states the passes and rounds of the run that made
  # the raw files, not this script's defaults.
  most_runs() { awk '/^Benchmark/ {n[$1]++} END {m = 0; for (k in n) if (n[k] > m) m = n[k]; print m}' "$1"; }
  COUNT=$(most_runs "$work/micro.txt")
  if [ -s "$work/e2e.txt" ]; then E2E_ROUNDS=$(most_runs "$work/e2e.txt"); fi
  if [ -f "$REPORT_FROM/e2e_note.txt" ]; then e2e_note=$(cat "$REPORT_FROM/e2e_note.txt"); fi
else
# --- Redis -----------------------------------------------------------------
if [ -z "${REDIS_ADDR:-}" ]; then
  command -v redis-server >/dev/null || { echo "redis-server not found; install it or set REDIS_ADDR" >&2; exit 1; }
  rport=$(free_port 16379)
  redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
  redis_pid=$!
  wait_port "$rport"
  export REDIS_ADDR=127.0.0.1:$rport
  log "redis-server on $REDIS_ADDR"
fi

# --- microbenchmarks -------------------------------------------------------
# Each benchmark runs in its own process, all of them in a fresh random
# order on every pass: bursts of load from other jobs then land on random
# frameworks instead of always on the pair that happens to run side by side.
log "building the benchmark binary"
go test -c -o "$work/bench.test" .
"$work/bench.test" -test.run '^$' -test.bench . -test.benchtime 1x |
  sed -n 's/^\(Benchmark[^ \t]*\)-[0-9]*[ \t].*/\1/p' >"$work/names.txt"
# anchored turns Routing/case=x/impl=y into ^Routing$/^case=x$/^impl=y$.
anchored() { sed -e 's/[]*.+?(){}|^$\\[]/\\&/g' -e 's|/|$/^|g' -e 's/^/^/' -e 's/$/$/'; }
: >"$work/micro.txt"
for i in $(seq 1 "$COUNT"); do
  log "microbenchmarks, pass $i/$COUNT ($(wc -l <"$work/names.txt") benchmarks, shuffled)"
  shuf "$work/names.txt" | while read -r name; do
    "$work/bench.test" -test.run '^$' -test.bench "$(printf '%s' "$name" | anchored)" \
      -test.benchtime "$BENCHTIME" -test.count 1 | grep '^Benchmark' >>"$work/micro.txt" || true
  done
done

# --- end to end ------------------------------------------------------------
: >"$work/e2e.txt"
if command -v wrk >/dev/null; then
  log "building the end-to-end servers"
  go build -o "$work/e2eserver" ./cmd/e2eserver
  example_app=""
  if (cd "$root" && go build -o "$work/example-app" ./example-app) 2>"$work/example-build.log"; then
    example_app="$work/example-app"
  else
    e2e_note="The example app did not build at the time of the run, so its rows are pending."
  fi

  # target name → "case/impl" label, and how to start it.
  targets=(hello-nethttp hello-httprouter hello-portico book-portico-memory book-portico-redis book-portico-redis-cached book-seed-redis)
  if [ -n "$example_app" ]; then targets+=(example-app-memory example-app-redis); fi

  # start_target NAME PORT starts a target in the background and sets
  # t_pid, t_url and t_tok (empty for the open hello route).
  start_target() {
    local name=$1 port=$2
    t_tok=""
    case $name in
      example-app-*)
        local env=(APP_ADDR="127.0.0.1:$port" APP_DB="$work/app-$name-$port.db" APP_REDIS_PREFIX="bench:$name:$port:")
        if [ "$name" = example-app-redis ]; then env+=(REDIS_ADDR="$REDIS_ADDR"); else env+=(REDIS_ADDR=); fi
        env "${env[@]}" "$example_app" >"$work/$name.log" 2>&1 &
        t_pid=$!
        wait_port "$port" || return 1
        t_tok=$(curl -fsS -H 'Content-Type: application/json' -d '{"username":"admin","password":"admin123"}' \
                  "http://127.0.0.1:$port/user/login" | grep -o '"accessToken":"[^"]*"' | cut -d'"' -f4) || true
        t_url=http://127.0.0.1:$port/book/1
        ;;
      *)
        "$work/e2eserver" -addr "127.0.0.1:$port" -mode "$name" -token-file "$work/$name.token" >"$work/$name.log" 2>&1 &
        t_pid=$!
        wait_port "$port" || return 1
        case $name in
          hello-*) t_url=http://127.0.0.1:$port/hello ;;
          *) t_url=http://127.0.0.1:$port/book/42; t_tok=$(cat "$work/$name.token") ;;
        esac
        ;;
    esac
  }

  stop_target() {
    if [ -n "$t_pid" ]; then
      kill "$t_pid" 2>/dev/null || true
      wait "$t_pid" 2>/dev/null || true
    fi
    t_pid=""
  }

  label() {
    case $1 in
      hello-*) echo "case=hello/impl=${1#hello-}" ;;
      book-seed-redis) echo "case=book/impl=seed-gin-redis" ;;
      book-*) echo "case=book/impl=${1#book-}" ;;
      example-app-*) echo "case=book/impl=$1" ;;
    esac
  }

  for round in $(seq 1 "$E2E_ROUNDS"); do
    for name in "${targets[@]}"; do
      log "wrk round $round/$E2E_ROUNDS: $name"
      port=$(free_port 18080)
      if ! start_target "$name" "$port"; then
        log "$name did not start; skipped"; stop_target; continue
      fi
      hdr=()
      if [ -n "$t_tok" ]; then hdr=(-H "Authorization: Bearer $t_tok"); fi
      status=$(curl -s -o /dev/null -w '%{http_code}' "${hdr[@]+"${hdr[@]}"}" "$t_url" || true)
      if [ "$status" != 200 ]; then
        log "$name answered $status on $t_url; skipped"; stop_target; continue
      fi
      wrk -t1 -c"$E2E_CONNS" -d1s "${hdr[@]+"${hdr[@]}"}" "$t_url" >/dev/null   # warm-up
      wrk -t1 -c"$E2E_CONNS" -d"${E2E_SECONDS}s" "${hdr[@]+"${hdr[@]}"}" "$t_url" >"$work/wrk.out"
      stop_target
      if grep -q 'Non-2xx' "$work/wrk.out"; then
        log "$name: wrk saw error responses; skipped"; cat "$work/wrk.out" >&2
        continue
      fi
      rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.out")
      total=$(awk '/requests in/ {print $1}' "$work/wrk.out")
      line="BenchmarkE2E/$(label "$name") $total $(awk -v r="$rps" 'BEGIN {printf "%.1f", 1e9 / r}') ns/op $rps req/s"
      # e2eserver reports its Redis round trips over everything it served.
      if [[ $name == book-*-redis* ]]; then
        rt=$(sed -n 's/^requests=\([0-9]*\) roundtrips=\([0-9]*\)$/\1 \2/p' "$work/$name.log")
        if [ -n "$rt" ]; then
          line+=" $(awk -v a="${rt% *}" -v b="${rt#* }" 'BEGIN {printf "%.4f", b / a}') roundtrips/req"
        fi
      fi
      echo "$line" >>"$work/e2e.txt"
    done
  done
  if [ -n "$example_app" ] && ! grep -q 'impl=example-app' "$work/e2e.txt"; then
    e2e_note="The example app built but did not serve an authenticated GET /book/1 (see the run log), so its rows are pending."
  fi
else
  e2e_note="wrk was not installed, so the end-to-end rows are missing."
fi

fi

# --- report ----------------------------------------------------------------
log "writing $OUT"
benchstat() { go tool benchstat "$@"; }
table() { # table TITLE FILTER COLUMN FILE
  printf '\n### %s\n\n```\n' "$1"
  benchstat -filter "$2" -row '.fullname@alpha' -col "$3" "$4" | sed -e '/^goos:/d' -e '/^goarch:/d' -e '/^pkg:/d' -e '/^cpu:/d'
  printf '```\n'
}
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
wrk_version=$({ wrk -v 2>&1 || true; } | head -1 | awk '{print $2}')
{
  cat <<HEADER
# Benchmarks

Generated by \`bench/run.sh\` on $(date -u +%Y-%m-%d). Do not edit the tables by hand; rerun the script.

- Machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $(uname -sr); shared with other jobs, so absolute times
  are noisy and every comparison is a ratio measured side by side in the same run.
- Go: $(go version | cut -d' ' -f3-); peers: $(go list -m -f '{{.Path}} {{.Version}}' github.com/julienschmidt/httprouter github.com/gin-gonic/gin github.com/labstack/echo/v4 github.com/go-chi/chi/v5 github.com/golang-jwt/jwt/v5 | paste -sd, | sed 's/,/, /g').
- Redis: $(redis-server --version 2>/dev/null | awk '{print $3}' | sed 's/v=//') on loopback; wrk: ${wrk_version:-not installed}.

## Method

- Microbenchmarks (\`bench/*_test.go\`): $COUNT passes; in each pass every benchmark runs once for $BENCHTIME in its own
  process, in a fresh random order, so that load from other jobs spreads over all frameworks; tables by benchstat (median, 95% confidence
  interval, and the change against the first column where one is shown). Handlers do equivalent minimal work; the
  response writer is a no-op and requests are replayed, with the one field \`r.SetPathValue\` allocates cleared
  before each request so its per-request map is counted as in a real server.
- End to end: each target in its own process on 127.0.0.1 (\`bench/cmd/e2eserver\`, the example app built from
  \`./example-app\`), loaded by \`wrk -t1 -c$E2E_CONNS -d${E2E_SECONDS}s\` after a 1 s warm-up, targets taken in turn for
  $E2E_ROUNDS rounds; a run with any non-2xx answer is discarded. wrk and the server share the two cores.
- Redis round trips are counted with a go-redis hook (one per command, one per pipeline).
- Ratios in the goal table are between medians of the same run.

## Goals
HEADER
  echo
  go run ./cmd/benchreport "$work/micro.txt" "$work/e2e.txt"
  if [ -n "$e2e_note" ]; then printf '\n%s\n' "$e2e_note"; fi
  echo
  cat "$bench_dir/notes.md"
  printf '\n## Tables\n'
  table "1. Routing and dispatch, no middleware (github-all: one op = all 203 requests)" '.name:Routing' '/impl@(httprouter portico-params portico-func portico-raw gin echo chi)' "$work/micro.txt"
  table "2. Chain cost: n interceptors or middlewares on GET /book/{id}" '.name:Chain' '/impl@(gin portico portico-scoped echo chi)' "$work/micro.txt"
  table "2a. Hook floor: the three hooks of n interceptors in bare loops, no framework" '.name:HookFloor' '.name' "$work/micro.txt"
  table "2b. Start-up: registering and building n routes" '.name:Build' '.name' "$work/micro.txt"
  table "3. Registry scaling: registered path-scoped interceptors, 3 apply" '.name:Registry' '/impl@(portico mapped-per-request)' "$work/micro.txt"
  table "4. Pattern matching" '.name:Pattern' '/impl@(portico path.Match regexp)' "$work/micro.txt"
  table "5a. JWT stage" '.name:JWT' '/impl@(golang-jwt portico-nocache portico-cache)' "$work/micro.txt"
  table "5b. Login check, one request at a time" '.name:Login' '/impl@(seed-gin portico)' "$work/micro.txt"
  table "5c. Login check, 64 goroutines" '.name:LoginParallel' '/impl@(seed-gin portico)' "$work/micro.txt"
  if [ -s "$work/e2e.txt" ]; then
    table "6. End to end over loopback (wrk)" '.name:E2E' '/impl@(httprouter nethttp portico seed-gin-redis portico-memory portico-redis portico-redis-cached example-app-memory example-app-redis)' "$work/e2e.txt"
  fi
  table "7. Observability filters on GET /hello (cpu-sec/op: the process's CPU time per request)" '.name:Observability' '.name' "$work/micro.txt"
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
if [ -n "$RAW_DIR" ]; then
  mkdir -p "$RAW_DIR"
  cp "$work/micro.txt" "$work/e2e.txt" "$RAW_DIR/"
  printf '%s' "$e2e_note" >"$RAW_DIR/e2e_note.txt"
fi
log "done: $OUT"
