"""Names of the terms the data reuses from other vocabularies (``dcterms:title``, ``org:OrganizationalUnit``...).

The ontology declares them (OWL 2 DL asks it to) but labels only its own terms, so a page would show
``title`` or ``OrganizationalUnit``. Their names are in ``site/reused-terms.csv``, in English, and
translated through the message catalogue like every other text of the site.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache

from piao_lod.messages import gettext
from piao_lod.namespaces import expand
from piao_lod.resources import packaged
from piao_lod.website.resource_index import ResourceView


@lru_cache(maxsize=1)
def reused_terms() -> dict[str, str]:
    """Term IRI -> its English name (the catalogue's message id)."""
    text = packaged("site").joinpath("reused-terms.csv").read_text(encoding="utf-8")
    return {expand(row["term"]): row["label"] for row in csv.DictReader(io.StringIO(text))}


@lru_cache(maxsize=4096)
def reused_term_label(iri: str, lang: str) -> str | None:
    name = reused_terms().get(iri)
    return gettext(lang, name) if name is not None else None


def term_label(view: ResourceView, lang: str) -> str:
    """What a page calls a resource or a term: a reused term's name from the catalogue, else its label."""
    return reused_term_label(view.iri, lang) or view.label(lang)
