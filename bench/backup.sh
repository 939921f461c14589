#!/usr/bin/env bash
# Backup and restore figures (issue 8): a SQLite installation with N issued invoices and
# their archived PDF and XML files, backed up to two local targets, verified and restored
# with the `kontor` binary.
#
#   bench/backup.sh                  # 10,000 invoices, results into bench/results/
#   bench/backup.sh --invoices 500   # a smaller run
#   bench/backup.sh --keep           # keep the work folder
#   bench/backup.sh --cloud          # the same for one cloud tenant on PostgreSQL (below)
#
# Seeding goes through the storage API (create + issue each invoice; the files are rendered
# by the same background archiver `kontor serve` uses) in the ignored tests of
# crates/ops/tests/backup_bench.rs. Builds the dev profile (dependencies at opt-level 2).
#
# --cloud: a throwaway PostgreSQL (scripts/pg-throwaway.sh; KONTOR_BENCH_PG=URL of a superuser
# uses that server instead), a cloud installation with tenant `acme` (N invoices) and a small
# tenant `beta` (20), each seeded through its own role; `kontor backup run --cloud` to two
# local targets, `backup verify`, `restore --cloud --tenant acme --to acme2`, and a check that
# acme2 equals acme (documents, every row, file hashes, audit chain). Results into
# bench/results/backup-cloud-DATE-dev.txt.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

INVOICES=10000
KEEP=0
CLOUD=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --invoices) INVOICES="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --cloud) CLOUD=1; shift ;;
        *) sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME}/.cache/kontor/target}"
WORK="$(mktemp -d -t kontor-backup-bench.XXXXXX)"
PGDIR=""
cleanup() {
    if [[ -n "$PGDIR" ]]; then
        scripts/pg-throwaway.sh stop "$PGDIR" >/dev/null 2>&1 || true
        [[ "$KEEP" == 1 ]] || rm -rf "$PGDIR"
    fi
    if [[ "$KEEP" == 1 ]]; then echo "kept $WORK ${PGDIR}" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

if [[ "$CLOUD" == 1 ]]; then
    OUT="bench/results/backup-cloud-$(date -u +%F)-dev.txt"
else
    OUT="bench/results/backup-$(date -u +%F)-dev.txt"
fi
mkdir -p bench/results
exec > >(tee "$OUT") 2>&1

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.1f}')"; }
size() { du -sb "$1" | cut -f1; }
mib() { python3 -c "print(f'{$1 / 1048576:.1f} MiB')"; }

echo "# bench/backup.sh — $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD), dev profile"
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
cargo build --workspace --bins --examples --quiet  # the feature set of `cargo test --workspace`
KONTOR="${CARGO_TARGET_DIR}/debug/kontor"

