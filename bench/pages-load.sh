#!/usr/bin/env bash
# Web page benchmark (issue 3): server time of the document list and the editor page with
# 100,000 documents in the SQLite database, and the size of each page's HTML + CSS + JS.
#
#   bench/pages-load.sh                  # 100,000 invoices, 10 s per wrk run
#   bench/pages-load.sh --quick          # 5,000 invoices, 3 s per run
#
# Starts the release server on a free 127.0.0.1 port with a fresh data folder, seeds issued
# invoices directly into the database (kontor-loadgen seed), logs in through the login form,
# then drives wrk (Debian's package) with the session cookie:
#   - latency with 1 connection (p50/p99 from wrk --latency), first list page, a deep list
#     page, and the editor of a 10-line draft;
#   - throughput with 64 keep-alive connections on the first list page.
# Everything stays on 127.0.0.1 and every run is bounded in time; a trap stops the server.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
INVOICES=100000
SECS=10
[ "${1:-}" = "--quick" ] && { INVOICES=5000; SECS=3; }
[ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] && { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
command -v wrk >/dev/null || { echo "pages-load.sh: wrk is missing (apt-get install wrk)" >&2; exit 1; }

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kontor/target}"
cargo build --release -q --workspace --bins --examples
KONTOR="$CARGO_TARGET_DIR/release/kontor"
LOADGEN="$CARGO_TARGET_DIR/release/kontor-loadgen"

WORK="$(mktemp -d /tmp/kontor-pages-load.XXXXXX)"
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

DATA="$WORK/data"
mkdir -p "$DATA"
PASS='a long passphrase 123'
echo "$PASS" | "$KONTOR" --data-dir "$DATA" user add bench --role admin 2>/dev/null
export KONTOR_LOADGEN_TOKEN="$("$KONTOR" --data-dir "$DATA" token create bench)"
PORT="$("$LOADGEN" free-port)"
BASE="http://127.0.0.1:$PORT"
KONTOR_LOG=warn "$KONTOR" --data-dir "$DATA" serve --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
"$LOADGEN" wait-ready --url "$BASE" --timeout-seconds 30
CONTACT="$("$LOADGEN" setup --url "$BASE")"
echo "seeding $INVOICES issued invoices …"
"$LOADGEN" seed --data-dir "$DATA" --target "$INVOICES" --backend sqlite >/dev/null

# A 10-line draft for the editor page.
LINES=$(python3 -c 'import json; print(json.dumps([{"description": f"Position {i}", "quantity": "2", "unit": "HUR", "unit_price": "85.00", "vat_rate": "19" if i % 2 else "7"} for i in range(10)]))')
DRAFT=$(curl -sf -H "Authorization: Bearer $KONTOR_LOADGEN_TOKEN" -H 'content-type: application/json' \
    -d "{\"type\":\"invoice\",\"contact_id\":$CONTACT,\"lines\":$LINES}" "$BASE/api/v1/documents" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

# Log in like a browser.
COOKIE=$(curl -s -o /dev/null -D - --data-urlencode "username=bench" --data-urlencode "password=$PASS" "$BASE/login" \
    | sed -n 's/^set-cookie: \(kontor_session=[^;]*\).*/\1/ip' | tr -d '\r')
[ -n "$COOKIE" ] || { echo "pages-load.sh: login failed" >&2; exit 1; }

LAST_PAGE=$(( (INVOICES + 49) / 50 ))
size() { curl -s -o /dev/null -w '%{size_download}' -H "Cookie: $COOKIE" "$BASE$1"; }
run() { # NAME CONNECTIONS PATH
    local out
    out=$(wrk -t "$([ "$2" = 1 ] && echo 1 || echo 2)" -c "$2" -d "${SECS}s" --latency -H "Cookie: $COOKIE" "$BASE$3")
    local p50 p99 rps
    p50=$(echo "$out" | awk '$1=="50%"{print $2}')
    p99=$(echo "$out" | awk '$1=="99%"{print $2}')
    rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
    local errors
    errors=$(echo "$out" | grep -E "Non-2xx|Socket errors" || true)
    printf '%-34s %4s conn  p50 %8s  p99 %8s  %9s req/s %s\n' "$1" "$2" "$p50" "$p99" "$rps" "$errors"
}

echo
echo "Kontor pages, SQLite, $INVOICES issued invoices, wrk ${SECS}s per run, $(nproc) cores shared by server and wrk"
run "document list, page 1" 1 "/documents"
run "document list, page $LAST_PAGE" 1 "/documents?page=$LAST_PAGE"
run "document list, type+text filter" 1 "/documents?type=invoice&q=seed"
run "editor, 10-line draft" 1 "/documents/$DRAFT"
run "document list, page 1" 64 "/documents"
run "editor, 10-line draft" 64 "/documents/$DRAFT"
echo
CSS=$(size /static/app.css); JS=$(size /static/app.js)
for p in / /documents "/documents/$DRAFT" /documents/new /contacts /settings; do
    H=$(size "$p")
    printf 'page %-22s HTML %7s B + CSS %s B + JS %s B = %s B\n' "$p" "$H" "$CSS" "$JS" "$((H + CSS + JS))"
done
echo "server RSS: $(grep -E 'VmRSS|VmHWM' /proc/$SERVER_PID/status | tr -s ' ' | tr '\n' ' ')"
