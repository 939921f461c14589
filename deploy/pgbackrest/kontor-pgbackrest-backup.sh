#!/bin/sh
# Runs one pgBackRest backup of the Kontor cluster to both repositories, on the primary only
# (installed as /usr/local/bin/kontor-pgbackrest-backup; run by the systemd timers here or cron).
#   kontor-pgbackrest-backup full|diff
# On a standby it does nothing and exits 0, so the same timer runs on both Patroni nodes.
# Expiry (30 days, see pgbackrest.conf) runs after every successful backup, per repository.
set -eu
TYPE="${1:-full}"
case "$TYPE" in full | diff | incr) ;; *) echo "usage: $0 full|diff|incr" >&2; exit 2 ;; esac
PATRONI_API="${PATRONI_API:-http://127.0.0.1:8008}"
if ! curl -fsS -o /dev/null --max-time 5 "$PATRONI_API/primary"; then
    echo "not the primary (or Patroni not answering at $PATRONI_API): no backup here"
    exit 0
fi
status=0
for repo in 1 2; do
    # One repository failing does not stop the other; the exit status reports it (and the
    # unit's OnFailure= / the monitoring of `pgbackrest info` alerts).
    pgbackrest --stanza=kontor --repo="$repo" --type="$TYPE" backup || status=1
done
exit "$status"
