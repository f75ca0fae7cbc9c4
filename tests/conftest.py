"""Shared fixtures: the bundled example, a CLI runner, and RDF helpers."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from piao_lod.cli import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "cremona-piao-2024-2026-obiettivi.txt"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def own_cache(tmp_path_factory, monkeypatch):
    """Each test gets an empty cache of plans read and validated (the default folder is under XDG_CACHE_HOME),
    so no test reuses what another converted."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


@pytest.fixture
def example_path() -> Path:
    return EXAMPLE


@pytest.fixture
def run_cli():
    """Run ``piao-lod`` in-process; returns the Click result (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, [str(arg) for arg in args], catch_exceptions=False)

    return run

# Prefixes for the SPARQL updates that break fixtures in the validation tests.
SPARQL_PREFIXES = """
PREFIX piao: <https://w3id.org/piao-lod/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX cov: <https://w3id.org/italia/onto/COV/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def free_port() -> int:
    """A TCP port free on 127.0.0.1, for the servers the tests start."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
