#!/usr/bin/env python3
"""Each saved query without parameters on one store: ``piao-lod query NAME --store`` and the server's page.

    .venv/bin/python benchmarks/saved_answers.py STORE [QUERY ...] [--formats tsv,json] [--server]

Times ``piao-lod query NAME --store STORE --format F`` as a child process (``/usr/bin/time``: wall, and CPU of the
process and its children), and with ``--server`` the first request of the saved query's page ``query/NAME/`` of an
in-process ``serve --store`` app (wall and CPU of this process), after one of ``indicator-targets`` (one ente). On a store that keeps its answers
(``piao_lod.saved_answers``) both read them; on an older store, or with an older piao-lod first on ``PYTHONPATH``,
both run the query: run it both ways to compare. Prints one Markdown row per query. Not for CI.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KEPT = ["dirigenti-over-time", "graph-sizes", "objectives-by-programme", "objectives-by-settore", "objectives-dropped",
        "plan-counts", "pnrr-indicators", "source-table", "targets-by-unit", "targets-changed",
        "weights-not-100"]


def cli(store: str, query: str, fmt: str) -> tuple[int, float, float]:
    """(rows, wall s, CPU s) of one ``piao-lod query`` call."""
    with tempfile.NamedTemporaryFile() as timing, tempfile.TemporaryFile() as out:
        subprocess.run(["/usr/bin/time", "-f", "%e %U %S", "-o", timing.name, sys.executable, "-m", "piao_lod",
                        "query", query, "--store", store, "--format", fmt], stdout=out, check=True)
        wall, user, system = map(float, Path(timing.name).read_text().split()[-3:])
        out.seek(0)
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: out.read(1 << 20), b""))
    return lines - 1, wall, user + system


def server_page(store: Path, query: str) -> tuple[float, float]:
    from fastapi.testclient import TestClient
    from piao_lod.embedded_store import open_store_for_reading
    from piao_lod.server.app import create_app
    from piao_lod.server.query_runner import InProcessQueries
    from piao_lod.server.settings import ServerSettings

    with TestClient(create_app(ServerSettings(None, store), InProcessQueries(open_store_for_reading(store)))) as client:
        client.get("/en/query/indicator-targets/")    # the store's catalogue and the page template, made once
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(f"/en/query/{query}/")
        response.raise_for_status()
        return time.perf_counter() - started, time.process_time() - started_cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("queries", nargs="*", default=KEPT)
    parser.add_argument("--formats", default="tsv,json")
    parser.add_argument("--server", action="store_true")
    args = parser.parse_args(argv)
    formats = args.formats.split(",")
    heads = [f"CLI {fmt} s (CPU)" for fmt in formats] + (["server page s (CPU)"] if args.server else [])
    print("| query | rows | " + " | ".join(heads) + " |")
    print("|---|---:|" + "---:|" * len(heads))
    for query in args.queries:
        cells, rows = [], None
        for fmt in formats:
            lines, wall, cpu = cli(str(args.store), query, fmt)
            rows = lines if fmt == "tsv" else rows          # a TSV row is a line; a JSON answer is one line
            cells.append(f"{wall:.2f} ({cpu:.2f})")
        if args.server:
            wall, cpu = server_page(args.store, query)
            cells.append(f"{wall:.2f} ({cpu:.2f})")
        print(f"| {query} | {'–' if rows is None else f'{rows:,}'} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
