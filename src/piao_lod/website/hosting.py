"""The files that tell web servers and crawlers how to serve the static site.

A static host cannot run code, so content negotiation (the same IRI giving HTML to
browsers and Turtle to RDF clients) is left to the server's configuration:
``.htaccess`` for Apache httpd, ``_redirects`` and ``_headers`` for Netlify-style
hosts (which can only choose by ``?format=``, not by ``Accept``). Crawlers get
``robots.txt`` and ``sitemap.xml``. The texts are Jinja templates in
``site/templates/hosting/``; this module only computes what they list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from piao_lod.website.addresses import RESOURCE_FILES, SiteAddresses
from piao_lod.website.content_policy import HEADER_POLICY

SITEMAP_LIMIT = 50_000        # URLs per sitemap file (sitemaps.org protocol)
# Documents served without suffix, and the files they have: /catalog is catalog.rdf or catalog.ttl.
DOCUMENTS = {"catalog": ("rdf", "ttl"), "void": ("ttl",)}
DUMP_FILE_TYPES = {"trig": "application/trig", "nq": "application/n-quads"}


@dataclass(frozen=True)
class FileType:
    suffix: str
    media_type: str

    @property
    def accept_pattern(self) -> str:
        """A regular expression (no spaces: Apache splits its arguments on them) for this media type
        listed in an Accept header."""
        return r"(^|,)\s*" + re.escape(self.media_type) + r"\s*(;|,|$)"


NEGOTIATED = [FileType(suffix, media_type) for suffix, media_type in RESOURCE_FILES.items() if suffix != "html"]
DATA_FILE_TYPES = NEGOTIATED + [FileType(suffix, media_type) for suffix, media_type in DUMP_FILE_TYPES.items()]
# HTML accepted at full weight: text/html or application/xhtml+xml without a "q=0..." parameter.
HTML_ACCEPTED = r"(^|,)\s*(text/html|application/xhtml\+xml)\s*($|,|;(?!\s*q\s*=\s*0))"


def environment() -> Environment:
    return Environment(loader=PackageLoader("piao_lod.site", "templates/hosting"),
                       autoescape=select_autoescape(enabled_extensions=("xml",), default_for_string=False,
                                                    default=False),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def sitemap_files(addresses: SiteAddresses, page_dirs: list[str]) -> dict[str, str]:
    """File name -> text: ``sitemap.xml`` alone, or, past 50,000 URLs, ``sitemap.xml`` as the index
    of ``sitemap-1.xml``, ``sitemap-2.xml``..."""
    templates = environment()
    urls = [addresses.url(page_dir) for page_dir in sorted(set(page_dirs))]
    if len(urls) <= SITEMAP_LIMIT:
        return {"sitemap.xml": templates.get_template("sitemap.xml").render(urls=urls)}
    files = {}
    for number, start in enumerate(range(0, len(urls), SITEMAP_LIMIT), start=1):
        files[f"sitemap-{number}.xml"] = templates.get_template("sitemap.xml").render(
            urls=urls[start:start + SITEMAP_LIMIT])
    files["sitemap.xml"] = templates.get_template("sitemap-index.xml").render(
        sitemap_urls=[addresses.url(name) for name in files])
    return files


def hosting_files(addresses: SiteAddresses, page_dirs: list[str]) -> dict[str, str]:
    """File name (relative to the site root) -> text of every hosting file."""
    templates = environment()
    roots = sorted({page_dir.split("/", 1)[0] for page_dir in page_dirs if page_dir.strip("/")})
    context = {
        "formats": NEGOTIATED, "file_types": DATA_FILE_TYPES, "html_accepted": HTML_ACCEPTED,
        "rdf_xml": next(file_type for file_type in NEGOTIATED if file_type.suffix == "rdf"),
        "resource_files": [f"index.{suffix}" for suffix in RESOURCE_FILES], "documents": DOCUMENTS,
        "roots": roots, "sitemap_url": addresses.url("sitemap.xml"), "content_policy": HEADER_POLICY,
    }
    files = sitemap_files(addresses, page_dirs)
    files[".htaccess"] = templates.get_template("htaccess").render(context)
    for name in ("robots.txt", "_redirects", "_headers"):
        files[name] = templates.get_template(name).render(context)
    return files


def write_hosting_files(out_dir: Path, addresses: SiteAddresses, page_dirs: list[str]) -> list[Path]:
    """Write the sitemap(s), ``robots.txt``, ``.htaccess``, ``_redirects`` and ``_headers`` into the site."""
    written = []
    for name, text in hosting_files(addresses, page_dirs).items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
