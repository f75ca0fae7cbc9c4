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

# The same map as plain strings, longest namespace first so the most specific prefix wins.
PREFIX_IRIS = {name: str(namespace) for name, namespace in PREFIXES.items()}
_LONGEST_FIRST = sorted(PREFIX_IRIS.items(), key=lambda item: -len(item[1]))


def compact(iri: str) -> str:
    """``https://w3id.org/piao-lod/ontology#Objective`` -> ``piao:Objective``; an IRI outside the prefixes as is."""
    for name, namespace in _LONGEST_FIRST:
        if iri.startswith(namespace):
            return f"{name}:{iri[len(namespace):]}"
    return iri


def expand(curie: str) -> str:
    """``piao:Objective`` -> its IRI; anything without a known prefix as is."""
    prefix, _, local = curie.partition(":")
    return PREFIX_IRIS[prefix] + local if prefix in PREFIX_IRIS else curie


class Terms:
    """The IRIs of one namespace as pyoxigraph nodes, ``OX_PIAO.Plan``: what the pipeline writes with."""

    def __init__(self, namespace: str):
        self._namespace = str(namespace)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, name: str):
        import pyoxigraph as ox

        node = ox.NamedNode(self._namespace + name)
        self.__dict__[name] = node
        return node


OX = {prefix: Terms(namespace) for prefix, namespace in PREFIX_IRIS.items()}
