"""Where each resource's page and files live in the site, and the URLs they are published at.

A resource's page lives at its IRI's path: with the site published at ``site_url``
(default ``https://w3id.org/piao-lod/``), data IRIs are minted under ``site_url + "id/"``,
and the project's own vocabularies (ontology, PNRR scheme) under the project root.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote

from piao_lod.messages import N_
from piao_lod.problems import Phrase
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
RESERVED_NAMES = {f"index.{suffix}" for suffix in RESOURCE_FILES}    # a folder named so would clash with a file
# Outside the data IRIs, only the project's vocabularies have pages: the PNRR scheme, the budget
# missions and programmes, and the ontology.
VOCABULARY_FOLDERS = ("pnrr/", "bilancio/")
VOCABULARY_PAGES = ("ontology",)
# The site's editions: language -> the folder its pages are in (the Italian one at the root, the English one
# under en/, at the same paths: id/c_d150/ and en/id/c_d150/). The RDF beside the pages is written once.
EDITIONS = {"it": "", "en": "en/"}
MAX_NAME_BYTES = 255          # a file name on ext4, APFS, NTFS
MAX_PAGE_PATH_BYTES = 1024    # a page folder; leaves room for the output folder within PATH_MAX, and for URLs
HASHED_PREFIX_CHARS = 60      # readable start of a name that had to be hashed
WEB_LINK = re.compile(r"https?://[^\x00-\x20\x7f-\x9f]+\Z", re.IGNORECASE)


@dataclass(frozen=True)
class Download:
    """A data file of the site: a full dump (plan_iri None) or one plan's graph in one format."""

    path: str            # relative to the site root, e.g. "data/c_d150-2024.ttl"
    media_type: str      # e.g. "text/turtle"
    format_name: str     # e.g. "Turtle"
    size: int            # bytes
    plan_iri: str | None = None
    sha256: str = ""     # of the file's bytes: for a plan's N-Triples, what tells a changed plan (incremental builds)
    graph_iri: str | None = None        # the one named graph the file holds (a plan's, the PNRR scheme's); None: all
    compress_format: str | None = None  # media type of the compression around the format, e.g. application/gzip
    sha1: str = ""                      # the checksum DCAT-AP 2 catalogues give (spdx:checksumAlgorithm_sha1)


class SiteAddresses:
    """Maps IRIs to page directories of the site and to published URLs."""

    def __init__(self, site_url: str = DEFAULT_SITE_URL):
        self.site_url = check_base(site_url)
        self.data_base = self.site_url + "id/"
        self.roots = [self.data_base, self.site_url]
        if PROJECT_ROOT not in self.roots:
            self.roots.append(PROJECT_ROOT)

    def place(self, iri: str) -> Placement | None:
        """Where the page of ``iri`` goes, or why it cannot have one; None if the IRI is not the site's
        to publish (an external vocabulary, a fragment or query IRI, a site path that is not a resource's)."""
        if "#" in iri or "?" in iri:
            return None
        for root in self.roots:
            if not iri.startswith(root):
                continue
            rest = iri[len(root):]
            if root == self.data_base:
                prefix = "id/"
            elif rest.startswith(VOCABULARY_FOLDERS) or rest in VOCABULARY_PAGES:
                prefix = ""
            else:
                continue
            return place_path(prefix, rest)
        return None

    def page_dir(self, iri: str) -> str | None:
        """``https://w3id.org/piao-lod/id/c_d150/piano/2024`` -> ``id/c_d150/piano/2024/``; None if
        the IRI is not the site's or cannot be given a page (see :meth:`place`)."""
        placement = self.place(iri)
        return placement.page_dir if placement else None

    def url(self, relative: str) -> str:
        """The published URL of a file or page directory given relative to the site root."""
        return self.site_url + url_path(relative)


@dataclass(frozen=True)
class Placement:
    """A page folder relative to the site root (``id/c_d150/``), or the reason there can be none."""

    page_dir: str | None
    problem: Phrase | None = None


def place_path(prefix: str, rest: str) -> Placement:
    names = [file_name(part) for part in rest.split("/") if part]
    page_dir = prefix + "".join(name + "/" for name in names)
    if not page_dir:
        return Placement(None, Phrase(N_("the site's root is not a resource")))
    if len(page_dir.encode("utf-8")) > MAX_PAGE_PATH_BYTES:
        return Placement(None, Phrase(N_("its path is longer than {limit} bytes"), (("limit", MAX_PAGE_PATH_BYTES),)))
    return Placement(check_relative(page_dir))


