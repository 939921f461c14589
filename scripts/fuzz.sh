#!/usr/bin/env bash
# Time-boxed coverage-guided fuzzing of the e-invoice reader (cargo fuzz / libFuzzer), on the
# stable toolchain.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default 60); TARGETs default to all: pdf_extract (the PDF attachment
# extractor, lopdf) and check_xml (check_bytes / check_xml on XML).
#
# Stable toolchain: cargo fuzz hands rustc nightly-only flags (-Zsanitizer, -Cpasses=sancov...);
# RUSTC_BOOTSTRAP=1 makes stable rustc accept them. No sanitizer by default (our code has no
# `unsafe`, and it doubles the speed); FUZZ_SANITIZER=address turns AddressSanitizer on.
# Debug assertions are on (-a), so an arithmetic overflow is a crash too.
# cargo-fuzz itself is installed with `cargo install cargo-fuzz` when it is missing.
#
# Corpora: fuzz/corpus/TARGET (committed: small, minimised seeds) plus the examples in
# ../shared/einvoice/examples are copied into fuzz/work/TARGET (not committed), which grows
# from run to run. libFuzzer's findings go to fuzz/artifacts/TARGET/ (crash-*, timeout-*,
# oom-*). Minimise one with `cargo fuzz tmin TARGET FILE`, fix it, and commit the small
# input under fuzz/crashes/ (crates/einvoice-in/tests/fuzz_corpus.rs replays them).
#
# Prints per target: executions, executions per second, corpus size, crashes found; exits
# with 1 when any target crashed, timed out or ran out of memory.
# Env: FUZZ_TARGET_DIR (cargo target folder, default fuzz/target), FUZZ_JOBS (parallel
# libFuzzer workers per target, default 1), FUZZ_MAX_LEN (default 65536).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
secs="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(pdf_extract check_xml)
fuzz="$repo/fuzz"
shared="$repo/../shared/einvoice/examples"
target_dir="${FUZZ_TARGET_DIR:-$fuzz/target}"
max_len="${FUZZ_MAX_LEN:-65536}"
jobs="${FUZZ_JOBS:-1}"
sanitizer="${FUZZ_SANITIZER:-none}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz ..." >&2
    cargo install --quiet --locked cargo-fuzz
fi

seed() { # TARGET DIR: copy the seeds into the working corpus
    local t="$1" work="$2" ext
    mkdir -p "$work"
    if [ -d "$fuzz/corpus/$t" ]; then cp -n "$fuzz/corpus/$t"/* "$work"/ 2>/dev/null || true; fi
    case "$t" in pdf_extract) ext=pdf ;; *) ext=xml ;; esac
    if [ -d "$shared" ]; then
        find "$shared" -name "*.$ext" -size "-$((max_len / 1024))k" -print0 |
            while IFS= read -r -d '' f; do
                cp -n "$f" "$work/seed-$(basename "$f")"
            done
    fi
}

status=0
summary=()
for t in "${targets[@]}"; do
    work="$fuzz/work/$t"
    art="$fuzz/artifacts/$t"
    seed "$t" "$work"
    mkdir -p "$art"
    dict=()
    par=()
    [ "$jobs" -le 1 ] || par=(-jobs="$jobs" -workers="$jobs")
    case "$t" in
        pdf_extract) dict=(-dict="$fuzz/pdf.dict") ;;
        check_xml) dict=(-dict="$fuzz/xml.dict") ;;
    esac
    before="$(find "$art" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)"
    log="$fuzz/work/$t.log"
    echo "== $t: ${secs}s, corpus $(find "$work" -type f | wc -l) files" >&2
    set +e
    (cd "$fuzz" && cargo fuzz run --sanitizer "$sanitizer" -a --target-dir "$target_dir" "$t" "$work" -- \
        -max_total_time="$secs" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$art/" "${par[@]}" "${dict[@]}") \
        >"$log" 2>&1
    rc=$?
    set -e
    stats="$log"
    if [ "$jobs" -gt 1 ]; then
        # With -jobs libFuzzer's workers write fuzz-N.log files in the current folder.
        stats="$fuzz/work/$t.jobs.log"
        cat "$fuzz"/fuzz-*.log >"$stats" 2>/dev/null || true
        rm -f "$fuzz"/fuzz-*.log
    fi
    execs="$(grep -E -o 'stat::number_of_executed_units: *[0-9]+' "$stats" | awk '{s += $2} END {print s + 0}')"
    speed="$(grep -E -o 'stat::average_exec_per_sec: *[0-9]+' "$stats" | awk '{s += $2} END {print s + 0}')"
    after="$(find "$art" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)"
    found=$((after - before))
    if [ "$rc" -ne 0 ] && [ "$found" -eq 0 ]; then
        echo "$t: cargo fuzz failed (exit $rc), see $log" >&2
        tail -20 "$log" >&2
        status=1
    fi
    if [ "$found" -gt 0 ]; then
        status=1
        grep -E 'panicked at|ERROR: libFuzzer|SUMMARY' "$log" | head -5 >&2 || true
    fi
    summary+=("$(printf '%-12s %10s %8s %8s %8s' "$t" "$execs" "$speed" "$(find "$work" -type f | wc -l)" "$found")")
done

printf '%-12s %10s %8s %8s %8s\n' target executions exec/s corpus crashes
printf '%s\n' "${summary[@]}"
found_files="$(find "$fuzz/artifacts" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) 2>/dev/null)"
[ -z "$found_files" ] || printf 'artifacts (all runs):\n%s\n' "$found_files"
exit "$status"
