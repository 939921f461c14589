#!/usr/bin/env bash
# TLS vs plain HTTP (issue 7): throughput of the document list over keep-alive connections,
# once served as plain HTTP and once with `kontor serve --tls-cert/--tls-key` (rustls), same
# data, same machine. Target: TLS >= 80 % of plain.
#
#   bench/tls-load.sh                 # 20,000 invoices, 10 s per wrk run, release build
#   bench/tls-load.sh --quick         # 2,000 invoices, 3 s per run
#   KONTOR_BENCH_PROFILE=debug bench/tls-load.sh --quick   # the debug build (no release build)
#
# Seeds issued invoices with kontor-loadgen, restarts the server so that it archives their PDFs
# and waits until that background work is done (otherwise it would run during one of the two
# measurements only), then serves the same data folder twice at once: plain HTTP and HTTPS
# (rustls). Logs in through the form on each (kontor_session / __Host-kontor_session) and
# drives wrk (Debian's package, built with OpenSSL) with 16 keep-alive connections against
# /documents, alternating plain and TLS runs ROUNDS times (default 3), and reports the median
# throughput of each and the server's CPU time per request (user+system from /proc, which
# other load on the machine does not inflate). Everything on 127.0.0.1; a trap stops the servers.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
INVOICES=20000
ROUNDS="${ROUNDS:-3}"
SECS=10
CONNS=16
[ "${1:-}" = "--quick" ] && { INVOICES=2000; SECS=3; }
[ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] && { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
for tool in wrk openssl curl; do
    command -v "$tool" >/dev/null || { echo "tls-load.sh: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done

PROFILE="${KONTOR_BENCH_PROFILE:-release}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kontor/target}"
if [ "$PROFILE" = release ]; then
    cargo build --release -q --workspace --bins --examples
else
    cargo build -q --workspace --bins --examples
fi
KONTOR="$CARGO_TARGET_DIR/$PROFILE/kontor"
LOADGEN="$CARGO_TARGET_DIR/$PROFILE/kontor-loadgen"

WORK="$(mktemp -d /tmp/kontor-tls-load.XXXXXX)"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

DATA="$WORK/data"
mkdir -p "$DATA"
PASS='a long passphrase 123'
echo "$PASS" | "$KONTOR" --data-dir "$DATA" user add bench --role admin 2>/dev/null
export KONTOR_LOADGEN_TOKEN="$("$KONTOR" --data-dir "$DATA" token create bench)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null

start() { # SCHEME -> sets BASE and PID
    local port extra=()
    port="$("$LOADGEN" free-port)"
    [ "$1" = https ] && extra=(--tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem")
    KONTOR_LOG=warn "$KONTOR" --data-dir "$DATA" serve --listen "127.0.0.1:$port" "${extra[@]}" >"$WORK/server-$1.log" 2>&1 &
    PID=$!
    PIDS+=("$PID")
    BASE="$1://127.0.0.1:$port"
    for _ in $(seq 1 100); do
        curl -skf "$BASE/healthz" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "tls-load.sh: server did not start:" >&2
    cat "$WORK/server-$1.log" >&2
    exit 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Waits until the server has used no CPU for 3 seconds in a row (its archiver is done).
wait_idle() { # PID
    local quiet=0 last now
    last=$(cpu_ticks "$1")
    while [ "$quiet" -lt 3 ]; do
        sleep 1
        now=$(cpu_ticks "$1")
        if [ $((now - last)) -le 1 ]; then quiet=$((quiet + 1)); else quiet=0; fi
        last=$now
    done
}

login() { # BASE
    curl -sk -o /dev/null -D - --data-urlencode "username=bench" --data-urlencode "password=$PASS" "$1/login" \
        | sed -n 's/^set-cookie: \(\(__Host-\)\{0,1\}kontor_session=[^;]*\).*/\1/ip' | tr -d '\r'
}

measure() { # NAME BASE COOKIE PID -> appends "rps p50 p99 cpu_ms_per_request" to $WORK/NAME
    local out t0 t1 reqs
    t0=$(cpu_ticks "$4")
    out=$(wrk -t 2 -c "$CONNS" -d "${SECS}s" --latency -H "Cookie: $3" "$2/documents")
    t1=$(cpu_ticks "$4")
    if echo "$out" | grep -qE "Non-2xx|Socket errors"; then
        echo "tls-load.sh: errors during the $1 run:" >&2
        echo "$out" >&2
        exit 1
    fi
    reqs=$(echo "$out" | awk '/requests in/{print $1}')
    echo "$(echo "$out" | awk '/Requests\/sec/{print $2}') $(echo "$out" | awk '$1=="50%"{print $2}') \
$(echo "$out" | awk '$1=="99%"{print $2}') $(python3 -c "print(round(($t1 - $t0) * 1000 / $(getconf CLK_TCK) / $reqs, 3))")" >>"$WORK/$1"
    tail -n 1 "$WORK/$1" | awk -v n="$1" '{printf "  %-6s %10s req/s  p50 %8s  p99 %8s  server CPU %s ms/request\n", n, $1, $2, $3, $4}'
}

start http
echo "seeding $INVOICES issued invoices …"
"$LOADGEN" setup --url "$BASE" >/dev/null
"$LOADGEN" seed --data-dir "$DATA" --target "$INVOICES" --backend sqlite >/dev/null
kill -TERM "$PID"; wait "$PID" 2>/dev/null || true
echo "archiving their PDFs (a restarted server does that in the background) …"
start http
PLAIN_BASE=$BASE PLAIN_PID=$PID
wait_idle "$PLAIN_PID"
start https
TLS_BASE=$BASE TLS_PID=$PID
wait_idle "$TLS_PID"
TLSV=$(openssl s_client -connect "${TLS_BASE#https://}" -brief </dev/null 2>&1 | sed -n 's/^Protocol version: //p;s/^Ciphersuite: //p' | tr '\n' ' ')
PLAIN_COOKIE="$(login "$PLAIN_BASE")"
TLS_COOKIE="$(login "$TLS_BASE")"
[ -n "$PLAIN_COOKIE" ] && [ -n "$TLS_COOKIE" ] || { echo "tls-load.sh: login failed" >&2; exit 1; }

echo
echo "Kontor document list (page 1 of $INVOICES invoices, SQLite), $PROFILE build, wrk ${SECS}s, $CONNS keep-alive connections,"
echo "$(nproc) cores shared by both servers and wrk; plain and TLS ($TLSV) alternate, $ROUNDS rounds"
for round in $(seq 1 "$ROUNDS"); do
    measure plain "$PLAIN_BASE" "$PLAIN_COOKIE" "$PLAIN_PID"
    measure tls "$TLS_BASE" "$TLS_COOKIE" "$TLS_PID"
done
python3 - "$WORK/plain" "$WORK/tls" <<'PY'
import statistics, sys
def load(path):
    rows = [line.split() for line in open(path) if line.strip()]
    return statistics.median(float(r[0]) for r in rows), statistics.median(float(r[3]) for r in rows)
(plain, plain_cpu), (tls, tls_cpu) = load(sys.argv[1]), load(sys.argv[2])
ratio = tls / plain * 100
print(f"median plain {plain:.1f} req/s, TLS {tls:.1f} req/s")
print(f"TLS/plain = {ratio:.1f} % (target >= 80 %): {'met' if ratio >= 80 else 'NOT met'}")
print(f"server CPU per request: plain {plain_cpu:.3f} ms, TLS {tls_cpu:.3f} ms "
      f"(TLS costs {tls_cpu - plain_cpu:+.3f} ms, plain/TLS CPU = {plain_cpu / tls_cpu * 100:.1f} %)")
PY
