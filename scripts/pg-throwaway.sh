#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests.
#
#   scripts/pg-throwaway.sh start DIR   # prints one line: postgres://postgres@127.0.0.1:PORT/postgres
#   scripts/pg-throwaway.sh stop DIR    # idempotent
#
# DIR holds everything: DIR/data (cluster), DIR/sock (unix socket + lock file),
# DIR/log (server log), DIR/port (the port in use). The server listens only on
# 127.0.0.1, on a free port; the superuser "postgres" needs no password (trust), every
# other role logs in with its password (scram-sha-256).
# Uses Debian's postgresql package (/usr/lib/postgresql/*/bin), installing it
# with apt-get when missing. Works as root: initdb/pg_ctl then run as the
# unprivileged system user "postgres" (created if missing), and DIR is chown'd
# to it, so DIR must be reachable by that user (e.g. under /tmp).
#
# Only the URL goes to stdout; everything else goes to stderr or DIR/log.
# Env: PG_THROWAWAY_TIMEOUT (seconds to wait for start/stop, default 60).
set -euo pipefail

TIMEOUT="${PG_THROWAWAY_TIMEOUT:-60}"
PG_OS_USER=postgres

log() { printf 'pg-throwaway: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    echo "usage: $0 start DIR | stop DIR" >&2
    exit 2
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# Run a command as the cluster owner (the postgres user when we are root).
as_owner() {
    if is_root; then
        runuser -u "$PG_OS_USER" -- "$@"
    else
        "$@"
    fi
}

# Newest /usr/lib/postgresql/*/bin that has initdb, or empty.
newest_pg_bin() {
    local d best="" best_ver=-1 ver
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] || continue
        ver="${d#/usr/lib/postgresql/}"
        ver="${ver%/bin}"
        case "$ver" in *[!0-9]*) continue ;; esac
        if [ "$ver" -gt "$best_ver" ]; then
            best_ver="$ver"
            best="$d"
        fi
    done
    printf '%s\n' "$best"
}

install_postgresql() {
    is_root || die "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb) and we are not root; run: apt-get install postgresql"
    command -v apt-get >/dev/null || die "PostgreSQL is not installed and apt-get is unavailable"
    log "installing postgresql with apt-get ..."
    {
        apt-get update &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql
    } >&2 || die "apt-get install postgresql failed"
}

# Sets PG_BIN. With a data dir, prefer the binaries matching its PG_VERSION.
find_pg_bin() {
    local data="$1" ver
    PG_BIN=""
    if [ -f "$data/PG_VERSION" ]; then
        ver="$(cat "$data/PG_VERSION")"
        if [ -x "/usr/lib/postgresql/$ver/bin/pg_ctl" ]; then
            PG_BIN="/usr/lib/postgresql/$ver/bin"
            return
        fi
        die "$data was created by PostgreSQL $ver, whose binaries are not in /usr/lib/postgresql/$ver/bin"
    fi
    PG_BIN="$(newest_pg_bin)"
    if [ -z "$PG_BIN" ]; then
        install_postgresql
        PG_BIN="$(newest_pg_bin)"
        [ -n "$PG_BIN" ] || die "postgresql installed, but still no /usr/lib/postgresql/*/bin/initdb"
    fi
}

ensure_os_user() {
    is_root || return 0
    if ! getent passwd "$PG_OS_USER" >/dev/null; then
        log "creating system user $PG_OS_USER"
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$PG_OS_USER" >&2 ||
            die "could not create system user $PG_OS_USER"
    fi
}

port_is_free() {
    local port="$1"
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$port" <<'PY' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
    else
        # No python: treat a port as free when nothing accepts connections on it.
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 1
        fi
        return 0
    fi
}