if [[ "$CLOUD" == 1 ]]; then
    # ---- cloud: one tenant of a PostgreSQL installation ----
    if [[ -n "${KONTOR_BENCH_PG:-}" ]]; then
        PG="$KONTOR_BENCH_PG"
    else
        PGDIR="$(mktemp -d -t kontor-backup-bench-pg.XXXXXX)"
        PG="$(scripts/pg-throwaway.sh start "$PGDIR")"
    fi
    echo "# PostgreSQL $(psql "$PG" -Atc 'SHOW server_version')$( [[ -n "$PGDIR" ]] && echo ' (throwaway cluster on this machine)')"
    INSTALLATION="bench$(date +%s)"
    SECRET="$WORK/master-secret"
    (umask 077; openssl rand -hex 32 >"$SECRET")
    export KONTOR_BENCH_DATABASE_URL="$PG" KONTOR_BENCH_INSTALLATION="$INSTALLATION" \
        KONTOR_BENCH_MASTER_SECRET_FILE="$SECRET"
    K=("$KONTOR" --database "$PG" --installation "$INSTALLATION" --master-secret-file "$SECRET")

    t0=$(now)
    KONTOR_BENCH_INVOICES="$INVOICES" cargo test --workspace --quiet --test backup_bench \
        -- --ignored --nocapture --exact seed_cloud_tenants_with_archived_pdfs 2>&1 | grep -E 'seeded|test result|panicked'
    t1=$(now)
    echo "seeding (tenant acme: ${INVOICES} invoices, tenant beta: 20, with archived files; wall time including cargo): $(secs "$t0" "$t1") s"
    schema_bytes() { # SLUG: bytes of the tenant's tables, indexes and TOAST (the files)
        psql "$PG" -Atc "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = (SELECT '${INSTALLATION}_t' || id FROM ${INSTALLATION}_control.tenants WHERE slug = '$1')
            AND c.relkind = 'r'"
    }
    for t in acme beta; do
        b="$(schema_bytes "$t")"
        echo "tenant $t in PostgreSQL: $(mib "$b") ($b bytes, files inside)"
    done

    mkdir -p "$WORK/t1" "$WORK/t2" "$WORK/keys"
    RECIPIENT="$("$KONTOR" backup keygen --out "$WORK/keys/identity" --signing-key-out "$WORK/keys/signing" 2>/dev/null)"
    TARGETS=(--backup-target "$WORK/t1" --backup-target "$WORK/t2" --backup-signing-key "$WORK/keys/signing")

    t0=$(now)
    RUN="$(KONTOR_LOG=warn "${K[@]}" backup run --cloud "${TARGETS[@]}" --backup-recipient "$RECIPIENT")"
    t1=$(now)
    ID="$(echo "$RUN" | head -1 | cut -f1)"
    echo "$RUN"
    echo "backup run --cloud (2 local targets): $(secs "$t0" "$t1") s"
    for t in t1 t2; do
        echo "  size on $t: $(mib "$(size "$WORK/$t/kontor-backups/$ID")") in total"
    done
    for f in "$WORK/t1/kontor-backups/$ID"/tenants/*; do
        echo "  of which $(basename "$f"): $(mib "$(size "$f")") ($(size "$f") bytes)"
    done
    echo "  control data: $(size "$WORK/t1/kontor-backups/$ID/control.jsonl.zst.age") bytes"

    t0=$(now)
    "$KONTOR" backup verify "$ID" --identity "$WORK/keys/identity" --backup-target "$WORK/t1"
    t1=$(now)
    echo "backup verify (1 target): $(secs "$t0" "$t1") s"

    t0=$(now)
    KONTOR_LOG=warn "${K[@]}" restore "$ID" --identity "$WORK/keys/identity" --cloud \
        --tenant acme --to acme2 --backup-target "$WORK/t1"
    t1=$(now)
    echo "restore of tenant acme as acme2: $(secs "$t0" "$t1") s; acme2 in PostgreSQL: $(mib "$(schema_bytes acme2)")"
    KONTOR_BENCH_ORIGINAL=acme KONTOR_BENCH_RESTORED=acme2 cargo test --workspace --quiet --test backup_bench \
        -- --ignored --nocapture --exact restored_cloud_tenant_matches_the_original 2>&1 | grep -E 'matches|test result|panicked'
    "${K[@]}" tenant list
    exit 0
fi

DATA="$WORK/data"
t0=$(now)
KONTOR_BENCH_DATA_DIR="$DATA" KONTOR_BENCH_INVOICES="$INVOICES" \
    cargo test --workspace --quiet --test backup_bench \
    -- --ignored --nocapture --exact seed_issued_invoices_with_archived_pdfs 2>&1 | grep -E 'seeded|test result'
t1=$(now)
echo "seeding ${INVOICES} invoices with archived files: $(secs "$t0" "$t1") s"
"$KONTOR" --data-dir "$DATA" migrate >/dev/null
DB_SIZE=$(( $(size "$DATA/kontor.db") + $( [[ -f "$DATA/kontor.db-wal" ]] && size "$DATA/kontor.db-wal" || echo 0) ))
echo "database: $(mib "$DB_SIZE") ($DB_SIZE bytes, files inside)"

mkdir -p "$WORK/t1" "$WORK/t2" "$WORK/keys"
RECIPIENT="$("$KONTOR" backup keygen --out "$WORK/keys/identity" --signing-key-out "$WORK/keys/signing" 2>/dev/null)"
TARGETS=(--backup-target "$WORK/t1" --backup-target "$WORK/t2" --backup-signing-key "$WORK/keys/signing")

t0=$(now)
RUN="$("$KONTOR" --data-dir "$DATA" backup run "${TARGETS[@]}" --backup-recipient "$RECIPIENT")"
t1=$(now)
ID="$(echo "$RUN" | head -1 | cut -f1)"
echo "$RUN"
echo "backup run (2 local targets): $(secs "$t0" "$t1") s; backup size per target $(mib "$(size "$WORK/t1/kontor-backups/$ID")")"

t0=$(now)
"$KONTOR" backup verify "$ID" --identity "$WORK/keys/identity" --backup-target "$WORK/t1"
t1=$(now)
echo "backup verify (1 target): $(secs "$t0" "$t1") s"

t0=$(now)
"$KONTOR" restore "$ID" --identity "$WORK/keys/identity" --to "$WORK/restored" --backup-target "$WORK/t1"
t1=$(now)
echo "restore: $(secs "$t0" "$t1") s; restored database $(mib "$(size "$WORK/restored/kontor.db")")"
"$KONTOR" --data-dir "$WORK/restored" audit verify
