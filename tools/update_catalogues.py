"""Extract every text marked in the code and templates, and merge it into locales/{it,en}/LC_MESSAGES/piao_lod.po.

Run after adding or changing a message:
    python tools/update_catalogues.py
New Italian entries are left empty (fuzzy-free) for a translator to fill; English entries are filled
with the English source text. It prints what still lacks an Italian translation and exits 1 if anything
does. The test suite runs the same extraction and fails on a message missing in either language.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "locales"
DOMAIN = "piao_lod"
LANGUAGES = ("it", "en")
FIXED_DATE = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)   # no clock in the catalogues: no churn
# Python calls take the language first (gettext(lang, message), ngettext(lang, singular, plural, n));
# templates do not (_(message), ngettext(singular, plural, n)), so each kind of file has its own keywords.
PYTHON_KEYWORDS = {"gettext": (2,), "ngettext": (2, 3), "N_": None, "_": None, "ngettext_": (1, 2)}
TEMPLATE_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
DATA_KEYWORDS = {"_": None}


def saved_query_texts(fileobj, keywords, comment_tags, options):
    """A saved query's title, description, parameter descriptions and why its answer is not kept (its ``#`` header),
    which the site shows."""
    from piao_lod.saved_queries import parse_query

    text = fileobj.read().decode("utf-8")
    query = parse_query(text, "query.rq")
    lines = {line.split(":", 1)[0].strip("# ").lower(): number for number, line in enumerate(text.splitlines(), 1)}
    for key, value in (("title", query.title), ("description", query.description), ("kept", query.not_kept_because)):
        if value:
            yield lines.get(key, 1), "_", value, []
    for parameter in query.parameters:
        if parameter.description:
            yield lines.get("parameters", 1), "_", parameter.description, []


def label_column(fileobj, keywords, comment_tags, options):
    """The ``label`` column of the site's tables (page types, names of reused terms)."""
    import csv
    import io

    for number, row in enumerate(csv.DictReader(io.StringIO(fileobj.read().decode("utf-8"))), start=2):
        if row.get("label"):
            yield number, "_", row["label"], []


EXTRACTIONS = [
    ([("src/**.py", "python"), ("converters/**.py", "python")], {}, PYTHON_KEYWORDS),
    ([("site/templates/**.html", "jinja2")],
     {"site/templates/**.html": {"extensions": "jinja2.ext.do,jinja2.ext.i18n", "trimmed": "true"}}, TEMPLATE_KEYWORDS),
    ([("queries/*.rq", saved_query_texts), ("site/*.csv", label_column)], {}, DATA_KEYWORDS),
]


def extracted() -> Catalog:
    """Every marked message of the code, the templates, the saved queries and the site's tables, as a
    template catalogue."""
    template = Catalog(domain=DOMAIN, project="piao-lod", fuzzy=False)
    for method_map, options_map, keywords in EXTRACTIONS:
        for filename, lineno, message, comments, context in extract_from_dir(
                str(ROOT), method_map, options_map, keywords=keywords, comment_tags=("TRANSLATORS:",),
                strip_comment_tags=True):
            template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def catalogue_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(lang: str) -> Catalog:
    path = catalogue_path(lang)
    if not path.exists():
        catalogue = Catalog(locale=lang, domain=DOMAIN, project="piao-lod", fuzzy=False)
    else:
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=lang, domain=DOMAIN)
    # gettext's two forms for both languages (CLDR's third Italian form, for millions, is not used here)
    catalogue._num_plurals, catalogue._plural_expr = 2, "(n != 1)"
    catalogue.creation_date = catalogue.revision_date = FIXED_DATE
    catalogue.version, catalogue.copyright_holder = "1", "piao-lod contributors"
    catalogue.last_translator = catalogue.language_team = "piao-lod contributors"
    catalogue.msgid_bugs_address = ""
    catalogue.header_comment = (f"# piao-lod messages ({lang}). Made by tools/update_catalogues.py; "
                                "translate the empty entries.")
    return catalogue


def missing(catalogue: Catalog, template: Catalog) -> list[str]:
    """Message ids of ``template`` that ``catalogue`` lacks or leaves (a plural form) empty."""
    gaps = []
    for message in template:
        if not message.id:
            continue
        found = catalogue.get(message.id, message.context)
        strings = found.string if found is not None and not found.fuzzy else None   # gettext ignores fuzzy entries
        if isinstance(strings, tuple):
            empty = not strings or any(not text for text in strings)
        else:
            empty = not strings
        if empty:
            gaps.append(message.id if isinstance(message.id, str) else message.id[0])
    return gaps


def main() -> int:
    template = extracted()
    template.creation_date = template.revision_date = FIXED_DATE
    with (LOCALES / f"{DOMAIN}.pot").open("wb") as handle:
        write_po(handle, template, omit_header=True, sort_output=True, width=100, no_location=True)
    status = 0
    for lang in LANGUAGES:
        catalogue = read_catalogue(lang)
        catalogue.update(template, no_fuzzy_matching=True)
        for message in catalogue:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if lang == "en" and not any(strings):
                message.string = message.id if isinstance(message.id, str) else tuple(message.id)
        catalogue.obsolete.clear()
        path = catalogue_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalogue, sort_output=True, width=100, no_location=True, include_previous=False)
        gaps = missing(catalogue, template)
        if gaps:
            status = 1
            print(f"{lang}: {len(gaps)} message(s) without a translation:")
            for gap in gaps:
                print(f"  {gap}")
    return status


if __name__ == "__main__":
    sys.exit(main())
