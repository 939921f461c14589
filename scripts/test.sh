#!/usr/bin/env bash
# Kontor's test command (what the README tells users and what CI runs).
#
#   scripts/test.sh                 # all tiers: SQLite, then PostgreSQL
#   scripts/test.sh --quick         # SQLite tier only
#   scripts/test.sh -- ARGS...      # extra args for every `cargo test` (e.g. a test-name filter)
#
# Tiers:
#   sqlite    cargo test --workspace, KONTOR_TEST_DATABASE_URL unset.
#   postgres  cargo test --workspace with KONTOR_TEST_DATABASE_URL set (every database
#             test then runs on PostgreSQL instead of SQLite). If KONTOR_TEST_DATABASE_URL is
#             already set (a superuser postgres:// URL) it is used; otherwise a
#             throwaway cluster is started with scripts/pg-throwaway.sh and always
#             stopped and removed on exit.
#
# Build output goes to CARGO_TARGET_DIR, default ~/.cache/kontor/target, so it
# survives between runs and clean clones. Exits non-zero if any tier failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

usage() {
    sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

QUICK=0
CARGO_ARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) QUICK=1 ;;
        -h | --help) usage; exit 0 ;;
        --) shift; CARGO_ARGS=("$@"); break ;;
        *) echo "test.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

if [ -n "${HOME:-}" ]; then
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kontor/target}"
else
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
fi
mkdir -p "$CARGO_TARGET_DIR"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-auto}"

# ---------------------------------------------------------------------------
# Tier bookkeeping
# ---------------------------------------------------------------------------
TIER_NAMES=()
TIER_RESULTS=()
TIER_SECONDS=()

note() { printf '\n==> %s\n' "$*"; }

record_tier() { # NAME RESULT SECONDS
    TIER_NAMES+=("$1")
    TIER_RESULTS+=("$2")
    TIER_SECONDS+=("$3")
}

# run_tier NAME CMD... : runs CMD, records pass/FAIL and duration; never aborts the script.
run_tier() {
    local name="$1" start rc=0
    shift
    note "tier $name"
    start=$SECONDS
    "$@" || rc=$?
    if [ "$rc" -eq 0 ]; then
        record_tier "$name" pass $((SECONDS - start))
    else
        record_tier "$name" "FAIL (exit $rc)" $((SECONDS - start))
    fi
    return 0
}

skip_tier() { # NAME REASON
    note "tier $1: skipped ($2)"
    record_tier "$1" "skipped: $2" 0
}

cargo_test() {
    cargo test --workspace --no-fail-fast ${CARGO_ARGS[@]+"${CARGO_ARGS[@]}"}
}

# SQLite only: make sure an inherited KONTOR_TEST_DATABASE_URL does not leak in.
sqlite_tier() {
    (
        unset KONTOR_TEST_DATABASE_URL
        cargo_test
    )
}

# Against the PostgreSQL given in KONTOR_TEST_DATABASE_URL.
postgres_tier_given() {
    echo "test.sh: using the given KONTOR_TEST_DATABASE_URL"
    cargo_test
}

# ---------------------------------------------------------------------------
# Throwaway PostgreSQL (only when KONTOR_TEST_DATABASE_URL is not given)
# ---------------------------------------------------------------------------
PG_DIR=""
cleanup() {
    if [ -n "$PG_DIR" ]; then
        "$ROOT/scripts/pg-throwaway.sh" stop "$PG_DIR" || true
        rm -rf "$PG_DIR"
        PG_DIR=""
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs the postgres tier against a fresh throwaway cluster.
postgres_tier_throwaway() {
    local url
    PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/kontor-pg.XXXXXX")"
    if ! url="$("$ROOT/scripts/pg-throwaway.sh" start "$PG_DIR")"; then
        echo "test.sh: could not start a throwaway PostgreSQL (log: $PG_DIR/log)" >&2
        tail -n 30 "$PG_DIR/log" >&2 2>/dev/null || true
        return 1
    fi
    echo "test.sh: throwaway PostgreSQL at $url"
    KONTOR_TEST_DATABASE_URL="$url" cargo_test
}

summary() {
    local i failed=0 total=${#TIER_NAMES[@]}
    printf '\n==================== Kontor test summary ====================\n'
    for ((i = 0; i < total; i++)); do
        printf '  %-10s %-24s %5ss\n' "${TIER_NAMES[i]}" "${TIER_RESULTS[i]}" "${TIER_SECONDS[i]}"
        case "${TIER_RESULTS[i]}" in FAIL*) failed=$((failed + 1)) ;; esac
    done
    printf '=============================================================\n'
    if [ "$failed" -eq 0 ]; then
        echo "test.sh: all tiers OK"
        return 0
    fi
    echo "test.sh: $failed tier(s) FAILED"
    return 1
}

# ---------------------------------------------------------------------------
# Tiers
# ---------------------------------------------------------------------------
command -v cargo >/dev/null || { echo "test.sh: cargo not found on PATH" >&2; exit 1; }
echo "test.sh: CARGO_TARGET_DIR=$CARGO_TARGET_DIR"

run_tier sqlite sqlite_tier

if [ "$QUICK" -eq 1 ]; then
    skip_tier postgres "--quick"
elif [ -n "${KONTOR_TEST_DATABASE_URL:-}" ]; then
    run_tier postgres postgres_tier_given
else
    run_tier postgres postgres_tier_throwaway
    cleanup
fi

# --- HOOK: further tiers -----------------------------------------------------
# Add them here, each as `run_tier NAME CMD...` (CMD may be a shell function);
# they are skipped under --quick. Planned:
#   run_tier drills  <slow drills command>     # "slow drills" tier
#   run_tier browser <browser tests command>   # "browser tests" tier (chromium + playwright-core)
lint() {
    cargo fmt --all --check && cargo clippy --workspace --all-targets -- -D warnings
}
if [ "$QUICK" -eq 0 ]; then
    run_tier lint lint
fi
# ------------------------------------------------------------------------------

summary