# Prints a free TCP port on 127.0.0.1 (scanning from a random offset above
# 55432, so that parallel runs rarely collide; start retries on a collision).
pick_port() {
    local base=55432 span=2000 i port off
    off=$((RANDOM % span))
    for ((i = 0; i < span; i++)); do
        port=$((base + (off + i) % span))
        if port_is_free "$port"; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

abs_dir() {
    mkdir -p "$1" || die "cannot create $1"
    (cd "$1" && pwd -P)
}

is_running() {
    [ -f "$DATA/PG_VERSION" ] || return 1
    as_owner "$PG_BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1
}

url_for() { printf 'postgres://postgres@127.0.0.1:%s/postgres\n' "$1"; }

cmd_start() {
    DIR="$(abs_dir "$1")"
    DATA="$DIR/data"
    SOCK="$DIR/sock"
    LOG="$DIR/log"
    # Avoid a cwd the postgres user cannot read (e.g. /root).
    cd /

    find_pg_bin "$DATA"
    ensure_os_user

    if is_running; then
        local port
        port="$(cat "$DIR/port" 2>/dev/null || true)"
        [ -n "$port" ] || die "a server is running in $DATA but $DIR/port is missing"
        log "already running in $DIR"
        url_for "$port"
        return 0
    fi

    mkdir -p "$SOCK"
    touch "$LOG"
    if is_root; then
        chown -R "$PG_OS_USER:" "$DIR"
        as_owner test -w "$DIR" -a -x "$DIR" ||
            die "user $PG_OS_USER cannot use $DIR (is a parent directory private, e.g. /root?); pick a dir under /tmp"
    fi
    chmod 700 "$SOCK"

    if [ ! -f "$DATA/PG_VERSION" ]; then
        log "initdb in $DATA ($PG_BIN)"
        as_owner "$PG_BIN/initdb" -D "$DATA" -U postgres --auth=trust \
            --encoding=UTF8 --no-locale --no-instructions >>"$LOG" 2>&1 ||
            die "initdb failed; see $LOG"
        # Unix sockets are limited to ~107 bytes of path; skip the socket if DIR is too deep.
        local sockdirs="$SOCK"
        if [ $((${#SOCK} + 20)) -gt 107 ]; then
            log "warning: $SOCK is too long for a unix socket; listening on TCP only"
            sockdirs=""
        fi
        cat >>"$DATA/postgresql.conf" <<EOF

# --- scripts/pg-throwaway.sh ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sockdirs'
max_connections = 300
fsync = on
synchronous_commit = on
logging_collector = off
EOF
        # The superuser "postgres" keeps trust (the tests' admin URL has no password); every
        # other role must present its password, so tests can tell credentials apart (cloud
        # tenants). First match wins, so these lines go before initdb's.
        local hba="$DATA/pg_hba.conf"
        {
            printf '%s\n' '# --- scripts/pg-throwaway.sh ---' \
                'local all postgres trust' \
                'host all postgres 127.0.0.1/32 trust' \
                'host all postgres ::1/128 trust' \
                'local all all scram-sha-256' \
                'host all all 127.0.0.1/32 scram-sha-256' \
                'host all all ::1/128 scram-sha-256'
            cat "$hba"
        } >"$hba.new"
        mv "$hba.new" "$hba"
        if is_root; then chown "$PG_OS_USER:" "$hba"; fi
    fi

    # pg_hba from initdb --auth=trust is trust for local, 127.0.0.1/32 and ::1.
    local attempt port from
    for attempt in 1 2 3 4 5; do
        port="$(pick_port)" || die "no free TCP port found on 127.0.0.1"
        from=$(($(wc -l <"$LOG") + 1))
        log "starting PostgreSQL on 127.0.0.1:$port (attempt $attempt)"
        if as_owner "$PG_BIN/pg_ctl" start -D "$DATA" -l "$LOG" -w -t "$TIMEOUT" \
            -o "-p $port" >&2; then
            break
        fi
        if tail -n +"$from" "$LOG" | grep -qiE 'could not bind|address already in use'; then
            log "port $port was taken meanwhile; retrying"
            port=""
            continue
        fi
        tail -n 20 "$LOG" >&2 || true
        as_owner "$PG_BIN/pg_ctl" stop -D "$DATA" -m immediate >/dev/null 2>&1 || true
        die "PostgreSQL did not start within ${TIMEOUT}s; see $LOG"
    done
    [ -n "$port" ] || die "could not find a port PostgreSQL could bind; see $LOG"
    echo "$port" >"$DIR/port"

    # pg_ctl -w waited for the postmaster; also check TCP connections are accepted.
    local deadline=$((SECONDS + TIMEOUT))
    until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -t 2; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            tail -n 20 "$LOG" >&2 || true
            as_owner "$PG_BIN/pg_ctl" stop -D "$DATA" -m immediate >/dev/null 2>&1 || true
            die "PostgreSQL on 127.0.0.1:$port not accepting connections after ${TIMEOUT}s; see $LOG"
        fi
        sleep 0.2
    done
    log "ready on 127.0.0.1:$port (data: $DATA, log: $LOG)"
    url_for "$port"
}

cmd_stop() {
    if [ ! -d "$1" ]; then
        log "nothing to stop: $1 does not exist"
        return 0
    fi
    DIR="$(cd "$1" && pwd -P)"
    DATA="$DIR/data"
    cd /
    if [ ! -f "$DATA/PG_VERSION" ]; then
        log "nothing to stop: no cluster in $DATA"
        return 0
    fi
    find_pg_bin "$DATA"
    if ! is_running; then
        log "not running: $DATA"
        return 0
    fi
    if ! as_owner "$PG_BIN/pg_ctl" stop -D "$DATA" -m fast -w -t "$TIMEOUT" >&2; then
        log "fast shutdown failed; trying immediate"
        as_owner "$PG_BIN/pg_ctl" stop -D "$DATA" -m immediate -w -t "$TIMEOUT" >&2 ||
            die "could not stop PostgreSQL in $DATA"
    fi
    log "stopped: $DATA"
}

[ $# -eq 2 ] || usage
[ -n "$2" ] || usage
case "$1" in
    start) cmd_start "$2" ;;
    stop) cmd_stop "$2" ;;
    *) usage ;;
esac
