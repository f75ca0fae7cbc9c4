"""Where each resource's page and files live in the site, and the URLs they are published at.

A resource's page lives at its IRI's path: with the site published at ``site_url``
(default ``https://w3id.org/piao-lod/``), data IRIs are minted under ``site_url + "id/"``,
and the project's own vocabularies (ontology, PNRR scheme) under the project root.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from piao_lod.iris import check_base

PROJECT_ROOT = "https://w3id.org/piao-lod/"
DEFAULT_SITE_URL = PROJECT_ROOT

# The files written beside every page: suffix -> media type. index.html is the page itself.
RESOURCE_FILES = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
}


@dataclass(frozen=True)
class Download:
    """A data file of the site: a full dump (plan_iri None) or one plan's graph in one format."""

    path: str            # relative to the site root, e.g. "data/c_d150-2024.ttl"
    media_type: str      # e.g. "text/turtle"
    format_name: str     # e.g. "Turtle"
    size: int            # bytes
    plan_iri: str | None = None
    sha256: str = ""     # of the file's bytes: for a plan's N-Triples, what tells a changed plan (incremental builds)


class SiteAddresses:
    """Maps IRIs to page directories of the site and to published URLs."""

    def __init__(self, site_url: str = DEFAULT_SITE_URL):
        self.site_url = check_base(site_url)
        self.data_base = self.site_url + "id/"
        self.roots = [self.data_base, self.site_url]
        if PROJECT_ROOT not in self.roots:
            self.roots.append(PROJECT_ROOT)

    def page_dir(self, iri: str) -> str | None:
        """``https://w3id.org/piao-lod/id/c_d150/piano/2024`` -> ``id/c_d150/piano/2024/``; None if
        the IRI is outside the site (an external vocabulary, a fragment IRI)."""
        for root in self.roots:
            if iri.startswith(root) and "#" not in iri:
                rest = iri[len(root):].strip("/")
                prefix = "id/" if root == self.data_base else ""
                if root == PROJECT_ROOT and root != self.site_url and not rest.startswith(("pnrr/", "ontology")):
                    continue
                segments = [safe_segment(part) for part in rest.split("/") if part]
                if not segments and not prefix:
                    return None
                return prefix + "".join(part + "/" for part in segments)
        return None

    def url(self, relative: str) -> str:
        """The published URL of a file or page directory given relative to the site root."""
        return self.site_url + relative


def safe_segment(part: str) -> str:
    """A path segment as a file name: percent-decoded unless that would create a separator or a dot name."""
    decoded = unquote(part)
    if "/" in decoded or "\\" in decoded or decoded in (".", "..") or "\x00" in decoded:
        return part
    return decoded
