# Sourced by run-example.sh and run-tests.sh: create .venv and install piao-lod into it.
# A real (non-editable) install, so the tests exercise the packaged files.
# Argument: "test" to add the test dependencies.
PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      PYTHON="$candidate"; break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "piao-lod needs Python 3.11 or newer" >&2
  exit 2
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip 2>/dev/null || true
if [ "${1:-}" = "test" ]; then
  .venv/bin/python -m pip install --quiet --no-cache-dir ".[test]" 2>&1 | grep -v "^WARNING: Location" || true
else
  .venv/bin/python -m pip install --quiet --no-cache-dir . 2>&1 | grep -v "^WARNING: Location" || true
fi
.venv/bin/python -c "import piao_lod" || { echo "installing piao-lod failed" >&2; exit 2; }
