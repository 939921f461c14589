#!/usr/bin/env bash
# Cloud mode at scale (issue 6): provisioning time per tenant, 1,000 tenants on one PostgreSQL
# (time, disk), p99 of a logged-in page request while wrk spreads requests across all tenants,
# and the PostgreSQL connections in use.
#
#   bench/tenants.sh                 # 1,000 tenants, 30 s of load
#   bench/tenants.sh --quick         # 50 tenants, 5 s of load
#   TENANTS=300 SECS=10 bench/tenants.sh
#   RATE=400 bench/tenants.sh        # the paced phase at 400 requests/s (0: skip it)
#   PG_MAX_CONNECTIONS=1200 MAX_OPEN=1000 POOL=1 IDLE=900 bench/tenants.sh   # a pool per tenant
#
# Starts a throwaway PostgreSQL (scripts/pg-throwaway.sh, max_connections 300), creates the
# tenants with `kontor tenant create` (two at a time), starts one `kontor serve --cloud`
# (--max-open-tenants 100 --tenant-pool 2: at most 200 tenant connections), logs in to every
# tenant through the login form, then runs wrk (bench/tenants.lua) against the dashboard with
# a random tenant per request (Host: tN.bench.test + that tenant's session cookie) while
# sampling pg_stat_activity. Uses the build profile in PROFILE (default release).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
TENANTS="${TENANTS:-1000}"
SECS="${SECS:-30}"
CONNS="${CONNS:-16}"
RATE="${RATE:-200}"
MAX_OPEN="${MAX_OPEN:-100}"
POOL="${POOL:-2}"
IDLE="${IDLE:-60}"
PG_MAX_CONNECTIONS="${PG_MAX_CONNECTIONS:-}"
PROFILE="${PROFILE:-release}"
if [ "${1:-}" = "--quick" ]; then TENANTS=50; SECS=5; fi
[ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] && { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
command -v wrk >/dev/null || { echo "tenants.sh: wrk is missing (apt-get install wrk)" >&2; exit 1; }

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kontor/target}"
if [ "$PROFILE" = release ]; then
    cargo build --release -q --workspace --bins --examples
else
    cargo build -q --workspace --bins --examples
fi
KONTOR="$CARGO_TARGET_DIR/$PROFILE/kontor"

WORK="$(mktemp -d /tmp/kontor-tenants.XXXXXX)"
SERVER_PID=""
PG_DIR="$WORK/pg"
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    "$ROOT/scripts/pg-throwaway.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
chmod 755 "$WORK"

URL="$("$ROOT/scripts/pg-throwaway.sh" start "$PG_DIR")"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
PSQL_BIN="$PG_BIN/psql"
psql() { "$PSQL_BIN" -X -q -t -A "$URL" -c "$1"; }
if [ -n "$PG_MAX_CONNECTIONS" ]; then
    psql "ALTER SYSTEM SET max_connections = $PG_MAX_CONNECTIONS"
    as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
    (cd / && as_pg "$PG_BIN/pg_ctl" restart -D "$PG_DIR/data" -w -l "$PG_DIR/log" -o "-p $(cat "$PG_DIR/port")" >/dev/null)
fi
export KONTOR_DATABASE_URL="$URL" KONTOR_INSTALLATION=kb KONTOR_LOG=warn
export KONTOR_MASTER_SECRET="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PASS='a long passphrase 123'

size_before=$(psql "SELECT pg_database_size(current_database())")
echo "== provisioning $TENANTS tenants ($("$KONTOR" --version))"
start=$(date +%s.%N)
echo "$PASS" | "$KONTOR" tenant create t1 --admin chefin 2>"$WORK/first.log"
first=$(grep -o 'created in [0-9.]* s' "$WORK/first.log" | grep -o '[0-9.]*')
seq 2 "$TENANTS" | xargs -P 2 -I{} sh -c "echo '$PASS' | '$KONTOR' tenant create t{} --admin chefin 2>>'$WORK/create.log' >/dev/null"
end=$(date +%s.%N)
created=$(psql "SELECT COUNT(*) FROM kb_control.tenants WHERE state = 'active'")
size_after=$(psql "SELECT pg_database_size(current_database())")
provision_secs=$(echo "$end - $start" | bc)
echo "first tenant: ${first} s (kontor tenant create, as measured by the command)"
echo "tenants active: $created of $TENANTS in ${provision_secs} s ($(echo "scale=3; $provision_secs / $TENANTS" | bc) s each, 2 in parallel, including process start)"
echo "disk: $(( (size_after - size_before) / 1024 / 1024 )) MiB for $TENANTS tenants ($(( (size_after - size_before) / TENANTS / 1024 )) KiB each); database now $(( size_after / 1024 / 1024 )) MiB"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$KONTOR" serve --cloud --listen "127.0.0.1:$PORT" --base-domain bench.test \
    --max-open-tenants "$MAX_OPEN" --tenant-pool "$POOL" --tenant-idle-secs "$IDLE" 2>"$WORK/serve.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done

echo "== logging in to every tenant"
SESSIONS="$WORK/sessions"
: >"$SESSIONS"
for i in $(seq 1 "$TENANTS"); do
    cookie=$(curl -s -o /dev/null -D - -H "Host: t$i.bench.test" \
        --data-urlencode "username=chefin" --data-urlencode "password=$PASS" \
        "http://127.0.0.1:$PORT/login" | sed -n 's/^set-cookie: kontor_session=\([^;]*\).*/\1/ip' | tr -d '\r')
    [ -n "$cookie" ] && echo "t$i $cookie" >>"$SESSIONS"
done
echo "sessions: $(wc -l <"$SESSIONS")"

echo "== kontor serve --cloud --max-open-tenants $MAX_OPEN --tenant-pool $POOL --tenant-idle-secs $IDLE ($PROFILE build)"
# Two load phases against the same server: paced at RATE requests/s (each of the CONNS
# connections pauses CONNS*1000/RATE ms between requests: the busy-hour load the p99 target is
# about), then saturated (no pause: the throughput ceiling, where p99 is mostly queueing).
load() {
    local label="$1" delay="$2"
    rm -f "$WORK/peak"
    echo "== wrk ($label): $CONNS connections, ${SECS} s, GET / (dashboard) of a random tenant per request"
    ( peak=0; while kill -0 "$SERVER_PID" 2>/dev/null; do
          n=$(psql "SELECT COUNT(*) FROM pg_stat_activity WHERE usename LIKE 'kb\\_%'" 2>/dev/null || echo 0)
          [ "$n" -gt "$peak" ] && peak=$n && echo "$peak" >"$WORK/peak"
          sleep 0.5
      done ) &
    local sampler=$!
    DELAY_MS="$delay" SESSIONS="$SESSIONS" wrk -t 2 -c "$CONNS" -d "${SECS}s" --timeout 10s -s "$ROOT/bench/tenants.lua" "http://127.0.0.1:$PORT/" | tee "$WORK/wrk.txt"
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    echo "PostgreSQL connections of Kontor roles: peak $(cat "$WORK/peak" 2>/dev/null || echo 0) during the run (cap: $MAX_OPEN tenants × $POOL + 4 control)"
}
if [ "$RATE" != 0 ]; then
    load "paced at about $RATE requests/s" "$(( CONNS * 1000 / RATE ))"
fi
load "saturated" ""
echo "max_connections: $(psql 'SHOW max_connections')"
