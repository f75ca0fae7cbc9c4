"""``piao-lod serve``: the built site with content negotiation, and a read-only SPARQL 1.1 endpoint."""
