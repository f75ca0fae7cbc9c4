#!/usr/bin/env python3
"""How a saved query's time grows with the corpus: bare Oxigraph, the prepared text, on stores of two sizes.

    .venv/bin/python benchmarks/query_growth.py SMALL_STORE LARGE_STORE QUERY[:name=value,...] ...

QUERY is a saved query's name or a ``.rq`` file (an older text, to compare). Each store is opened
read-only in a process of its own; the query's text is prepared as ``piao-lod query`` prepares it
(parameters bound), and timed around ``Store.query`` with every row read, best of ``--repeat``
runs, in wall and in CPU seconds (Oxigraph evaluates in the calling thread; on a shared machine the
CPU figure is the steadier). Prints one Markdown row per query: rows and seconds on each store, and
the growth ratio of the CPU seconds (large ÷ small). The stores come from ``generate.py --scale national --comuni N``, ``piao-lod
convert`` and ``piao-lod load`` (``benchmarks/README.md``). Not for CI.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

BARE_QUERY = """
import json, sys, time, pyoxigraph as ox
from piao_lod.saved_queries import resolve_query
from piao_lod.sparql_query import prepare
store = ox.Store.read_only(sys.argv[1])
best, best_cpu, rows = float("inf"), float("inf"), 0
for _ in range(int(sys.argv[4])):
    text, _ = prepare(resolve_query(sys.argv[2]), json.loads(sys.argv[3]))
    started, started_cpu = time.perf_counter(), time.process_time()
    rows = sum(1 for _ in store.query(text, use_default_graph_as_union=True))
    best, best_cpu = min(best, time.perf_counter() - started), min(best_cpu, time.process_time() - started_cpu)
print(rows, best, best_cpu)
"""


def measure(store: str, query: str, parameters: dict[str, str], repeat: int,
            timeout: float) -> tuple[str, float | None, float | None]:
    """(rows, best wall seconds, best CPU seconds), or ("timeout", None, None) when one run took longer than ``timeout``."""
    try:
        done = subprocess.run([sys.executable, "-c", BARE_QUERY, store, query, json.dumps(parameters), str(repeat)],
                              capture_output=True, text=True, timeout=timeout * repeat, check=True)
    except subprocess.TimeoutExpired:
        return "timeout", None, None
    except subprocess.CalledProcessError as error:
        return f"error: {error.stderr.strip().splitlines()[-1]}", None, None
    rows, seconds, cpu = done.stdout.split()
    return rows, float(seconds), float(cpu)


def shown(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds:.3f}"


def parse_case(case: str) -> tuple[str, dict[str, str]]:
    query, _, given = case.partition(":")
    return query, dict(pair.split("=", 1) for pair in given.split(",") if pair)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("small")
    parser.add_argument("large")
    parser.add_argument("cases", nargs="+", metavar="QUERY[:name=value,...]")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per run before giving up")
    args = parser.parse_args(argv)
    print("| query | parameters | rows (small → large) | s, small | s, large | CPU s, small | CPU s, large | growth, CPU |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for case in args.cases:
        query, parameters = parse_case(case)
        (small_rows, small_s, small_cpu), (large_rows, large_s, large_cpu) = (
            measure(store, query, parameters, args.repeat, args.timeout) for store in (args.small, args.large))
        growth = f"{large_cpu / small_cpu:.1f} ×" if small_cpu and large_cpu else "–"
        given = ", ".join(f"{key}={value}" for key, value in parameters.items()) or "defaults"
        print(f"| {query} | {given} | {small_rows} → {large_rows} | {shown(small_s)} | {shown(large_s)} | "
              f"{shown(small_cpu)} | {shown(large_cpu)} | {growth} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
