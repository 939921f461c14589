#!/usr/bin/env bash
# PDF benchmark (issue 4): Kontor's in-process renderer side by side with the engines other
# invoicing programs use, on the same 1-page (12 items) and 10-page (300 items) invoice from
# ../shared/bench/pdf-peers (its README describes the inputs and loops).
#
#   bench/pdf-peers.sh            # 50 warm runs per engine and size (10 for the slow ones)
#   bench/pdf-peers.sh --quick    # fewer runs
#
# Engines: kontor-pdf (crates/pdf example `render_sample --loop`), WeasyPrint, warm headless
# Chromium (Debian's /usr/bin/chromium through playwright-core from tests/e2e/node_modules,
# never a downloaded browser), typst through its Python binding, reportlab (the floor).
# The PyPI packages go into a venv under ~/.cache/kontor-pdf-peers-venv. Prints one JSON line
# per run, then a table of medians and ratios, then Kontor's peak memory (VmHWM) over 1,000
# invoices in a row. PROFILE=dev uses the dev build (dependencies at opt-level 2).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
PEERS="${PEERS:-$ROOT/../shared/bench/pdf-peers}"
[ -d "$PEERS/inputs" ] || { echo "pdf-peers.sh: $PEERS not found (set PEERS=...)" >&2; exit 1; }
N1=50; N10=10; NMEM=1000
[ "${1:-}" = "--quick" ] && { N1=15; N10=4; NMEM=200; }
[ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] && { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kontor/target}"
PROFILE="${PROFILE:-release}"
if [ "$PROFILE" = "release" ]; then
    cargo build --release -q --workspace --bins --examples
    RENDER="$CARGO_TARGET_DIR/release/examples/render_sample"
else
    cargo build -q --workspace --bins --examples
    RENDER="$CARGO_TARGET_DIR/debug/examples/render_sample"
fi

VENV="$HOME/.cache/kontor-pdf-peers-venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import weasyprint, reportlab, typst' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q weasyprint reportlab typst
fi
PY="$VENV/bin/python"
export NODE_PATH="$ROOT/tests/e2e/node_modules"
[ -d "$NODE_PATH/playwright-core" ] || (cd tests/e2e && npm ci --silent)

OUT="$(mktemp -d /tmp/kontor-pdf-peers.XXXXXX)"
trap 'rm -rf "$OUT"' EXIT
RESULTS="$OUT/results.jsonl"

run() { # size engine command...
    local size="$1" engine="$2"; shift 2
    local line
    if line="$("$@" 2>"$OUT/err" | tail -n 1)" && [ -n "$line" ]; then
        echo "{\"size\": $size, \"engine_name\": \"$engine\", \"result\": $line}" | tee -a "$RESULTS"
    else
        echo "pdf-peers.sh: $engine ($size) failed: $(tail -n 3 "$OUT/err")" >&2
    fi
}

for size in 12 300; do
    n=$N1; [ "$size" = 300 ] && n=$N10
    run $size kontor "$RENDER" --loop "$((n * 2))" "$PEERS/inputs/data-$size.json" "$OUT/kontor-$size.pdf"
    run $size weasyprint "$PY" "$PEERS/scripts/weasy_loop.py" "$PEERS/inputs/invoice-$size.html" "$OUT/weasy-$size.pdf" "$n"
    run $size chromium node "$PEERS/pw/pdf-loop.js" "$PEERS/inputs/invoice-$size.html" "$OUT/chromium-$size.pdf" "$((n * 2))" reuse
    run $size typst-py "$PY" "$PEERS/scripts/typst_loop.py" "$PEERS/inputs/data-$size.json" "$OUT/typst-$size.pdf" "$((n * 2))"
    run $size reportlab "$PY" "$PEERS/scripts/rl_invoice.py" "$PEERS/inputs/data-$size.json" "$OUT/rl-$size.pdf" "$((n * 2))"
    pages="$(pdfinfo "$OUT/kontor-$size.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')"
    echo "kontor-pdf: $size items -> ${pages:-?} pages"
done

echo
echo "Kontor peak memory over $NMEM invoices in a row (12 items each):"
"$RENDER" --loop "$NMEM" "$PEERS/inputs/data-12.json" | tee "$OUT/mem.json"

"$PY" - "$RESULTS" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
med = {(r["size"], r["engine_name"]): r["result"]["median_ms"] for r in rows}
print()
print("%-12s %14s %14s %12s %12s" % ("engine", "1 page (ms)", "10 pages (ms)", "x kontor 1p", "x kontor 10p"))
for engine in ["kontor", "weasyprint", "chromium", "typst-py", "reportlab"]:
    a, b = med.get((12, engine)), med.get((300, engine))
    ka, kb = med.get((12, "kontor")), med.get((300, "kontor"))
    ra = "%.1f" % (a / ka) if a and ka else "-"
    rb = "%.1f" % (b / kb) if b and kb else "-"
    print("%-12s %14s %14s %12s %12s" % (engine, a if a else "-", b if b else "-", ra, rb))
print("(x kontor: how many times longer the engine takes than Kontor; < 1 means faster)")
PYEOF
