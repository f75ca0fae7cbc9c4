"""The linked-data conventions of the server, kept by the generated ``.htaccess`` on a real Apache httpd too:
303 See Other from a thing's IRI to its page, Content-Location on negotiated answers, plain JSON as JSON-LD.

The Apache set-up (Debian's apache2 on 127.0.0.1, a small fake site) is that of tests/test_site_hosting.py.
"""

from __future__ import annotations

import pytest

from test_site_hosting import BROWSER_ACCEPT, ENTE_DIR, PLAN_DIR, apache, fetch, file_body, vary  # noqa: F401


@pytest.mark.parametrize("accept", [BROWSER_ACCEPT, "text/html", "*/*", None])
def test_a_things_iri_sends_html_clients_to_its_page_with_303(apache, accept):
    status, _, headers = fetch(apache + PLAN_DIR.rstrip("/") + "?lang=it", accept)
    assert status == 303
    assert headers["location"].endswith("/" + PLAN_DIR + "?lang=it")
    assert "accept" in vary(headers)


def test_other_folders_keep_the_permanent_redirect(apache):
    status, _, headers = fetch(apache + ".well-known", BROWSER_ACCEPT)
    assert status == 301 and headers["location"].endswith("/.well-known/")


@pytest.mark.parametrize("path", [PLAN_DIR, PLAN_DIR.rstrip("/")])
@pytest.mark.parametrize("accept, suffix", [("text/turtle", "ttl"), ("application/rdf+xml", "rdf"),
                                            ("application/json", "jsonld"), ("application/ld+json", "jsonld")])
def test_negotiated_answers_name_their_file_in_content_location(apache, path, accept, suffix):
    status, body, headers = fetch(apache + path, accept)
    assert (status, body) == (200, file_body(PLAN_DIR, suffix))
    assert headers["content-location"] == f"/{PLAN_DIR}index.{suffix}"


def test_the_page_and_format_answers_have_content_location_too(apache):
    status, body, headers = fetch(apache + PLAN_DIR, BROWSER_ACCEPT)
    assert (status, body, headers["content-location"]) == (200, file_body(PLAN_DIR, "html"), f"/{PLAN_DIR}index.html")
    assert "accept" in vary(headers)
    status, body, headers = fetch(apache + ENTE_DIR.rstrip("/") + "?format=nt", BROWSER_ACCEPT)
    assert (status, body, headers["content-location"]) == (200, file_body(ENTE_DIR, "nt"), f"/{ENTE_DIR}index.nt")


def test_rdf_types_win_over_plain_json(apache):
    assert fetch(apache + PLAN_DIR, "application/json, text/turtle")[1] == file_body(PLAN_DIR, "ttl")
