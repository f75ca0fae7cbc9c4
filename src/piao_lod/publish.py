"""Publish a store's graphs to a SPARQL 1.1 Graph Store Protocol store, one HTTP PUT per named graph.

PUT replaces the graph it names, so publishing again never duplicates
anything. Afterwards the endpoint is asked how many triples each graph holds
(the saved query ``graph-sizes``) and the answer must match the store's.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox

from piao_lod.errors import EndpointError
from piao_lod.saved_queries import saved_query
from piao_lod.sparql_query import run_query

GRAPH_SIZES_QUERY = "graph-sizes"
TIMEOUT_S = 300


def default_graph_store(endpoint: str) -> str:
    """Oxigraph serves queries at ``…/query`` and graphs at ``…/store``; other stores need ``--graph-store``."""
    return endpoint[: -len("/query")] + "/store" if endpoint.endswith("/query") else endpoint


@dataclass
class GraphStoreClient:
    url: str
    user: str | None = None
    password: str | None = None
    opener: urllib.request.OpenerDirector = field(init=False)

    def __post_init__(self) -> None:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        if self.user:
            passwords.add_password(None, self.url, self.user, self.password or "")
        self.opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(passwords),
                                                  urllib.request.HTTPDigestAuthHandler(passwords))

    def graph_url(self, graph: ox.NamedNode) -> str:
        return f"{self.url}{'&' if '?' in self.url else '?'}graph={quote(graph.value, safe='')}"

    def put(self, graph: ox.NamedNode, n_triples: bytes) -> None:
        # N-Triples is Turtle: text/turtle is the type every Graph Store Protocol server accepts
        request = urllib.request.Request(self.graph_url(graph), data=n_triples, method="PUT",
                                         headers={"Content-Type": "text/turtle; charset=utf-8"})
        try:
            with self.opener.open(request, timeout=TIMEOUT_S) as response:
                response.read()
        except urllib.error.HTTPError as error:
            detail = error.read()[:500].decode("utf-8", "replace").strip()
            raise EndpointError(f"{self.url}: error: PUT of graph <{graph.value}> failed: HTTP {error.code} "
                                f"{error.reason}{': ' + detail if detail else ''}") from None
        except (urllib.error.URLError, OSError) as error:
            raise EndpointError(f"{self.url}: error: cannot reach the graph store ({getattr(error, 'reason', error)})") from None


@dataclass
class Publication:
    graphs: dict[str, int]          # graph IRI -> triples sent


def graph_sizes(store: ox.Store | None = None, endpoint: str | None = None, user: str | None = None,
                password: str | None = None) -> dict[str, int]:
    """Triples per named graph, by the saved query ``graph-sizes``, on a store or an endpoint."""
    answer = run_query(saved_query(GRAPH_SIZES_QUERY), store=store, endpoint=endpoint, user=user, password=password)
    return {row["graph"].value: int(row["triples"].value) for row in answer}


def publish_store(store: ox.Store, endpoint: str, graph_store: str | None = None, user: str | None = None,
                  password: str | None = None) -> Publication:
    """PUT every named graph of ``store`` and check the endpoint then holds as many triples in each."""
    client = GraphStoreClient(graph_store or default_graph_store(endpoint), user, password)
    sent = graph_sizes(store=store)
    for graph in sorted(store.named_graphs(), key=str):
        if isinstance(graph, ox.NamedNode):
            client.put(graph, store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph))
    found = graph_sizes(endpoint=endpoint, user=user, password=password)
    wrong = {graph: (count, found.get(graph, 0)) for graph, count in sent.items() if found.get(graph, 0) != count}
    if wrong:
        listed = "; ".join(f"<{graph}>: sent {count}, endpoint has {held}" for graph, (count, held) in sorted(wrong.items()))
        raise EndpointError(f"{endpoint}: error: after publishing, the endpoint does not hold the triples sent "
                            f"(is it the query endpoint of {client.url}?): {listed}")
    return Publication(sent)
