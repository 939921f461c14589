#!/usr/bin/env bash
# A real S3 endpoint on 127.0.0.1 for tests: s3s-fs (crates.io, Apache-2.0) serving a
# temporary folder. Installed once into ~/.cache/kontor/tools (its build output cached in
# ~/.cache/kontor/s3s-fs-target; ~3 min on two cores the first time).
#
#   scripts/s3s-fs.sh install            # build and install only
#   scripts/s3s-fs.sh run CMD [ARGS...]  # start it on a free port, run CMD with
#                                        # KONTOR_TEST_S3_URL, AWS_ACCESS_KEY_ID and
#                                        # AWS_SECRET_ACCESS_KEY set, then stop it and
#                                        # remove its folder (CMD's exit status is returned)
#
# The bucket is `kontor-test`; KONTOR_TEST_S3_URL=s3://kontor-test?endpoint=http://127.0.0.1:PORT.
set -euo pipefail

VERSION=0.14.1 # 0.17 needs a newer rustc than this toolchain
CACHE="${HOME}/.cache/kontor"
ROOT="${CACHE}/tools"
BIN="${ROOT}/bin/s3s-fs"

install() {
    if [[ -x "$BIN" ]] && "$BIN" --help >/dev/null 2>&1; then
        return 0
    fi
    mkdir -p "$ROOT"
    echo "s3s-fs.sh: installing s3s-fs ${VERSION} into ${ROOT} (once)" >&2
    CARGO_TARGET_DIR="${CACHE}/s3s-fs-target" \
        cargo install s3s-fs --version "=${VERSION}" --features binary --locked --root "$ROOT" >&2
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

run() {
    install
    local dir port pid status
    dir="$(mktemp -d -t kontor-s3s.XXXXXX)"
    mkdir -p "${dir}/kontor-test"
    port="$(free_port)"
    export AWS_ACCESS_KEY_ID="kontor-test-key"
    export AWS_SECRET_ACCESS_KEY="kontor-test-secret-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
    "$BIN" --host 127.0.0.1 --port "$port" \
        --access-key "$AWS_ACCESS_KEY_ID" --secret-key "$AWS_SECRET_ACCESS_KEY" "$dir" \
        >"${dir}.log" 2>&1 &
    pid=$!
    # shellcheck disable=SC2064
    trap "kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf '$dir' '${dir}.log'" EXIT
    for _ in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
            break
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "s3s-fs.sh: s3s-fs did not start:" >&2
            cat "${dir}.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    export KONTOR_TEST_S3_URL="s3://kontor-test?endpoint=http://127.0.0.1:${port}"
    echo "s3s-fs.sh: S3 on http://127.0.0.1:${port} (pid ${pid}, folder ${dir})" >&2
    status=0
    "$@" || status=$?
    return "$status"
}

case "${1:-}" in
    install) install ;;
    run)
        shift
        [[ $# -gt 0 ]] || { echo "usage: $0 run CMD [ARGS...]" >&2; exit 2; }
        run "$@"
        ;;
    *)
        echo "usage: $0 install | run CMD [ARGS...]" >&2
        exit 2
        ;;
esac
