"""The static linked-data site: graph -> pages, per-resource RDF, dumps, catalog (``piao-lod build``)."""
