#!/usr/bin/env bash
# Received invoices: import of 1,000 mixed files through the API (SQLite), files per second
# and the server's peak RSS.
#
#   bench/incoming-import.sh                 # release build, 1,000 files, 1 and 4 clients
#   bench/incoming-import.sh --files 200     # fewer files
#   bench/incoming-import.sh --debug         # the debug build (quicker to build; slower)
#
# The files are every official example in ../shared/einvoice/examples (UBL, CII, Factur-X
# and ZUGFeRD PDFs, valid and broken), uploaded round robin as the request body. Each
# upload is read and checked (a PDF in the reader's child process), stored byte-identical
# and matched for duplicates. The server runs on 127.0.0.1 in a throwaway data folder and is
# stopped on every exit. Results: bench/results/incoming-import-YYYY-MM-DD.jsonl.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
FILES=1000
PROFILE=release
while [ $# -gt 0 ]; do
    case "$1" in
        --files) FILES="$2"; shift ;;
        --debug) PROFILE=debug ;;
        -h | --help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "incoming-import.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done
EXAMPLES="$ROOT/../shared/einvoice/examples"
[ -d "$EXAMPLES" ] || { echo "incoming-import.sh: $EXAMPLES is missing" >&2; exit 2; }

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kontor/target}"
if [ "$PROFILE" = release ]; then
    cargo build --release --workspace --bins
else
    cargo build --workspace --all-targets
fi
KONTOR="$CARGO_TARGET_DIR/$PROFILE/kontor"
LOADGEN="$CARGO_TARGET_DIR/$PROFILE/kontor-loadgen"
OUT="bench/results/incoming-import-$(date -u +%Y-%m-%d).jsonl"
mkdir -p bench/results

WORK="$(mktemp -d /tmp/kontor-incoming.XXXXXX)"
SERVER_PID=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    [ "$rc" -eq 0 ] && rm -rf "$WORK" || echo "incoming-import.sh: work folder kept: $WORK" >&2
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for clients in 1 4; do
    data="$WORK/data-$clients"
    mkdir -p "$data"
    echo 'a long passphrase 123' | "$KONTOR" --data-dir "$data" user add bench --role admin >/dev/null 2>&1
    KONTOR_LOADGEN_TOKEN="$("$KONTOR" --data-dir "$data" token create bench 2>/dev/null)"
    export KONTOR_LOADGEN_TOKEN
    port="$("$LOADGEN" free-port)"
    "$KONTOR" --data-dir "$data" serve --listen "127.0.0.1:$port" >"$WORK/server-$clients.log" 2>&1 &
    SERVER_PID=$!
    "$LOADGEN" wait-ready --url "http://127.0.0.1:$port" --timeout-seconds 30
    "$LOADGEN" incoming --url "http://127.0.0.1:$port" --dir "$EXAMPLES" --files "$FILES" \
        --clients "$clients" --pid "$SERVER_PID" --backend "sqlite-$PROFILE" --json "$OUT"
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
done
echo "results appended to $OUT"
