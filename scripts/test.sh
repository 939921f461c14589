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
#   drills    slow failure drills against real services: two `kontor serve --cloud` behind
#             Debian's haproxy (deploy/haproxy/kontor.cfg), one SIGKILLed mid-load
#             (crates/kontor/tests/drill_haproxy.rs), on the given or a throwaway PostgreSQL.
#             Fails (is not skipped) when haproxy is missing.
#   ha        operations drills: Patroni failover under load (crates/kontor/tests/
#             drill_patroni.rs) and pgBackRest point-in-time restore (scripts/drill-pgbackrest.sh).
#   s3        backups to S3 and files in S3 (--blob-store) against s3s-fs (scripts/s3s-fs.sh,
#             crates/ops/tests/backup_s3.rs, crates/kontor/tests/blobs_s3.rs), with PostgreSQL
#             for the cloud part (given or throwaway, as in the drills tier).
#   alerts    the watchdog's alert drills against Debian's aiosmtpd and a local webhook
#             (crates/kontor/tests/alerts.rs, ignored tests) and promtool/amtool checks of
#             deploy/prometheus/.
#   tls       scripts/tls-scan.sh: `kontor serve` with a test certificate on 127.0.0.1,
#             scanned with openssl s_client, curl and sslyze (PyPI, in a venv under
#             ~/.cache/kontor), plus `haproxy -c` of deploy/haproxy/tls-termination.cfg.
#   browser   end-to-end tests in real headless Chromium (Debian's /usr/bin/chromium driven
#             by playwright-core from tests/e2e/package-lock.json, `node --test tests/e2e/`)
#             against a debug `kontor` build; screenshots land in tests/e2e/artifacts/.
#             Fails (is not skipped) when chromium or node/npm is missing.
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

# ---------------------------------------------------------------------------
# Browser tier: tests/e2e (node --test, playwright-core, Debian's chromium)
# ---------------------------------------------------------------------------
E2E_DIR="$ROOT/tests/e2e"
CHROMIUM_BIN="${KONTOR_CHROMIUM:-/usr/bin/chromium}"

