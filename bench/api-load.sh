#!/usr/bin/env bash
# API load benchmark (issue 2): the release server under load, on SQLite and PostgreSQL.
#
#   bench/api-load.sh                        # both backends, default sizes
#   bench/api-load.sh --backends sqlite      # only SQLite (or: postgres)
#   bench/api-load.sh --quick                # smoke run: 2 s loads, 5,000 invoices, 200 list requests
#
# Options (defaults in brackets):
#   --backends "sqlite postgres"   which databases to measure
#   --seconds N        duration of each create+issue run [10]
#   --invoices N       issued invoices for the list run (seeded directly into the database) [100000]
#   --list-requests N  requests of each list run [2000], each run also capped at --list-seconds [60]
#   --out FILE         the combined JSON [bench/results/api-load-YYYY-MM-DD.json]
#   --keep             keep the work folder (server logs, databases) instead of removing it
#
# For each backend: measures the fsync rate of the data folder's filesystem before and
# after the create+issue load (and, for PostgreSQL, runs pg_test_fsync -s 2), creates a
# user and an API token, starts `kontor serve` on a free 127.0.0.1 port, sets up the
# company and a customer over the API, runs create+issue of 10-line invoices with 1 and
# with 16 clients, seeds issued invoices up to --invoices, lists random pages of 50
# invoices with 1 and with 16 clients, reads the server's VmRSS/VmHWM, times the same list
# in storage alone (first and last page), and stops the server. Then prints the summary
# next to the targets and writes the JSON (every measurement is in its "records").
#
# Load goes to 127.0.0.1 only; every loop is bounded in time and count. PostgreSQL is a
# throwaway cluster (scripts/pg-throwaway.sh) in the work folder; traps stop the server and
# the cluster on every exit, also on Ctrl-C.
# Needs: cargo; for PostgreSQL the Debian postgresql package (pg-throwaway installs it as root).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

ARGS="$*"
usage() { sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

BACKENDS="sqlite postgres"
SECONDS_PER_RUN=10
INVOICES=100000
LIST_REQUESTS=2000
LIST_SECONDS=60
OUT=""
KEEP=0
QUICK=0
while [ $# -gt 0 ]; do
    case "$1" in
        --backends) BACKENDS="$2"; shift ;;
        --seconds) SECONDS_PER_RUN="$2"; shift ;;
        --invoices) INVOICES="$2"; shift ;;
        --list-requests) LIST_REQUESTS="$2"; shift ;;
        --list-seconds) LIST_SECONDS="$2"; shift ;;
        --out) OUT="$2"; shift ;;
        --keep) KEEP=1 ;;
        --quick) QUICK=1 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "api-load.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
if [ "$QUICK" = 1 ]; then
    SECONDS_PER_RUN=2
    INVOICES=5000
    LIST_REQUESTS=200
    LIST_SECONDS=20
fi
for b in $BACKENDS; do
    case "$b" in sqlite | postgres) ;; *) echo "api-load.sh: unknown backend $b" >&2; exit 2 ;; esac
done
OUT="${OUT:-bench/results/api-load-$(date -u +%Y-%m-%d).json}"

log() { printf '\n== %s\n' "$*" >&2; }

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kontor/target}"
log "building kontor and kontor-loadgen (release)"
cargo build --release --workspace --bins --examples
KONTOR="$CARGO_TARGET_DIR/release/kontor"
LOADGEN="$CARGO_TARGET_DIR/release/kontor-loadgen"

# Under /tmp: the PostgreSQL cluster runs as the postgres user and must reach its folder.
WORK="$(mktemp -d /tmp/kontor-api-load.XXXXXX)"
chmod 755 "$WORK"
RECORDS="$WORK/records.jsonl"
: >"$RECORDS"
SERVER_PID=""
PG_DIR=""

stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "api-load.sh: server $SERVER_PID did not stop on SIGTERM; killing it" >&2
            kill -KILL "$SERVER_PID" 2>/dev/null || true
        fi
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

