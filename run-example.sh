#!/usr/bin/env bash
# Set everything up on a fresh machine (Python 3.11+) and run the main job on the bundled
# Comune di Cremona PIAO 2024-2026 objectives table, from its extracted text and from its PDF: RDF in out/, the linked-data site in _site/,
# then serve it with its SPARQL endpoint on http://127.0.0.1:8000/ (Ctrl-C stops; --no-serve skips).
set -euo pipefail
cd "$(dirname "$0")"
source tools/setup-venv.sh
mkdir -p out
status=0
.venv/bin/piao-lod convert examples/cremona-piao-2024-2026-obiettivi.txt -o out/cremona-2024.ttl || status=$?
.venv/bin/piao-lod convert examples/cremona-piao-2024-2026-obiettivi.txt -o out/cremona-2024.trig 2>/dev/null || true
[ "$status" -le 1 ] || exit "$status"
pdf_status=0
.venv/bin/piao-lod convert examples/cremona-piao-2024-2026-obiettivi.pdf -o out/cremona-2024-pdf.ttl 2>/dev/null || pdf_status=$?
[ "$pdf_status" -le 1 ] || exit "$pdf_status"
echo "RDF written to out/cremona-2024.ttl and out/cremona-2024.trig (exit $status: 1 means data problems were reported above);"
echo "the same plan read from its PDF: out/cremona-2024-pdf.ttl (pages and rows as provenance)."
build_status=0
.venv/bin/piao-lod build -o _site || build_status=$?
[ "$build_status" -le 1 ] || exit "$build_status"
echo "Site written to _site/ (open _site/index.html, or serve it); validation report: _site/validazione/index.html"
if [ "${1:-}" != "--no-serve" ]; then
  exec .venv/bin/piao-lod serve --site _site --port "${PORT:-8000}"
fi
