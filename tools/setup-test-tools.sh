# Sourced by run-tests.sh: the non-Python tools some tests use, installed when missing.
# - Node.js + npm (Debian) and the npm packages of tests/shacl-js (an independent SHACL engine).
# - Apache httpd (Debian apache2): tests/test_site_hosting.py serves a small site with the generated .htaccess.
# - Debian's Chromium and the npm packages of tests/browser (playwright-core, axe-core) for
#   tests/test_site_browser.py.
# - A Java runtime (Debian default-jre-headless) for the HermiT and Pellet jars of owlready2:
#   tests/test_ontology_reasoners.py.
# - Virtuoso (Debian virtuoso-opensource-7-bin, the binaries of virtuoso-opensource without the system
#   service the full package starts on every interface): tests/test_publish.py starts its own on 127.0.0.1.
need_apt=()
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
[ -x /usr/sbin/apache2 ] || need_apt+=(apache2)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
ldconfig -p 2>/dev/null | grep -q 'libmagic\.so\.1' || need_apt+=(libmagic1)   # CKAN (tests/ckan) imports python-magic
command -v virtuoso-t >/dev/null 2>&1 || need_apt+=(virtuoso-opensource-7-bin)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  fi
fi
if [ ! -d tests/shacl-js/node_modules/rdf-validate-shacl ]; then
  (cd tests/shacl-js && npm ci --silent --no-audit --no-fund)
fi
if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -d tests/browser/node_modules/axe-core ]; then
  (cd tests/browser && npm ci --silent --no-audit --no-fund)
fi
# - the vocabularies the EU DCAT-AP SHACL shapes import (npm @vocabulary/*) for tests/test_site_harvesters.py;
# - CKAN's DCAT parser (ckanext-dcat, with the part of CKAN it imports) in a venv of its own, tests/ckan/.venv.
if [ ! -d tests/dcat-ap-imports/node_modules/@vocabulary/vcard ]; then
  (cd tests/dcat-ap-imports && npm ci --silent --no-audit --no-fund)
fi
if [ ! -x tests/ckan/.venv/bin/python ] || ! cmp -s tests/ckan/requirements.txt tests/ckan/.venv/requirements.txt; then
  python3 -m venv tests/ckan/.venv
  tests/ckan/.venv/bin/pip install -q --no-deps -r tests/ckan/requirements.txt
  cp tests/ckan/requirements.txt tests/ckan/.venv/requirements.txt
fi