browser_tier() {
    local missing=0 lock_hash stamp
    if [ ! -x "$CHROMIUM_BIN" ]; then
        echo "test.sh: browser tier needs Chromium at $CHROMIUM_BIN (apt-get install chromium; .ci/run installs it)" >&2
        missing=1
    fi
    for tool in node npm; do
        if ! command -v "$tool" >/dev/null; then
            echo "test.sh: browser tier needs $tool on PATH (Node.js 20 or newer)" >&2
            missing=1
        fi
    done
    [ "$missing" -eq 0 ] || return 1
    if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
        echo "test.sh: browser tier needs Node.js 20 or newer, found $(node --version)" >&2
        return 1
    fi

    # The same build as the test tiers (`cargo test` builds target/debug/kontor with the
    # workspace's test-time feature set): `cargo build -p kontor` would compile many
    # dependencies a second time with other features.
    cargo test --workspace --no-run || return 1

    # playwright-core exactly as locked; installed again only when the lock file changed.
    # It never downloads a browser: the tests launch $CHROMIUM_BIN.
    lock_hash="$(sha256sum "$E2E_DIR/package-lock.json" | cut -d' ' -f1)"
    stamp="$E2E_DIR/node_modules/.kontor-lock-sha256"
    if [ ! -d "$E2E_DIR/node_modules/playwright-core" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$lock_hash" ]; then
        echo "test.sh: npm ci in tests/e2e"
        (cd "$E2E_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund) || return 1
        echo "$lock_hash" >"$stamp"
    fi

    rm -rf "$E2E_DIR/artifacts"
    echo "test.sh: $("$CHROMIUM_BIN" --version 2>/dev/null), node $(node --version)"
    local rc=0
    KONTOR_BIN="$CARGO_TARGET_DIR/debug/kontor" KONTOR_CHROMIUM="$CHROMIUM_BIN" \
        timeout --kill-after=15 900 node --test --test-timeout=120000 "$E2E_DIR/" || rc=$?
    echo "test.sh: browser screenshots and server logs in $E2E_DIR/artifacts/"
    return "$rc"
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
# they are skipped under --quick.
drills_tier() {
    local url rc=0
    if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then
        echo "test.sh: drills tier needs haproxy (apt-get install haproxy; .ci/run installs it)" >&2
        return 1
    fi
    if [ -n "${KONTOR_TEST_DATABASE_URL:-}" ]; then
        url="$KONTOR_TEST_DATABASE_URL"
    else
        PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/kontor-pg.XXXXXX")"
        url="$("$ROOT/scripts/pg-throwaway.sh" start "$PG_DIR")" || return 1
    fi
    KONTOR_TEST_DATABASE_URL="$url" PATH="$PATH:/usr/sbin" \
        cargo test --workspace --test drill_haproxy -- --ignored --nocapture || rc=$?
    cleanup
    return "$rc"
}
if [ "$QUICK" -eq 1 ]; then
    skip_tier drills "--quick"
else
    run_tier drills drills_tier
fi
# Operations drills: Patroni failover (etcd + two synchronous PostgreSQL nodes +
# HAProxy, the primary SIGKILLed under load) and pgBackRest's point-in-time restore. Both
# bring their own clusters on free 127.0.0.1 ports.
ha_tier() {
    local rc=0 tool
    for tool in patroni etcd haproxy pgbackrest; do
        command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || {
            echo "test.sh: ha tier needs $tool (apt-get install patroni etcd-server etcd-client haproxy pgbackrest postgresql; .ci/run installs them)" >&2
            rc=1
        }
    done
    [ "$rc" -eq 0 ] || return 1
    PATH="$PATH:/usr/sbin" timeout --kill-after=15 600 \
        cargo test --workspace --test drill_patroni -- --ignored --nocapture || rc=$?
    timeout --kill-after=15 300 "$ROOT/scripts/drill-pgbackrest.sh" || rc=$?
    return "$rc"
}
if [ "$QUICK" -eq 1 ]; then
    skip_tier ha "--quick"
else
    run_tier ha ha_tier
fi
# Alert drills: the watchdog of a real `kontor serve` alerts a real SMTP server
# (Debian's aiosmtpd) and a local webhook when the database stops and when a backup target
# becomes unwritable, then sends "resolved"; and Prometheus' own tools check the shipped rules.
alerts_tier() {
    local rc=0 tool
    for tool in aiosmtpd promtool amtool; do
        command -v "$tool" >/dev/null || {
            echo "test.sh: alerts tier needs $tool (apt-get install python3-aiosmtpd prometheus prometheus-alertmanager; .ci/run installs them)" >&2
            rc=1
        }
    done
    [ "$rc" -eq 0 ] || return 1
    timeout --kill-after=15 600 \
        cargo test --workspace --test alerts -- --ignored --test-threads=1 --nocapture || rc=$?
    promtool check rules "$ROOT/deploy/prometheus/kontor-rules.yml" || rc=$?
    promtool test rules "$ROOT/deploy/prometheus/kontor-rules.test.yml" || rc=$?
    amtool check-config "$ROOT/deploy/prometheus/alertmanager.yml" || rc=$?
    return "$rc"
}
if [ "$QUICK" -eq 1 ]; then
    skip_tier alerts "--quick"
else
    run_tier alerts alerts_tier
fi
# Backups to S3: against a real S3 endpoint, s3s-fs (crates.io, installed once into
# ~/.cache/kontor/tools by scripts/s3s-fs.sh, started on a free 127.0.0.1 port, stopped after).
# Files in S3 (`--blob-store`): crates/kontor/tests/blobs_s3.rs end to end through the binary,
# and the cloud part of backup_s3.rs (tenant prefixes, backup and restore of their files) on
# the given or a throwaway PostgreSQL.
s3_tier() {
    local url rc=0
    if [ -n "${KONTOR_TEST_DATABASE_URL:-}" ]; then
        url="$KONTOR_TEST_DATABASE_URL"
    else
        PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/kontor-pg.XXXXXX")"
        url="$("$ROOT/scripts/pg-throwaway.sh" start "$PG_DIR")" || return 1
    fi
    KONTOR_TEST_DATABASE_URL="$url" timeout --kill-after=15 900 "$ROOT/scripts/s3s-fs.sh" run \
        cargo test --workspace --test backup_s3 --test blobs_s3 -- --nocapture || rc=$?
    cleanup
    return "$rc"
}
if [ "$QUICK" -eq 1 ]; then
    skip_tier s3 "--quick"
else
    run_tier s3 s3_tier
fi
tls_tier() {
    # The test build's binary (see the browser tier): no second build with other features.
    cargo test --workspace --no-run || return 1
    KONTOR_BIN="$CARGO_TARGET_DIR/debug/kontor" "$ROOT/scripts/tls-scan.sh"
}
if [ "$QUICK" -eq 1 ]; then
    skip_tier tls "--quick"
else
    run_tier tls tls_tier
fi
if [ "$QUICK" -eq 1 ]; then
    skip_tier browser "--quick"
else
    run_tier browser browser_tier
fi
lint() {
    cargo fmt --all --check && cargo clippy --workspace --all-targets -- -D warnings
}
if [ "$QUICK" -eq 0 ]; then
    run_tier lint lint
fi
# ------------------------------------------------------------------------------

summary
