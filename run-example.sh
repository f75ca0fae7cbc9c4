#!/usr/bin/env bash
# Set everything up on a fresh machine (Python 3.11+) and convert the bundled
# Comune di Cremona PIAO 2024-2026 objectives table to RDF in out/.
set -euo pipefail
cd "$(dirname "$0")"
source tools/setup-venv.sh
mkdir -p out
status=0
.venv/bin/piao-lod convert examples/cremona-piao-2024-2026-obiettivi.txt -o out/cremona-2024.ttl || status=$?
.venv/bin/piao-lod convert examples/cremona-piao-2024-2026-obiettivi.txt -o out/cremona-2024.trig 2>/dev/null || true
echo
if [ "$status" -le 1 ]; then
  echo "RDF written to out/cremona-2024.ttl and out/cremona-2024.trig (exit $status: 1 means data problems were reported above)."
else
  exit "$status"
fi
