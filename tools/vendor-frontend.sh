#!/usr/bin/env bash
# Refresh the front-end files the site ships (committed under site/static/vendor/), from the npm registry.
# Run by hand when upgrading; the build never downloads anything.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${BOOTSTRAP_ITALIA_VERSION:-2.18.3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "bootstrap-italia@$VERSION" >/dev/null && tar xzf bootstrap-italia-*.tgz)
target=site/static/vendor/bootstrap-italia
rm -rf "$target"
mkdir -p "$target/fonts"
cp "$work/package/dist/css/bootstrap-italia.min.css" "$work/package/LICENSE" "$target/"
cp "$work/package/dist/fonts/Titillium_Web/OFL.txt" "$target/fonts/"
for weight in 300 regular 600 700 italic; do
  cp "$work/package/dist/fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-$weight.woff2" "$target/fonts/"
done
echo "bootstrap-italia $VERSION (npm, BSD-3-Clause); Titillium Web (SIL OFL 1.1)" > "$target/VERSION"
