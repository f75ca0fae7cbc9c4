"""The server's own pages (query page, 404) and the service description, from the site's templates.

An answer shown as HTML comes from whoever wrote the query, so it is hostile by default: a query
can bind ``<javascript:alert(1)>`` and send a victim the link. Its values are escaped by the
templates; its IRIs become links only when they are ``http(s)`` or a page of the site, and every
page the server renders says so again in a Content-Security-Policy that allows no script at all.
"""

from __future__ import annotations

import dataclasses
import re

from piao_lod.website.addresses import SiteAddresses
from piao_lod.website.render import PageLinks, make_environment
from piao_lod.website.saved_query_pages import query_page_context

# A link the browser follows as a web address: http(s), or relative (no scheme before the first / ? #).
WEB_LINK = re.compile(r"(?:https?://|(?![^/?#]*:))[^\x00-\x20\x7f]*\Z", re.IGNORECASE)
# The server's pages use the site's stylesheets and nothing else.
HTML_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                                           "font-src 'self'; form-action 'self'; base-uri 'self'; frame-ancestors 'self'"}


def web_link(href: str | None) -> str | None:
    return href if href is not None and WEB_LINK.match(href) else None


class ServerPages:
    html_headers = HTML_HEADERS

    def __init__(self, addresses: SiteAddresses):
        self.addresses = addresses
        self.environment = make_environment()

    def query_page(self, text: str | None, answer) -> str:
        context = query_page_context(self.addresses, "sparql/", text, answer)
        context["rows"] = [[dataclasses.replace(cell, href=web_link(cell.href)) for cell in row] for row in context["rows"]]
        return self.environment.get_template("sparql.html").render(context)

    def service_description(self, endpoint_url: str) -> str:
        return self.environment.get_template("service-description.ttl").render(endpoint=endpoint_url)

    def not_found(self) -> str:
        """The 404 page with links from the site root, whatever path was asked for."""
        context = {"links": PageLinks(self.addresses, ""), "page_dir": "", "title": "Pagina non trovata",
                   "page_type": "not-found", "canonical": self.addresses.site_url, "base_href": "/"}
        return self.environment.get_template("404.html").render(context)
