"""Publish a store's graphs to a SPARQL 1.1 Graph Store Protocol store, one HTTP PUT per named graph.

PUT replaces the graph it names, so publishing again never duplicates
anything. Afterwards the endpoint is asked how many triples each graph holds
(the saved query ``graph-sizes``) and the answer must match the store's.

Where a server takes graph uploads is not part of the SPARQL protocol. Only
Oxigraph's (``/store`` beside ``/query``) is assumed, and only once the
server says it is Oxigraph (its ``Server`` header, asked with a quick ``ASK``):
anything else must be given ``--graph-store``. Guessing wrong is not harmless:
Virtuoso's ``/sparql`` never answers a PUT, so a guess hung for the whole
upload timeout.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import pyoxigraph as ox

from piao_lod.errors import EndpointError
from piao_lod.messages import N_
from piao_lod.problems import Phrase, Phrases
from piao_lod.saved_queries import saved_query
from piao_lod.sparql_query import run_query

GRAPH_SIZES_QUERY = "graph-sizes"
TIMEOUT_S = 300          # one graph's upload
PROBE_TIMEOUT_S = 10     # the ASK that asks the server who it is
PROBE_QUERY = "ASK%7B%7D"


def http_opener(user: str | None, password: str | None, *urls: str) -> urllib.request.OpenerDirector:
    """Sends ``user``/``password`` to ``urls`` by HTTP basic or digest authentication, as the server asks."""
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    if user:
        for url in urls:
            passwords.add_password(None, url, user, password or "")
    return urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(passwords),
                                       urllib.request.HTTPDigestAuthHandler(passwords))


def server_product(endpoint: str, opener: urllib.request.OpenerDirector) -> str:
    """The ``Server`` header of the endpoint's answer to ``ASK {}`` ("" if it sends none)."""
    request = urllib.request.Request(f"{endpoint}{'&' if '?' in endpoint else '?'}query={PROBE_QUERY}",
                                     headers={"Accept": "application/sparql-results+json"})
    try:
        with opener.open(request, timeout=PROBE_TIMEOUT_S) as response:
            return response.headers.get("Server", "").strip()
    except urllib.error.HTTPError as error:
        return error.headers.get("Server", "").strip()
    except TimeoutError:
        raise EndpointError(N_("the endpoint did not answer ASK {{}} within {seconds} s"), subject=endpoint,
                            seconds=PROBE_TIMEOUT_S) from None
    except (urllib.error.URLError, OSError) as error:
        raise EndpointError(N_("cannot reach the endpoint ({error})"), subject=endpoint,
                            error=str(getattr(error, "reason", error))) from None


def choose_graph_store(endpoint: str, graph_store: str | None, server: str) -> str:
    """The URL to PUT graphs to: ``graph_store`` if given (unless it is known not to take uploads), else
    Oxigraph's ``/store`` when the server is Oxigraph; otherwise a message saying which option to give."""
    parts = urlsplit(endpoint)
    origin = f"{parts.scheme}://{parts.netloc}"
    if server.startswith("Virtuoso"):
        if graph_store is None or urlsplit(graph_store).path.rstrip("/") == parts.path.rstrip("/"):
            raise EndpointError(N_("this is Virtuoso ({server}), whose SPARQL endpoint does not take graph uploads: "
                                   "give --graph-store {origin}/sparql-graph-crud-auth with --user and --password "
                                   "(HTTP digest authentication, a user with the SPARQL_UPDATE role, e.g. dba), or "
                                   "--graph-store {origin}/sparql-graph-crud once the anonymous SPARQL user has been "
                                   "granted SPARQL_UPDATE"), subject=endpoint, server=server, origin=origin)
    if graph_store is not None:
        return graph_store
    if server.startswith("Oxigraph") and parts.path.endswith("/query"):
        return f"{origin}{parts.path[: -len('/query')]}/store"
    raise EndpointError(N_("the server ({server}) is not Oxigraph, so where it takes graph uploads cannot be guessed: "
                           "give --graph-store, its SPARQL 1.1 Graph Store Protocol URL (Oxigraph: {origin}/store; "
                           "Virtuoso: {origin}/sparql-graph-crud-auth; Fuseki: {origin}/DATASET/data; GraphDB: "
                           "{origin}/repositories/ID/rdf-graphs/service)"), subject=endpoint,
                        server=server or "no Server header", origin=origin)


