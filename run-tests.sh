#!/usr/bin/env bash
# Set everything up on a fresh machine (Python 3.11+) and run the whole test suite.
# Usage: bash run-tests.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")"
source tools/setup-venv.sh test
source tools/setup-test-tools.sh
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