stop_pg() {
    [ -n "$PG_DIR" ] || return 0
    scripts/pg-throwaway.sh stop "$PG_DIR" >/dev/null 2>&1 || true
    PG_DIR=""
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_server
    stop_pg
    if [ "$KEEP" = 1 ] || [ "$rc" -ne 0 ]; then
        echo "api-load.sh: work folder kept: $WORK (server logs, databases)" >&2
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

run_backend() {
    local backend="$1"
    local dir="$WORK/$backend" fsync_dir url="" port base
    local -a db_args
    mkdir -p "$dir"
    if [ "$backend" = sqlite ]; then
        db_args=(--data-dir "$dir/data")
        mkdir -p "$dir/data"
        fsync_dir="$dir/data"
    else
        PG_DIR="$dir/pg"
        log "starting a throwaway PostgreSQL cluster"
        url="$(scripts/pg-throwaway.sh start "$PG_DIR")"
        db_args=(--database "$url" --schema bench)
        fsync_dir="$PG_DIR"
    fi

    log "$backend: fsync rate in $fsync_dir"
    local pg_flag=()
    [ "$backend" = postgres ] && pg_flag=(--pg-test-fsync --pg-test-fsync-seconds 2)
    "$LOADGEN" fsync --dir "$fsync_dir" --seconds 2 "${pg_flag[@]}" --phase before --backend "$backend" --json "$RECORDS"

    log "$backend: user and API token"
    echo 'a long passphrase 123' | "$KONTOR" "${db_args[@]}" user add bench --role admin
    KONTOR_LOADGEN_TOKEN="$("$KONTOR" "${db_args[@]}" token create bench)"
    export KONTOR_LOADGEN_TOKEN

    port="$("$LOADGEN" free-port)"
    base="http://127.0.0.1:$port"
    log "$backend: starting the server on $base (log: $dir/server.log)"
    "$KONTOR" "${db_args[@]}" serve --listen "127.0.0.1:$port" >"$dir/server.log" 2>&1 &
    SERVER_PID=$!
    "$LOADGEN" wait-ready --url "$base" --timeout-seconds 30

    local contact
    contact="$("$LOADGEN" setup --url "$base")"

    for clients in 1 16; do
        log "$backend: create+issue, $clients client(s), $SECONDS_PER_RUN s"
        "$LOADGEN" create-issue --url "$base" --contact-id "$contact" --clients "$clients" \
            --seconds "$SECONDS_PER_RUN" --max-ops 1000000 --backend "$backend" --json "$RECORDS"
    done

    # Again right after the load: the rate moves with other I/O on the machine.
    "$LOADGEN" fsync --dir "$fsync_dir" --seconds 2 --phase after --backend "$backend" --json "$RECORDS"

    log "$backend: seeding issued invoices up to $INVOICES"
    "$LOADGEN" seed "${db_args[@]}" --target "$INVOICES" --backend "$backend" --json "$RECORDS"

    for clients in 1 16; do
        log "$backend: list 50 invoices, $clients client(s)"
        "$LOADGEN" list --url "$base" --clients "$clients" --requests "$LIST_REQUESTS" \
            --seconds "$LIST_SECONDS" --backend "$backend" --json "$RECORDS"
    done

    log "$backend: server memory"
    "$LOADGEN" rss --pid "$SERVER_PID" --backend "$backend" --json "$RECORDS"

    log "$backend: the same list in storage alone (no HTTP)"
    "$LOADGEN" store-list "${db_args[@]}" --repeat 20 --backend "$backend" --json "$RECORDS"

    stop_server
    unset KONTOR_LOADGEN_TOKEN
    [ "$backend" = postgres ] && stop_pg
    return 0
}

for backend in $BACKENDS; do
    run_backend "$backend"
done

COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if ! git diff --quiet HEAD -- 2>/dev/null; then COMMIT="$COMMIT+dirty"; fi
PG_VERSION=""
for d in /usr/lib/postgresql/*/bin/postgres; do
    [ -x "$d" ] && PG_VERSION="$("$d" --version)"
done
log "summary"
"$LOADGEN" report --input "$RECORDS" --out "$OUT" \
    --meta "command=bench/api-load.sh $ARGS" \
    --meta "commit=$COMMIT" \
    --meta "rustc=$(rustc --version 2>/dev/null || echo unknown)" \
    --meta "postgresql=$PG_VERSION" \
    --meta "create_issue_seconds=$SECONDS_PER_RUN" \
    --meta "invoices=$INVOICES" \
    --meta "list_requests=$LIST_REQUESTS" \
    --meta "list_seconds=$LIST_SECONDS"
echo
echo "Server and load generator share this machine's $(nproc) cores; RSS is the kontor process only (not PostgreSQL's)."
