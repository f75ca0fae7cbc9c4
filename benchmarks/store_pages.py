#!/usr/bin/env python3
"""Pages rendered from a store on request against the same pages served as static files, side by side.

    .venv/bin/python benchmarks/store_pages.py                          # the example and the small corpus
    .venv/bin/python benchmarks/store_pages.py --corpora example,medium --pages 150 --results benchmarks/RESULTS-store-pages.md

For each corpus (``example``: the bundled plan; ``small``/``medium``/``large``: generate.py's synthetic
corpora, generated when missing) it builds the static site (``piao-lod build --no-search``) and loads
the same input into a store (``piao-lod load``), starts ``piao-lod serve --site`` and ``piao-lod serve
--store`` on 127.0.0.1, and asks both for the same sample of pages (every page type, in both editions),
one client, one keep-alive connection each, alternating the two servers page by page:

- **first request**: the store server renders the page (nothing kept yet); the static server reads a file;
- **again**: the store server's copy kept in memory; the static file again;
- **304**: with the ETag of the first answer (what a CDN or a browser cache sends).

The figure is the ratio of medians (store / static), per kind of request. Bounded: at most ``--pages``
pages per corpus and ``--seconds`` seconds of requests per server; only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PAGE_TYPE = re.compile(rb'<meta name="piao:page-type" content="([^"]+)"')
START_TIMEOUT_S = 120


def piao_lod() -> list[str]:
    return [sys.executable, "-m", "piao_lod"]


def corpus_inputs(name: str, work: Path) -> list[Path]:
    if name == "example":
        return [ROOT / "examples" / "cremona-piao-2024-2026-obiettivi.txt"]
    corpus = HERE / "corpus" / name
    if not (corpus / "manifest.json").is_file():
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--scale", name, "--out", str(corpus), "--seed", "1"],
                       check=True, stdout=subprocess.DEVNULL)
    return sorted((corpus / "plans").iterdir())


def prepare(name: str, work: Path) -> tuple[Path, Path, dict]:
    """The static site and the store of one corpus, and how long each took."""
    inputs = corpus_inputs(name, work)
    site, store = work / name / "site", work / name / "store"
    shutil.rmtree(work / name, ignore_errors=True)
    (work / name).mkdir(parents=True)
    started = time.perf_counter()
    built = subprocess.run([*piao_lod(), "build", *map(str, inputs), "-o", str(site), "--no-search",
                            "--contact-email", "benchmark@example.org"], capture_output=True, text=True)
    build_s = time.perf_counter() - started
    if built.returncode not in (0, 1):
        sys.exit(f"build failed:\n{built.stderr[-2000:]}")
    started = time.perf_counter()
    loaded = subprocess.run([*piao_lod(), "load", *map(str, inputs), "--store", str(store)], capture_output=True, text=True)
    load_s = time.perf_counter() - started
    if loaded.returncode not in (0, 1):
        sys.exit(f"load failed:\n{loaded.stderr[-2000:]}")
    pages = sum(1 for _ in site.rglob("index.html"))
    return site, store, {"plans": len(inputs), "html_pages": pages, "build_s": build_s, "load_s": load_s}


def sample_pages(site: Path, count: int, seed: int = 1) -> list[str]:
    """Up to ``count`` page paths: every page type first, then a random draw, each in both editions; the home page."""
    by_type: dict[str, list[str]] = {}
    for page in sorted(page for top in ("id", "pnrr", "bilancio") for page in site.glob(f"{top}/**/index.html")):
        found = PAGE_TYPE.search(page.read_bytes()[:4000])
        if found:
            by_type.setdefault(found.group(1).decode(), []).append(page.parent.relative_to(site).as_posix() + "/")
    rng = random.Random(seed)
    chosen = [folders[0] for _, folders in sorted(by_type.items())]
    rest = sorted({folder for folders in by_type.values() for folder in folders} - set(chosen))
    chosen += rng.sample(rest, min(len(rest), max(0, count // 2 - len(chosen))))
    paths = ["/", "/en/"] + [f"/{edition}{folder}" for folder in chosen for edition in ("", "en/")]
    return paths[:count]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, options: list[str], log: Path):
        self.port = free_port()
        self.log = log.open("wb")
        self.process = subprocess.Popen([*piao_lod(), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                                         "--query-workers", "1", *options], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.get("/health")
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    sys.exit(f"the server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.2)

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, float, dict[str, str], int]:
        """One request on the kept-alive connection; again on a new one if the server closed it while idle."""
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.connection.request("GET", path, headers={"Accept": "text/html", **(headers or {})})
                response = self.connection.getresponse()
                body = response.read()
                return response.status, time.perf_counter() - started, dict(response.getheaders()), len(body)
            except (http.client.RemoteDisconnected, ConnectionError):
                if attempt == 2:
                    raise
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        raise AssertionError("unreachable")

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def measure(name: str, work: Path, pages: int, seconds: float) -> dict:
    site, store, facts = prepare(name, work)
    paths = sample_pages(site, pages)
    static = Server(["--site", str(site)], work / name / "static.log")
    rendered = Server(["--store", str(store), "--sources", str(site / "dati" / "fonti")], work / name / "store.log")
    times: dict[str, dict[str, list[float]]] = {"static": {}, "store": {}}
    etags: dict[tuple[str, str], str] = {}
    slowest: dict[str, float] = {}
    try:
        for kind in ("first", "again", "304"):
            deadline = time.monotonic() + seconds
            for path in paths if kind == "first" else paths[:len(times["store"]["first"])]:
                if time.monotonic() > deadline:
                    break
                for label, server in (("static", static), ("store", rendered)):
                    if kind == "304":
                        status, elapsed, _, _ = server.get(path, {"If-None-Match": etags[(label, path)]})
                    else:
                        status, elapsed, headers, _ = server.get(path)
                        etags.setdefault((label, path), headers.get("ETag") or headers.get("etag", ""))
                    if status != (304 if kind == "304" else 200):
                        sys.exit(f"{label} {path}: HTTP {status} to the {kind} request")
                    times[label].setdefault(kind, []).append(elapsed)
                    if kind == "first" and label == "store":
                        slowest[path] = elapsed
        facts["store_rss_mb"] = round(rendered.rss_mb(), 1)
        facts["static_rss_mb"] = round(static.rss_mb(), 1)
    finally:
        static.stop()
        rendered.stop()
    facts["pages_requested"] = len(times["store"]["first"])
    facts["slowest_first"] = [(path, round(elapsed * 1000, 1)) for path, elapsed in
                              sorted(slowest.items(), key=lambda item: -item[1])[:5]]
    for kind in ("first", "again", "304"):
        static_ms = statistics.median(times["static"][kind]) * 1000
        store_ms = statistics.median(times["store"][kind]) * 1000
        facts[kind] = {"static_ms": round(static_ms, 2), "store_ms": round(store_ms, 2),
                       "store_p90_ms": round(sorted(times["store"][kind])[int(0.9 * len(times["store"][kind]))] * 1000, 2),
                       "store_max_ms": round(max(times["store"][kind]) * 1000, 1),
                       "ratio": round(store_ms / static_ms, 2)}
    return facts


def render(results: dict[str, dict]) -> str:
    lines = ["# Pages from the store against static files (benchmarks/store_pages.py)", "",
             f"Machine: {os.cpu_count()} cores; one client, keep-alive, 127.0.0.1; medians of the sample "
             "(every page type in both editions, then a random draw). Ratio = store / static.", "",
             "| corpus | plans | HTML pages built | pages asked | request | static ms | store ms | store p90 ms | store max ms | ratio |",
             "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|"]
    for name, facts in results.items():
        for kind, label in (("first", "first request (rendered)"), ("again", "again (kept)"), ("304", "If-None-Match → 304")):
            row = facts[kind]
            lines.append(f"| {name} | {facts['plans']} | {facts['html_pages']:,} | {facts['pages_requested']} | {label} | "
                         f"{row['static_ms']} | {row['store_ms']} | {row['store_p90_ms']} | {row['store_max_ms']} | "
                         f"{row['ratio']}× |")
    lines += ["", "| corpus | build s (static site) | load s (store) | RSS MB static server | RSS MB store server |",
              "|---|---:|---:|---:|---:|"]
    for name, facts in results.items():
        lines.append(f"| {name} | {facts['build_s']:.1f} | {facts['load_s']:.1f} | {facts['static_rss_mb']} | "
                     f"{facts['store_rss_mb']} |")
    lines += ["", "Slowest first requests to the store server (ms): the first page of an ente validates the ente's "
              "plans; a concept page lists every objective of the corpus linked to it."]
    for name, facts in results.items():
        lines.append(f"- {name}: " + ", ".join(f"`{path}` {ms}" for path, ms in facts["slowest_first"]))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", default="example,small", help="example and/or generate.py scales, comma-separated")
    parser.add_argument("--pages", type=int, default=120, help="pages asked per corpus (at most)")
    parser.add_argument("--seconds", type=float, default=60, help="time for each kind of request per corpus (at most)")
    parser.add_argument("--work", type=Path, default=HERE / "corpus" / "store-pages")
    parser.add_argument("--results", type=Path, help="write the Markdown table here (else print it)")
    args = parser.parse_args()
    results = {name: measure(name, args.work, args.pages, args.seconds) for name in args.corpora.split(",")}
    (args.work / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    table = render(results)
    if args.results:
        args.results.write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