@dataclass
class GraphStoreClient:
    url: str
    opener: urllib.request.OpenerDirector
    user: str | None = None
    password: str | None = None

    def graph_url(self, graph: ox.NamedNode) -> str:
        return f"{self.url}{'&' if '?' in self.url else '?'}graph={quote(graph.value, safe='')}"

    def authorise(self, request: urllib.request.Request) -> None:
        """Give an upload its credentials before its body is sent. Left to the opener, the body goes out
        first without them, and a server that answers 401 before reading it (Virtuoso's digest
        challenge) closes the connection under a large body: a broken pipe instead of an upload."""
        challenge_request = urllib.request.Request(request.full_url, method="GET", headers={"Accept": "text/turtle"})
        try:
            with urllib.request.urlopen(challenge_request, timeout=PROBE_TIMEOUT_S):
                return                                  # no credentials asked for
        except urllib.error.HTTPError as error:
            challenge = error.headers.get("WWW-Authenticate", "") if error.code == 401 else ""
        except (urllib.error.URLError, OSError):
            return                                      # the upload itself will say what is wrong
        scheme, _, parameters = challenge.partition(" ")
        if scheme.lower() == "digest":
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, request.full_url, self.user, self.password or "")
            fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(parameters))
            answer = urllib.request.HTTPDigestAuthHandler(passwords).get_authorization(request, fields)
            if answer:
                request.add_unredirected_header("Authorization", f"Digest {answer}")
        elif scheme.lower() == "basic":
            token = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode("ascii")
            request.add_unredirected_header("Authorization", f"Basic {token}")

    def put(self, graph: ox.NamedNode, n_triples: bytes) -> None:
        # N-Triples is Turtle: text/turtle is the type every Graph Store Protocol server accepts
        request = urllib.request.Request(self.graph_url(graph), data=n_triples, method="PUT",
                                         headers={"Content-Type": "text/turtle; charset=utf-8"})
        if self.user:
            self.authorise(request)
        try:
            with self.opener.open(request, timeout=TIMEOUT_S) as response:
                response.read()
        except urllib.error.HTTPError as error:
            detail = error.read()[:500].decode("utf-8", "replace").strip()
            raise EndpointError(N_("PUT of graph <{graph}> failed: HTTP {status}"), subject=self.url, graph=graph.value,
                                status=f"{error.code} {error.reason}{': ' + detail if detail else ''}") from None
        except TimeoutError:
            raise EndpointError(N_("PUT of graph <{graph}> got no answer within {seconds} s (is this the server's Graph "
                                   "Store Protocol URL?)"), subject=self.url, graph=graph.value,
                                seconds=TIMEOUT_S) from None
        except (urllib.error.URLError, OSError) as error:
            raise EndpointError(N_("cannot reach the graph store ({error})"), subject=self.url,
                                error=str(getattr(error, "reason", error))) from None


@dataclass
class Publication:
    graph_store: str                # the URL the graphs were PUT to
    graphs: dict[str, int]          # graph IRI -> triples sent


def graph_sizes(store: ox.Store | None = None, endpoint: str | None = None, user: str | None = None,
                password: str | None = None) -> dict[str, int]:
    """Triples per named graph, by the saved query ``graph-sizes``, on a store or an endpoint."""
    answer = run_query(saved_query(GRAPH_SIZES_QUERY), store=store, endpoint=endpoint, user=user, password=password)
    return {row["graph"].value: int(row["triples"].value) for row in answer}


def publish_store(store: ox.Store, endpoint: str, graph_store: str | None = None, user: str | None = None,
                  password: str | None = None) -> Publication:
    """PUT every named graph of ``store`` and check the endpoint then holds as many triples in each."""
    probe = http_opener(user, password, endpoint)
    url = choose_graph_store(endpoint, graph_store, server_product(endpoint, probe))
    client = GraphStoreClient(url, http_opener(user, password, url), user, password)
    sent = graph_sizes(store=store)
    for graph in sorted(store.named_graphs(), key=str):
        if isinstance(graph, ox.NamedNode):
            client.put(graph, store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph))
    found = graph_sizes(endpoint=endpoint, user=user, password=password)
    wrong = {graph: (count, found.get(graph, 0)) for graph, count in sent.items() if found.get(graph, 0) != count}
    if wrong:
        listed = Phrases(tuple(Phrase(N_("<{graph}>: sent {sent}, endpoint has {held}"),
                                      (("graph", graph), ("sent", count), ("held", held)))
                               for graph, (count, held) in sorted(wrong.items())))
        raise EndpointError(N_("after publishing, the endpoint does not hold the triples sent (is it the query endpoint "
                               "of {graph_store}?): {graphs}"), subject=endpoint, graph_store=client.url, graphs=listed)
    return Publication(url, sent)
