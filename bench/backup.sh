#!/usr/bin/env bash
# Backup and restore figures (issue 8): a SQLite installation with N issued invoices and
# their archived PDF and XML files, backed up to two local targets, verified and restored
# with the `kontor` binary.
#
#   bench/backup.sh                  # 10,000 invoices, results into bench/results/
#   bench/backup.sh --invoices 500   # a smaller run
#   bench/backup.sh --keep           # keep the work folder
#
# Seeding goes through the storage API (create + issue each invoice; the files are rendered
# by the same background archiver `kontor serve` uses) in the ignored test
# crates/ops/tests/backup_bench.rs. Builds the dev profile (dependencies at opt-level 2).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

INVOICES=10000
KEEP=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --invoices) INVOICES="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        *) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME}/.cache/kontor/target}"
WORK="$(mktemp -d -t kontor-backup-bench.XXXXXX)"
cleanup() { if [[ "$KEEP" == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

OUT="bench/results/backup-$(date -u +%F)-dev.txt"
mkdir -p bench/results
exec > >(tee "$OUT") 2>&1

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.1f}')"; }
size() { du -sb "$1" | cut -f1; }
mib() { python3 -c "print(f'{$1 / 1048576:.1f} MiB')"; }

echo "# bench/backup.sh — $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD), dev profile"
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
cargo build --workspace --bins --quiet
KONTOR="${CARGO_TARGET_DIR}/debug/kontor"

DATA="$WORK/data"
t0=$(now)
KONTOR_BENCH_DATA_DIR="$DATA" KONTOR_BENCH_INVOICES="$INVOICES" \
    cargo test --workspace --quiet --test backup_bench -- --ignored --nocapture 2>&1 | grep -E 'seeded|test result'
t1=$(now)
echo "seeding ${INVOICES} invoices with archived files: $(secs "$t0" "$t1") s"
"$KONTOR" --data-dir "$DATA" migrate >/dev/null
DB_SIZE=$(( $(size "$DATA/kontor.db") + $( [[ -f "$DATA/kontor.db-wal" ]] && size "$DATA/kontor.db-wal" || echo 0) ))
echo "database: $(mib "$DB_SIZE") ($DB_SIZE bytes, files inside)"

mkdir -p "$WORK/t1" "$WORK/t2" "$WORK/keys"
RECIPIENT="$("$KONTOR" backup keygen --out "$WORK/keys/identity" 2>/dev/null)"
TARGETS=(--backup-target "$WORK/t1" --backup-target "$WORK/t2")

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
