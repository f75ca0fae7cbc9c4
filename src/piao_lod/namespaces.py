"""The RDF namespaces piao-lod writes, in one place."""

from rdflib import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD, Namespace

PIAO = Namespace("https://w3id.org/piao-lod/ontology#")
PNRR = Namespace("https://w3id.org/piao-lod/pnrr/")
COV = Namespace("https://w3id.org/italia/onto/COV/")
INDICATOR = Namespace("https://w3id.org/italia/onto/Indicator/")
CITIES = Namespace("https://w3id.org/italia/controlled-vocabulary/territorial-classifications/cities/")
SCHEMA = Namespace("https://schema.org/")

DEFAULT_BASE_IRI = "https://w3id.org/piao-lod/id/"

PREFIXES = {
    "piao": PIAO, "pnrr": PNRR, "cov": COV, "indicator": INDICATOR, "org": ORG,
    "dcterms": DCTERMS, "foaf": FOAF, "prov": PROV, "skos": SKOS, "time": TIME,
    "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD,
}
