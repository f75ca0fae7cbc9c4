"""The server's own pages (the SPARQL form with its answer or its error, 404) and the service description,
from the site's templates, in the edition the request asks for.

An answer shown as HTML comes from whoever wrote the query, so it is hostile by default: a query
can bind ``<javascript:alert(1)>`` and send a victim the link. Its values are escaped by the
templates; its IRIs become links only when they are ``http(s)`` or a page of the site, and every
page the server renders says so again in a Content-Security-Policy that allows no script at all.
"""

from __future__ import annotations

import dataclasses
import re

from piao_lod.messages import DEFAULT_LANGUAGE, gettext
from piao_lod.website.addresses import EDITIONS, SiteAddresses
from piao_lod.website.content_policy import SERVER_POLICY
from piao_lod.website.page_context import page_shell
from piao_lod.website.render import make_environment
from piao_lod.website.saved_query_pages import query_page_context

# A link the browser follows as a web address: http(s), or relative (no scheme before the first / ? #).
WEB_LINK = re.compile(r"(?:https?://|(?![^/?#]*:))[^\x00-\x20\x7f]*\Z", re.IGNORECASE)
# The server's pages use the site's stylesheets and nothing else.
HTML_HEADERS = {"Content-Security-Policy": SERVER_POLICY}


def web_link(href: str | None) -> str | None:
    return href if href is not None and WEB_LINK.match(href) else None


def language_of(path: str) -> str:
    """The edition a URL path is in: ``/en/...`` is English, everything else Italian."""
    stripped = path.lstrip("/")
    for lang, folder in EDITIONS.items():
        if folder and (stripped + "/").startswith(folder):
            return lang
    return DEFAULT_LANGUAGE


class ServerPages:
    html_headers = HTML_HEADERS

    def __init__(self, addresses: SiteAddresses):
        self.addresses = addresses

    def query_page(self, text: str | None, answer, error: str | None = None, lang: str = DEFAULT_LANGUAGE) -> str:
        """The form, with the query's answer, or with the query kept and its error marked in it."""
        context = page_shell(self.addresses, "sparql/", gettext(lang, "Query with SPARQL"), "sparql", lang, [])
        context.update(query_page_context(self.addresses, "sparql/", text, answer, lang, error))
        context["rows"] = [[dataclasses.replace(cell, href=web_link(cell.href)) for cell in row] for row in context["rows"]]
        context.update({"search": False, "scripts": False})      # the pages' CSP allows no script
        return make_environment(lang).get_template("sparql.html").render(context)

    def service_description(self, endpoint_url: str) -> str:
        return make_environment().get_template("service-description.ttl").render(endpoint=endpoint_url)

    def not_found(self, path: str = "") -> str:
        """The 404 page with links from the site root, whatever path was asked for."""
        lang = language_of(path)
        context = page_shell(self.addresses, "", gettext(lang, "Page not found"), "not-found", lang)
        context.update({"base_href": "/", "search": False, "scripts": False})
        return make_environment(lang).get_template("404.html").render(context)
