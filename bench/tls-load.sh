#!/usr/bin/env bash
# TLS vs plain HTTP (issue 7): throughput of the document list over keep-alive connections,
# once served as plain HTTP and once with `kontor serve --tls-cert/--tls-key` (rustls), same
# data, same machine. Target: TLS >= 80 % of plain.
#
#   bench/tls-load.sh                 # 20,000 invoices, 10 s per wrk run, release build
#   bench/tls-load.sh --quick         # 2,000 invoices, 3 s per run
#   KONTOR_BENCH_PROFILE=debug bench/tls-load.sh --quick   # the debug build (no release build)
#
# Seeds issued invoices with kontor-loadgen, logs in through the form (a session cookie per
# scheme: kontor_session on HTTP, __Host-kontor_session on HTTPS), then drives wrk (Debian's
# package, built with OpenSSL) with 16 keep-alive connections against /documents, first
# over HTTP, then over HTTPS (TLS 1.3). Everything on 127.0.0.1; a trap stops the servers.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
INVOICES=20000
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
    cargo build --release -q -p kontor -p kontor-loadgen
else
    cargo build -q -p kontor -p kontor-loadgen
fi
KONTOR="$CARGO_TARGET_DIR/$PROFILE/kontor"
LOADGEN="$CARGO_TARGET_DIR/$PROFILE/kontor-loadgen"

WORK="$(mktemp -d /tmp/kontor-tls-load.XXXXXX)"
SERVER_PID=""
stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT

DATA="$WORK/data"
mkdir -p "$DATA"
PASS='a long passphrase 123'
echo "$PASS" | "$KONTOR" --data-dir "$DATA" user add bench --role admin 2>/dev/null
export KONTOR_LOADGEN_TOKEN="$("$KONTOR" --data-dir "$DATA" token create bench)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null

start() { # SCHEME
    local port extra=()
    port="$("$LOADGEN" free-port)"
    [ "$1" = https ] && extra=(--tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem")
    KONTOR_LOG=warn "$KONTOR" --data-dir "$DATA" serve --listen "127.0.0.1:$port" "${extra[@]}" >"$WORK/server-$1.log" 2>&1 &
    SERVER_PID=$!
    BASE="$1://127.0.0.1:$port"
    for _ in $(seq 1 100); do
        curl -skf "$BASE/healthz" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "tls-load.sh: server did not start:" >&2
    cat "$WORK/server-$1.log" >&2
    exit 1
}

login() {
    curl -sk -o /dev/null -D - --data-urlencode "username=bench" --data-urlencode "password=$PASS" "$BASE/login" \
        | sed -n 's/^set-cookie: \(\(__Host-\)\{0,1\}kontor_session=[^;]*\).*/\1/ip' | tr -d '\r'
}

measure() { # SCHEME -> sets RPS, P50, P99
    local cookie out
    cookie="$(login)"
    [ -n "$cookie" ] || { echo "tls-load.sh: login over $1 failed" >&2; exit 1; }
    out=$(wrk -t 2 -c "$CONNS" -d "${SECS}s" --latency -H "Cookie: $cookie" "$BASE/documents")
    if echo "$out" | grep -qE "Non-2xx|Socket errors"; then
        echo "tls-load.sh: errors during the $1 run:" >&2
        echo "$out" >&2
        exit 1
    fi
    P50=$(echo "$out" | awk '$1=="50%"{print $2}')
    P99=$(echo "$out" | awk '$1=="99%"{print $2}')
    RPS=$(echo "$out" | awk '/Requests\/sec/{print $2}')
}

start http
echo "seeding $INVOICES issued invoices …"
"$LOADGEN" setup --url "$BASE" >/dev/null
"$LOADGEN" seed --data-dir "$DATA" --target "$INVOICES" --backend sqlite >/dev/null
curl -s -o /dev/null "$BASE/healthz"

echo
echo "Kontor document list (page 1 of $INVOICES invoices, SQLite), $PROFILE build, wrk ${SECS}s, $CONNS keep-alive connections, $(nproc) cores shared by server and wrk"
measure http
PLAIN=$RPS
printf '%-6s %10s req/s  p50 %8s  p99 %8s\n' plain "$PLAIN" "$P50" "$P99"
stop_server
start https
TLSV=$(openssl s_client -connect "${BASE#https://}" -brief </dev/null 2>&1 | sed -n 's/^Protocol version: //p;s/^Ciphersuite: //p' | tr '\n' ' ')
measure https
TLS=$RPS
printf '%-6s %10s req/s  p50 %8s  p99 %8s  (%s)\n' tls "$TLS" "$P50" "$P99" "$TLSV"
stop_server
python3 - "$PLAIN" "$TLS" <<'PY'
import sys
plain, tls = float(sys.argv[1]), float(sys.argv[2])
ratio = tls / plain * 100
print(f"TLS/plain = {ratio:.1f} % (target >= 80 %): {'met' if ratio >= 80 else 'NOT met'}")
PY