def file_name(part: str) -> str:
    """One IRI path segment as a file name inside the site.

    A static host finds the file by percent-decoding the URL, so the name is the decoded segment
    (``citt%C3%A0`` -> ``città``) whenever that is a plain name. Otherwise (a dot segment, even
    written ``%2E%2E``; a separator, NUL or other control or format character; a hidden or reserved
    name such as ``index.html``; over 255 bytes) it is ``~`` + a readable prefix + the start of the
    SHA-256 of the segment: a name that stays inside its folder and differs for every segment."""
    try:
        decoded = unquote(part, errors="strict")
    except UnicodeDecodeError:
        decoded = None
    if decoded is not None and is_plain_name(decoded):
        return decoded
    readable = re.sub(r"[^0-9A-Za-z_.-]+", "-", decoded if decoded is not None else part).strip(".-")
    return "~" + (readable[:HASHED_PREFIX_CHARS] + "-" if readable else "") + hashlib.sha256(part.encode()).hexdigest()[:16]


def is_plain_name(name: str) -> bool:
    return (bool(name) and name == name.strip() and not name.startswith((".", "~"))
            and len(name.encode("utf-8")) <= MAX_NAME_BYTES and name.casefold() not in RESERVED_NAMES
            and not any(character in "/\\" or unicodedata.category(character).startswith("C") for character in name))


def check_relative(path: str) -> str:
    """A path relative to the output folder, refused unless every segment is a plain name: what is
    written under it cannot land outside the folder, whatever the data held."""
    segments = path.rstrip("/").split("/")
    if any(not segment or segment in (".", "..") or "\\" in segment or "\x00" in segment for segment in segments):
        raise ValueError(f"not a path inside the site: {path!r}")
    return path


@lru_cache(maxsize=1 << 16)
def url_path(relative: str) -> str:
    """A path relative to the site root as it goes in a URL or an href: every character a file name
    may hold but a URL path may not is percent-encoded (``%`` included, so a name is never decoded
    twice, and ``:``, so no relative link can read as a scheme). Remembered: every page links the same
    files and many of the same pages."""
    return quote(relative, safe="/._-~!$&'()*+,;=@")


def is_web_link(iri: str) -> bool:
    """Whether ``iri`` may be a link on a page: http(s) only. ``javascript:``, ``data:``, ``file:``,
    ``vbscript:`` and every other scheme, in any case, and anything a browser would strip first
    (spaces, control characters) are shown as text."""
    return WEB_LINK.match(iri) is not None


def assign_pages(iris: Iterable[str], addresses: SiteAddresses, taken: Iterable[str] = ()) -> tuple[dict[str, str], dict[str, Phrase]]:
    """Every IRI that can have a page -> its folder, and every IRI of the site that cannot -> why.

    Two IRIs can want one folder (``…/a%62`` and ``…/ab`` are the same file on a static host, as are
    ``…/x/`` and ``…/x``; ``…/A.1`` and ``…/a.1``, or ``città`` composed and decomposed, are one folder on a
    case-insensitive file system, macOS's and Windows' by default): the first in IRI order gets it, the next
    is refused rather than written over it. Folders in ``taken`` (pages that are not resources) are refused
    the same way."""
    pages: dict[str, str] = {}
    refused: dict[str, Phrase] = {}
    owners: dict[str, tuple[str, str]] = {folder_key(folder): (folder, "") for folder in taken}
    for iri in sorted(iris):
        placement = addresses.place(iri)
        if placement is None:
            continue
        if placement.page_dir is None:
            refused[iri] = placement.problem
        elif (key := folder_key(placement.page_dir)) in owners:
            refused[iri] = clash(placement.page_dir, *owners[key])
        else:
            owners[key] = (placement.page_dir, iri)
            pages[iri] = placement.page_dir
    return pages, refused


def folder_key(folder: str) -> str:
    """What a case- and normalization-insensitive file system (APFS, NTFS) sees of a folder's name."""
    return unicodedata.normalize("NFC", folder).casefold()


def clash(folder: str, owners_folder: str, owner: str) -> Phrase:
    if not owner:
        return Phrase(N_("its page would be {folder}, a page of the site itself"), (("folder", folder),))
    if folder != owners_folder:
        return Phrase(N_("its page would be {folder}, which a case-insensitive file system takes for {other}, already "
                         "the page of {owner}"), (("folder", folder), ("other", owners_folder), ("owner", owner)))
    return Phrase(N_("its page would be {folder}, already the page of {owner}"), (("folder", folder), ("owner", owner)))


def download_names(plan_iris: Iterable[str], addresses: SiteAddresses) -> dict[str, str]:
    """Plan IRI -> the stem of its download files (``…/id/c_d150/piano/2024`` -> ``c_d150-piano-2024``):
    a plain file name, different for every plan (a hash is added where two would be equal)."""
    stems: dict[str, str] = {}
    for iri in sorted(plan_iris):
        stem = file_name(iri[len(addresses.data_base):].strip("/").replace("/", "-") or "piano")
        if len(stem.encode("utf-8")) > MAX_NAME_BYTES - 16:      # room for ".jsonld" and a hash
            stem = "~" + hashlib.sha256(iri.encode()).hexdigest()[:16]
        if stem in stems.values():
            stem += "-" + hashlib.sha256(iri.encode()).hexdigest()[:8]
        stems[iri] = stem
    return stems
