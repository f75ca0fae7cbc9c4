"""The least a Python SPARQL endpoint can do: uvicorn, a bare ASGI app, pyoxigraph in the same process.

    BARE_ENDPOINT_DUMP=dati/piao-lod.nq uvicorn bare_python_endpoint:app --app-dir benchmarks --port 8001

benchmarks/run's ``serve-bare-python`` stage serves the site's dump with it, beside ``piao-lod serve``
and ``oxigraph serve-read-only``. It has none of piao-lod's protections (no time limit, no answer-size
bound, SERVICE and every other query run as sent, no negotiation, no error codes, no access log): it
is not a server to use, it is the measured floor of the cost of answering over HTTP from Python on
this machine, so the ratio of its rate to Oxigraph's bounds what any Python front could reach.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs

import pyoxigraph as ox

STORE = ox.Store()
STORE.bulk_load(path=os.environ["BARE_ENDPOINT_DUMP"], format=ox.RdfFormat.N_QUADS)
HEADERS = [(b"content-type", b"application/sparql-results+json")]


async def app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    try:
        query = parse_qs(scope["query_string"].decode())["query"][0]
        body = STORE.query(query, use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)
        status = 200
    except (KeyError, SyntaxError, OSError) as error:
        body, status = str(error).encode(), 400
    await send({"type": "http.response.start", "status": status, "headers": HEADERS})
    await send({"type": "http.response.body", "body": body})
