#!/usr/bin/env bash
# Cold release build time of the `kontor` binary, per revision.
#
#   scripts/build-time.sh REV [REV...]
#
# For each REV: a detached worktree and an empty target folder (nothing shared with other
# builds, so every dependency compiles too; downloads come from cargo's registry cache and
# are not timed), then `cargo build --release -p kontor` under /usr/bin/time. Prints one line
# per revision: REV, wall seconds, CPU seconds (user + system). CPU seconds are the figure to
# compare when other work shares the machine; wall seconds only on an otherwise idle machine.
# Env: BUILD_TIME_DIR (scratch folder, default /tmp/kontor-build-time; removed afterwards).
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 REV [REV...]" >&2; exit 2; }
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="${BUILD_TIME_DIR:-/tmp/kontor-build-time}"

printf '%-12s %10s %10s\n' revision wall_s cpu_s
for rev in "$@"; do
    commit="$(git -C "$repo" rev-parse --short "$rev^{commit}")"
    tree="$scratch/$commit/src"
    target="$scratch/$commit/target"
    rm -rf "$scratch/$commit"
    mkdir -p "$scratch/$commit"
    git -C "$repo" worktree add --detach --quiet "$tree" "$commit"
    (cd "$tree" && cargo fetch --quiet)
    times="$scratch/$commit/time"
    (cd "$tree" && CARGO_TARGET_DIR="$target" /usr/bin/time -o "$times" -f '%e %U %S' \
        cargo build --release --quiet -p kontor)
    read -r wall user sys <"$times"
    printf '%-12s %10.0f %10.0f\n' "$commit" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')"
    git -C "$repo" worktree remove --force "$tree"
    rm -rf "$scratch/$commit"
done
