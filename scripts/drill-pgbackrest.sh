#!/usr/bin/env bash
# Point-in-time restore drill for deploy/pgbackrest/pgbackrest.conf on 127.0.0.1.
#
#   scripts/drill-pgbackrest.sh
#
# A throwaway PostgreSQL 15 cluster (initdb/pg_ctl in a temp dir, free port) archives its WAL
# with the shipped configuration to two repositories in the temp dir (repo2 encrypted with a
# random cipher pass); stanza-create, check, a full backup to each repository; rows written,
# the time noted, more rows written; then a point-in-time restore to that time into a new data
# directory, once from each repository, and exactly the first rows must be there. Also checks
# that repo2 holds no plaintext and that retention is the shipped 30-day time-based one.
# Only paths, port and the cipher pass differ from the shipped file (given as PGBACKREST_*
# environment variables, which pgBackRest reads over the file).
#
# Needs Debian's pgbackrest and postgresql (15). As root, PostgreSQL runs as `postgres`.
# Cleans up everything (also on failure, when the logs' tails are printed). Takes ~30-60 s.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
CONF="$ROOT/deploy/pgbackrest/pgbackrest.conf"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
STANZA=kontor
START=$SECONDS

say() { printf 'drill-pgbackrest: %s\n' "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }

command -v pgbackrest >/dev/null || die "needs pgbackrest (apt-get install pgbackrest)"
[ -x "$PG_BIN/initdb" ] || die "needs PostgreSQL 15 in $PG_BIN (apt-get install postgresql)"
[ -f "$CONF" ] || die "missing $CONF"

DIR="$(mktemp -d "${TMPDIR:-/tmp}/kontor-pgbackrest.XXXXXX")"
chmod 755 "$DIR"
mkdir -p "$DIR"/{repo1,repo2,log,lock,spool,sock}
if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres:postgres "$DIR"
    AS_PG=(runuser -u postgres --)
else
    AS_PG=()
fi

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# pgBackRest options over the shipped file: paths in the temp dir, the drill's port and a fresh
# cipher pass. Everything else (two repos, aes-256-cbc, retention, compression) is the file's.
CIPHER_PASS="$(head -c 48 /dev/urandom | base64 | tr -d '\n')"
PGBR_ENV=(
    "PGBACKREST_CONFIG=$CONF"
    "PGBACKREST_REPO1_PATH=$DIR/repo1"
    "PGBACKREST_REPO2_PATH=$DIR/repo2"
    "PGBACKREST_REPO2_CIPHER_PASS=$CIPHER_PASS"
    "PGBACKREST_LOG_PATH=$DIR/log"
    "PGBACKREST_LOCK_PATH=$DIR/lock"
    "PGBACKREST_SPOOL_PATH=$DIR/spool"
    "PGBACKREST_PG1_SOCKET_PATH=$DIR/sock"
    "PGBACKREST_LOG_LEVEL_CONSOLE=warn"
)

# Runs a command as the cluster owner with the pgBackRest environment.
pg() { "${AS_PG[@]}" env "${PGBR_ENV[@]}" "$@"; }
pgbr() { pg pgbackrest --stanza="$STANZA" "$@"; }

CLUSTERS=()
cleanup() {
    local rc=$?
    for data in ${CLUSTERS[@]+"${CLUSTERS[@]}"}; do
        [ -f "$data/postmaster.pid" ] && pg "$PG_BIN/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
    done
    if [ "$rc" -ne 0 ]; then
        for f in "$DIR"/*.log "$DIR"/log/*.log; do
            [ -f "$f" ] || continue
            printf '\n----- %s (last 30 lines) -----\n' "$f" >&2
            tail -n 30 "$f" >&2
        done
    fi
    rm -rf "$DIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_cluster DATA PORT LOG [EXTRA_OPTIONS]: PostgreSQL inherits the pgBackRest environment,
# so its archive_command and restore_command use the drill's paths.
start_cluster() {
    CLUSTERS+=("$1")
    pg "$PG_BIN/pg_ctl" -D "$1" -l "$3" -w -t 60 \
        -o "-p $2 -c listen_addresses=127.0.0.1 -c unix_socket_directories=$DIR/sock ${4:-}" start >/dev/null ||
        die "PostgreSQL in $1 did not start"
}
psql_at() { # PORT SQL
    pg "$PG_BIN/psql" -X -q -At -h "$DIR/sock" -p "$1" -d postgres -v ON_ERROR_STOP=1 -c "$2"
}

PORT="$(free_port)"
PGBR_ENV+=("PGBACKREST_PG1_PORT=$PORT" "PGBACKREST_PG1_PATH=$DIR/data")
say "cluster on 127.0.0.1:$PORT in $DIR"
pg "$PG_BIN/initdb" -D "$DIR/data" -U postgres --auth=trust --data-checksums >"$DIR/initdb.log" 2>&1 ||
    die "initdb failed"
cat >>"$DIR/data/postgresql.conf" <<EOF
wal_level = replica
archive_mode = on
archive_command = 'pgbackrest --stanza=$STANZA archive-push %p'
archive_timeout = 60
max_wal_senders = 3
EOF
start_cluster "$DIR/data" "$PORT" "$DIR/postgres.log"

say "stanza-create, check (archiving to both repositories)"
pgbr stanza-create
pgbr check
say "full backup to repo1 and to repo2 (encrypted)"
pgbr --repo=1 --type=full backup
pgbr --repo=2 --type=full backup

psql_at "$PORT" "CREATE TABLE drill (id integer PRIMARY KEY, phase text NOT NULL)"
psql_at "$PORT" "INSERT INTO drill SELECT g, 'before' FROM generate_series(1, 500) g"
# The restore target: after the first rows committed, before the second ones.
sleep 1
TARGET="$(psql_at "$PORT" "SELECT clock_timestamp()")"
sleep 1
psql_at "$PORT" "INSERT INTO drill SELECT g, 'after' FROM generate_series(501, 1000) g"
psql_at "$PORT" "DELETE FROM drill WHERE id <= 10"
# Make sure the WAL with the second rows is archived too (the restore must stop before them,
# not merely run out of WAL).
pgbr check
say "target time $TARGET; rows now: $(psql_at "$PORT" "SELECT count(*) FROM drill")"

# Retention is the shipped one.
INFO="$(pgbr info)"
pg pgbackrest --stanza="$STANZA" info --output=json >"$DIR/info.json"
grep -q '"cipher":"aes-256-cbc"' "$DIR/info.json" || die "repo2 is not encrypted: $(cat "$DIR/info.json")"
# Encrypted repository files start with OpenSSL's "Salted__"; the plain one must not.
[ "$(head -c 8 "$DIR/repo2/backup/$STANZA/backup.info")" = "Salted__" ] || die "repo2's backup.info is not encrypted"
[ "$(head -c 8 "$DIR/repo1/backup/$STANZA/backup.info")" != "Salted__" ] || die "repo1 should be plain"
WAL2="$(find "$DIR/repo2/archive/$STANZA" -type f -name '0000*' | head -n 1)"
[ -n "$WAL2" ] && [ "$(head -c 8 "$WAL2")" = "Salted__" ] || die "repo2's archived WAL is not encrypted (${WAL2:-none found})"
say "retention: $(grep -E '^repo[12]-retention-full(-type)?=' "$CONF" | tr '\n' ' ')"

pg "$PG_BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null

restore_and_check() { # REPO
    local repo="$1" data="$DIR/restored$1" port count before after missing
    say "point-in-time restore from repo$repo into $data"
    pgbr --repo="$repo" --pg1-path="$data" --type=time "--target=$TARGET" \
        --target-action=promote restore
    port="$(free_port)"
    # Archiving off: the restored copy must not write a new timeline into the repositories.
    start_cluster "$data" "$port" "$DIR/restored$repo.log" "-c archive_mode=off"
    for _ in $(seq 1 120); do
        [ "$(psql_at "$port" "SELECT pg_is_in_recovery()")" = "f" ] && break
        sleep 0.5
    done
    [ "$(psql_at "$port" "SELECT pg_is_in_recovery()")" = "f" ] || die "restored cluster (repo$repo) still in recovery"
    count="$(psql_at "$port" "SELECT count(*) FROM drill")"
    before="$(psql_at "$port" "SELECT count(*) FROM drill WHERE phase = 'before'")"
    after="$(psql_at "$port" "SELECT count(*) FROM drill WHERE phase = 'after'")"
    missing="$(psql_at "$port" "SELECT count(*) FROM generate_series(1, 500) g WHERE NOT EXISTS (SELECT 1 FROM drill WHERE id = g)")"
    say "repo$repo: $count rows ($before before, $after after, $missing of the first 500 missing)"
    [ "$count" = 500 ] && [ "$before" = 500 ] && [ "$after" = 0 ] && [ "$missing" = 0 ] ||
        die "repo$repo: expected exactly the 500 rows written before $TARGET"
    pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null
}
restore_and_check 2
restore_and_check 1

printf '%s\n' "$INFO" | sed 's/^/  /' >&2
say "OK in $((SECONDS - START)) s: WAL archived to two repositories (repo2 aes-256-cbc), full backups, point-in-time restore from each repository has exactly the rows committed before the target"
