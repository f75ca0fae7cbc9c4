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
# Install again only when what the wheel is built from changed since the last install into this venv.
SOURCES_DIGEST="$(find pyproject.toml README.md src converters ontology shapes vocabularies site queries examples \
  locales profiles -type f -not -path '*/__pycache__/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum)"
INSTALLED_STAMP=.venv/.piao-lod-installed
if [ "${1:-}" = "test" ]; then WANTED=".[test]"; else WANTED="."; fi
if ! grep -qxF -e "$WANTED ${SOURCES_DIGEST%% *}" -e ".[test] ${SOURCES_DIGEST%% *}" "$INSTALLED_STAMP" 2>/dev/null; then
  .venv/bin/python -m pip install --quiet --upgrade pip 2>/dev/null || true
  .venv/bin/python -m pip install --quiet --no-cache-dir "$WANTED" 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import piao_lod" && echo "$WANTED ${SOURCES_DIGEST%% *}" > "$INSTALLED_STAMP"
fi
.venv/bin/python -c "import piao_lod" || { echo "installing piao-lod failed" >&2; exit 2; }
