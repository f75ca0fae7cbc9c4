"""The server's own pages (query page, 404) and the service description, from the site's templates."""

from __future__ import annotations

from piao_lod.website.addresses import SiteAddresses
from piao_lod.website.render import PageLinks, make_environment
from piao_lod.website.saved_query_pages import query_page_context


class ServerPages:
    def __init__(self, addresses: SiteAddresses):
        self.addresses = addresses
        self.environment = make_environment()

    def query_page(self, text: str | None, answer) -> str:
        return self.environment.get_template("sparql.html").render(query_page_context(self.addresses, "sparql/", text, answer))

    def service_description(self, endpoint_url: str) -> str:
        return self.environment.get_template("service-description.ttl").render(endpoint=endpoint_url)

    def not_found(self) -> str:
        """The 404 page with links from the site root, whatever path was asked for."""
        context = {"links": PageLinks(self.addresses, ""), "page_dir": "", "title": "Pagina non trovata",
                   "page_type": "not-found", "canonical": self.addresses.site_url, "base_href": "/"}
        return self.environment.get_template("404.html").render(context)
