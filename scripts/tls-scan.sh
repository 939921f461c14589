#!/usr/bin/env bash
# TLS drill: starts the debug `kontor serve` with a certificate made here (openssl,
# ECDSA P-256) on 127.0.0.1, then
#   - openssl s_client: TLS 1.0/1.1 refused, a CBC suite on TLS 1.2 refused, an ECDHE+GCM
#     suite on TLS 1.2 and TLS 1.3 accepted, no compression;
#   - curl: HSTS on HTTPS, the plain-HTTP listener answers only with a 308 to HTTPS;
#   - sslyze (PyPI, installed into a venv under the cache folder): only TLS 1.2/1.3, only
#     forward-secret AEAD suites, no compression, no insecure renegotiation, HSTS >= 1 year,
#     not vulnerable to Heartbleed, CCS injection or ROBOT;
#   - haproxy -c on deploy/haproxy/tls-termination.cfg (same policy for the proxy case).
# Needs: openssl, curl, python3 with venv, haproxy (.ci/run installs them). Prints
# "N passed, N failed" and exits non-zero on any failure. The server is always stopped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kontor/target}"
KONTOR="${KONTOR_BIN:-$CARGO_TARGET_DIR/debug/kontor}"
VENV="${KONTOR_SSLYZE_VENV:-${HOME:-/root}/.cache/kontor/sslyze-venv}"

PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); echo "  ok    $*"; }
bad() { FAILED=$((FAILED + 1)); echo "  FAIL  $*"; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/kontor-tls-scan.XXXXXX")"
PID=""
cleanup() {
    if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

[ -x "$KONTOR" ] || cargo test -q --workspace --no-run
if [ ! -x "$VENV/bin/sslyze" ]; then
    echo "tls-scan: installing sslyze into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check 'sslyze>=6,<7'
fi

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
PORT="$(free_port)"
RPORT="$(free_port)"
KONTOR_LOG=warn "$KONTOR" --data-dir "$WORK/data" serve --listen "127.0.0.1:$PORT" \
    --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem" --http-redirect "127.0.0.1:$RPORT" \
    >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 150); do
    curl -skf "https://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -skf "https://127.0.0.1:$PORT/healthz" >/dev/null || { cat "$WORK/server.log"; echo "tls-scan: server did not start"; exit 1; }
echo "tls-scan: kontor serve with TLS on 127.0.0.1:$PORT, redirect on :$RPORT"

handshake() { # ARGS... -> 0 when a handshake completed
    timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost "$@" </dev/null >"$WORK/s_client.out" 2>&1
}
for v in -tls1 -tls1_1; do
    if handshake "$v"; then bad "openssl s_client $v was accepted"; else ok "openssl s_client $v refused"; fi
done
for cbc in ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES256-SHA384 ECDHE-RSA-AES128-SHA AES128-SHA; do
    if handshake -tls1_2 -cipher "$cbc"; then bad "CBC suite $cbc accepted on TLS 1.2"; else ok "CBC suite $cbc refused on TLS 1.2"; fi
done
if handshake -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256 && grep -q "Compression: NONE" "$WORK/s_client.out"; then
    ok "TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256 accepted, no compression"
else
    bad "TLS 1.2 with ECDHE+GCM not accepted (or compression on)"; cat "$WORK/s_client.out"
fi
if handshake -tls1_3 && grep -q "TLSv1.3" "$WORK/s_client.out"; then ok "TLS 1.3 accepted"; else bad "TLS 1.3 not accepted"; fi

HSTS=$(curl -sk -D - -o /dev/null "https://127.0.0.1:$PORT/login" | tr -d '\r' | sed -n 's/^strict-transport-security: //ip')
case "$HSTS" in max-age=31536000*) ok "HSTS: $HSTS" ;; *) bad "HSTS missing or short: '$HSTS'" ;; esac
REDIRECT=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$RPORT/documents?page=2")
if [ "$REDIRECT" = "308 https://127.0.0.1:$PORT/documents?page=2" ]; then ok "plain HTTP redirects: $REDIRECT"; else bad "plain HTTP: $REDIRECT"; fi

if timeout 300 "$VENV/bin/sslyze" --mozilla_config=disable --sslv2 --sslv3 --tlsv1 --tlsv1_1 --tlsv1_2 --tlsv1_3 --compression --reneg --heartbleed --openssl_ccs --robot --elliptic_curves --http_headers --json_out="$WORK/sslyze.json" "127.0.0.1:$PORT" >"$WORK/sslyze.txt" 2>&1; then
    ok "sslyze scan ran"
else
    bad "sslyze did not finish"; tail -20 "$WORK/sslyze.txt"
fi
if [ -s "$WORK/sslyze.json" ]; then
    set +e
    "$VENV/bin/python" - "$WORK/sslyze.json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
result = data["server_scan_results"][0]
checks = []
def check(ok, what):
    checks.append(ok)
    print(("  ok    " if ok else "  FAIL  ") + "sslyze: " + what)
if result.get("scan_status") != "COMPLETED":
    check(False, f"scan status {result.get('scan_status')}")
    sys.exit(1)
scan = result["scan_result"]
def res(name):
    entry = scan.get(name) or {}
    if entry.get("status") != "COMPLETED":
        check(False, f"{name} not completed: {entry.get('status')} {entry.get('error_reason')}")
        return None
    return entry["result"]
for old in ["ssl_2_0_cipher_suites", "ssl_3_0_cipher_suites", "tls_1_0_cipher_suites", "tls_1_1_cipher_suites"]:
    r = res(old)
    if r is not None:
        check(not r["accepted_cipher_suites"], f"{old}: none accepted")
for new in ["tls_1_2_cipher_suites", "tls_1_3_cipher_suites"]:
    r = res(new)
    if r is None:
        continue
    names = [s["cipher_suite"]["name"] for s in r["accepted_cipher_suites"]]
    check(bool(names), f"{new}: accepted {names}")
    for n in names:
        fs = n.startswith("TLS_ECDHE_") or new == "tls_1_3_cipher_suites"
        aead = "GCM" in n or "CHACHA20_POLY1305" in n
        check(fs and aead, f"{n} is forward secret and AEAD")
r = res("tls_compression")
if r is not None:
    check(not r["supports_compression"], "no TLS compression")
r = res("session_renegotiation")
if r is not None:
    check(not r["is_vulnerable_to_client_renegotiation_dos"], "no client-initiated renegotiation")
r = res("heartbleed")
if r is not None:
    check(not r["is_vulnerable_to_heartbleed"], "not vulnerable to Heartbleed")
r = res("openssl_ccs_injection")
if r is not None:
    check(not r["is_vulnerable_to_ccs_injection"], "not vulnerable to CCS injection")
r = res("robot")
if r is not None:
    check(r["robot_result"].startswith("NOT_VULNERABLE"), f"ROBOT: {r['robot_result']}")
r = res("http_headers")
if r is not None:
    hsts = r.get("strict_transport_security_header") or {}
    check((hsts.get("max_age") or 0) >= 31536000, f"HSTS max-age {hsts.get('max_age')}")
sys.exit(0 if all(checks) else 1)
PY
    rc=$?
    set -e
    if [ "$rc" -eq 0 ]; then ok "sslyze findings as required"; else bad "sslyze findings"; fi
fi

if command -v haproxy >/dev/null; then
    cat "$WORK/cert.pem" "$WORK/key.pem" >"$WORK/haproxy.pem"
    sed "s|/etc/haproxy/certs/kontor.pem|$WORK/haproxy.pem|" deploy/haproxy/tls-termination.cfg >"$WORK/haproxy.cfg"
    if haproxy -c -f "$WORK/haproxy.cfg" >"$WORK/haproxy.out" 2>&1; then
        ok "deploy/haproxy/tls-termination.cfg is valid"
    else
        bad "haproxy -c: $(cat "$WORK/haproxy.out")"
    fi
else
    bad "haproxy not installed (apt-get install haproxy)"
fi

echo "tls-scan: $PASSED passed, $FAILED failed"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
