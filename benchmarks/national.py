#!/usr/bin/env python3
"""The national corpus end to end: generate → convert → validate → load → every saved query.

    .venv/bin/python benchmarks/national.py --comuni 200 --years 5     # 1/40 of national, ~20 min on 2 cores
    .venv/bin/python benchmarks/national.py --scale national --lean --work DIR    # every comune: 4–6 h on 2 cores, ≈ 100 GB
    .venv/bin/python benchmarks/national.py --scale national --lean --work DIR --resume    # on from where it stopped
    .venv/bin/python benchmarks/national.py --corpus C --comuni 7896 --load-only --work DIR --keep    # load + queries only

Every stage runs as a child process of its own (the ``piao-lod`` command, with ``--workers``), and
is measured from outside: wall time, CPU time (the child and its worker processes), peak resident
memory (``ru_maxrss`` from ``os.wait4``: the largest single process of the stage, since every
worker is a process of its own) and the disk the stage leaves. Two references run on the same
files in the same run: Oxigraph's bare ``Store.bulk_load`` of the N-Quads ``convert`` wrote, and
Oxigraph's bare query of each saved query's text on the store of that bulk load. The figures go to
``RESULTS.json`` in the work folder; ``--results FILE`` also writes them as Markdown, with a linear
extrapolation to the 39,480 national plans (labelled as such: nothing national is measured unless
``--scale national`` ran). ``RESULTS.json`` is written again after every stage, so an interrupted run keeps
what it measured.

``--lean`` is for a disk that cannot hold the N-Quads and two stores at once (national: ≈ 38 GB of N-Quads,
≈ 30 GB for Oxigraph's own store, ≈ 53 GB for piao-lod's): ``convert`` is not run a second time from the
cache, nor ``validate``; Oxigraph's reference store is deleted once its queries ran, and ``load`` reads the tables
through the cache ``convert`` filled (the N-Quads deleted first) instead of the N-Quads. ``--load-only`` is for a disk
that holds one store and nothing more (national: ≈ 53 GB): ``load`` reads the tables without a cache, then every
saved query runs through ``piao-lod query`` and bare, its text by Oxigraph alone, on that same store.

Not for CI: it takes minutes at the smallest useful size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import hashlib
import importlib.machinery
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV = ROOT / ".venv" / "bin"
NATIONAL_PLANS = 39_480
QUERY_LIMIT_S = 10.0
BASE = "https://w3id.org/piao-lod/id/"


@functools.lru_cache(maxsize=1)
def harness_launcher() -> str:
    """The bare launcher of ``benchmarks/run``: a stage forked from this harness would inherit its peak RSS."""
    loader = importlib.machinery.SourceFileLoader("piao_lod_benchmark_run", str(HERE / "run"))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    sys.modules[loader.name] = module
    loader.exec_module(module)
    return module.LAUNCHER


def run_stage(name: str, argv: list[str], logs: Path, log=print, resume: bool = False) -> dict:
    """Run ``argv`` with its output in ``logs/<name>.out|.err``, measured: wall and CPU seconds (its workers
    included), the largest process's peak RSS, the exit code, the last line it wrote on stderr. ``resume``: a
    stage whose measurement an earlier run left in ``logs`` is not run again (its launcher outlives the harness)."""
    slug = "".join(c if c.isalnum() else "-" for c in name)
    out, err, report = logs / f"{slug}.out", logs / f"{slug}.err", logs / f"{slug}.rusage.json"
    if resume and report.exists():
        log(f"[{dt.datetime.now():%H:%M:%S}] {name}: measured by an earlier run")
    else:
        log(f"[{dt.datetime.now():%H:%M:%S}] {name}: {' '.join(argv[:6])}{' …' if len(argv) > 6 else ''}")
        with out.open("wb") as stdout, err.open("wb") as stderr:
            subprocess.run([sys.executable, "-I", "-S", "-c", harness_launcher(), str(report), *argv], stdout=stdout,
                           stderr=stderr, check=False)
    usage = json.loads(report.read_text())
    said = err.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:]
    code = usage["exit"]
    figures = {"stage": name, "wall_s": round(usage["seconds"], 2), "cpu_s": round(usage["cpu"], 2),
               "peak_rss_mb": round(usage["maxrss"] / 1024, 1), "exit": code, "said": said[0][:300] if said else "",
               "stdout": str(out)}
    log(f"    {figures['wall_s']} s wall, {figures['cpu_s']} s CPU, {figures['peak_rss_mb']} MB, exit {code}")
    return figures


def same_bytes(one: Path, other: Path) -> bool:
    """Compared by digest, a block at a time: the harness must stay small (see run_stage)."""
    def digest(path: Path) -> str:
        hashed = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                hashed.update(block)
        return hashed.hexdigest()

    return digest(one) == digest(other)


def disk_mb(path: Path) -> float:
    if path.is_file():
        return round(path.stat().st_size / 2**20, 1)
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)


# A fixed pure-Python workload: the CPU seconds it takes say how fast this machine's cores were during the run
# (the same shared machine has run it 2.5 × slower on one day than on the next), to compare runs.
CALIBRATION = "import time; t = time.process_time(); sum(i * i for i in range(5_000_000)); print(time.process_time() - t)"


def calibration_s() -> float:
    return round(float(subprocess.run([sys.executable, "-c", CALIBRATION], capture_output=True, text=True).stdout), 3)


# The reference graphs (ontology, PNRR scheme) that ``load`` adds are added here too, after the timing: the saved
# queries read them (the measures' notations and labels), so the bare store holds the data piao-lod's does.
BARE_LOAD = """
import sys, time, pyoxigraph as ox
from piao_lod.graph_inputs import reference_graph_quads
started = time.perf_counter()
store = ox.Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
store.flush()
seconds = time.perf_counter() - started
store.bulk_load(reference_graph_quads(), format=ox.RdfFormat.N_QUADS)
store.flush()
print(seconds)
"""
# Counted apart, untimed: counting every quad of a national store takes minutes.
COUNT_QUADS = """
import sys, pyoxigraph as ox
print(len(ox.Store.read_only(sys.argv[1])))
"""

# The saved query's text, prepared as piao-lod prepares it (parameters bound), run by Oxigraph alone.
BARE_QUERY = """
import json, sys, time, pyoxigraph as ox
from piao_lod.saved_queries import resolve_query
from piao_lod.sparql_query import prepare
text, _ = prepare(resolve_query(sys.argv[2]), json.loads(sys.argv[3]))
store = ox.Store.read_only(sys.argv[1])
started = time.perf_counter()
answer = store.query(text, use_default_graph_as_union=True)
rows = sum(1 for _ in answer)
print(rows, time.perf_counter() - started)
"""


def query_cases(manifest: dict, names: list[str]) -> list[tuple[str, dict[str, str]]]:
    """(saved query, parameters) to run: every query with its defaults, where they name nothing of the real example
    (absent from a synthetic corpus), and again given one ente when it takes an optional one."""
    from piao_lod.saved_queries import saved_query

    first, second = manifest["comuni"][0]["ipa_code"], manifest["comuni"][1]["ipa_code"]
    fixed = {"indicator-targets": {"ente": first, "indicator": "774"},
             "shared-pnrr-measures": {"ente1": first, "ente2": second}}
    cases = []
    for name in names:
        cases.append((name, fixed.get(name, {})))
        if name not in fixed and any(parameter.name == "ente" and parameter.optional
                                     for parameter in saved_query(name).parameters):
            cases.append((name, {"ente": first}))
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="national", help="a generate.py scale (default national, sized by --comuni)")
    parser.add_argument("--comuni", type=int, help="comuni (default: the scale's; national: 7,896)")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", type=Path, help="work folder (default benchmarks/corpus/national-N)")
    parser.add_argument("--results", type=Path, help="also write the figures as Markdown here")
    parser.add_argument("--keep", action="store_true", help="keep the corpus, the N-Quads and the stores")
    parser.add_argument("--one-worker", action="store_true", help="also convert in one process, without the cache")
    parser.add_argument("--render", type=Path, help="only write --results from the RESULTS.json of an earlier run")
    parser.add_argument("--corpus", type=Path, help="a corpus generate.py wrote already (kept afterwards), instead of a new one")
    parser.add_argument("--lean", action="store_true", help="for a small disk: see the module's docstring")
    parser.add_argument("--load-only", action="store_true",
                        help="only load the tables (no cache) and run every saved query, bare on the same store too: "
                             "for a disk that holds one store but not the N-Quads beside it")
    parser.add_argument("--resume", action="store_true",
                        help="keep the work folder and every stage an earlier run of it measured (needs --work)")
    parser.add_argument("--bare-query-timeout", type=float, default=600.0,
                        help="seconds a bare Oxigraph query may run before it is stopped and recorded as over (default 600)")
    args = parser.parse_args(argv)
    if args.render:
        (args.results or Path("/dev/stdout")).write_text(markdown(json.loads(args.render.read_text(encoding="utf-8"))),
                                                         encoding="utf-8")
        return 0
    python, piao = str(VENV / "python"), str(VENV / "piao-lod")
    work = args.work or HERE / "corpus" / f"national-{args.comuni or 'all'}x{args.years}"
    if args.corpus and args.corpus.resolve().is_relative_to(work.resolve()):
        parser.error("--corpus must be outside the work folder, which is emptied first")
    if args.resume and not args.work:
        parser.error("--resume needs the --work folder of the earlier run")
    if work.exists() and not args.resume:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    corpus, nq, store, bare, cache = args.corpus or work / "corpus", work / "corpus.nq", work / "store", work / "bare-store", work / "cache"
    workers = ["--workers", str(args.workers)]
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    stage = functools.partial(run_stage, logs=logs, resume=args.resume)
    stages, queries = [], []
    figures = {"date": f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC", "workers": args.workers, "lean": args.lean,
               "calibration_s": [calibration_s()], "stages": stages, "queries": queries}
    if not args.corpus:
        generate = [python, str(HERE / "generate.py"), "--scale", args.scale, "--out", str(corpus), "--seed",
                    str(args.seed), "--years", str(args.years)] + (["--comuni", str(args.comuni)] if args.comuni else [])
        stages.append(stage("generate", generate) | {"disk_mb": disk_mb(corpus)})
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    figures |= {"plans": manifest["expected"]["plans"], "comuni": len(manifest["comuni"]), "years": args.years,
                "indicator_rows": manifest["expected"]["assignments"]}
    tables = str(corpus / "plans")      # a folder: the national corpus's file names exceed ARG_MAX

    def save() -> None:
        (work / "RESULTS.json").write_text(json.dumps(figures | {"machine": machine()}, indent=1), encoding="utf-8")

    queries += [{"query": name, "parameters": given}
                for name, given in query_cases(manifest, sorted(path.stem for path in (ROOT / "queries").glob("*.rq")))]

    def bare_queries(on: Path) -> None:
        for case in queries:
            print(f"[{dt.datetime.now():%H:%M:%S}] bare Oxigraph query {case['query']} {case['parameters'] or ''}")
            try:
                measured = subprocess.run([python, "-c", BARE_QUERY, str(on), case["query"], json.dumps(case["parameters"])],
                                          capture_output=True, text=True, timeout=args.bare_query_timeout)
                rows, seconds = (measured.stdout.split() + ["?", "nan"])[:2]
            except subprocess.TimeoutExpired:
                rows, seconds = "stopped", f"{args.bare_query_timeout}"
            case |= {"bare_s": round(float(seconds), 3), "rows": rows,
                     "bare_on": "piao-lod's store" if on == store else "Oxigraph's bulk-loaded store"}
            print(f"    {seconds} s, {rows} rows")
            save()

    def piao_lod_queries() -> None:
        for case in queries:
            flags = [flag for key, value in case["parameters"].items() for flag in ("--param", f"{key}={value}")]
            cli = stage(f"query {case['query']} {' '.join(flags)}".strip(),
                        [piao, "query", case["query"], "--store", str(store), "-f", "csv", *flags])
            case |= {"cli_wall_s": cli["wall_s"], "cli_peak_rss_mb": cli["peak_rss_mb"], "exit": cli["exit"],
                     "cli_rows": sum(1 for _ in Path(cli["stdout"]).open(encoding="utf-8")) - 1}
            save()

    same = same_one_worker = same_validation = None
    if not args.load_only:
        stages.append(stage("convert", [piao, "convert", tables, "-o", str(nq), *workers, "--cache", str(cache)])
                      | {"disk_mb": disk_mb(nq), "cache_mb": disk_mb(cache)})
        save()
        if not args.lean:
            stages.append(stage("convert, unchanged (cache)", [piao, "convert", tables, "-o", str(work / "again.nq"),
                                                                  *workers, "--cache", str(cache)]))
            same = same_bytes(work / "again.nq", nq)
            (work / "again.nq").unlink()
        if args.one_worker:
            stages.append(stage("convert, 1 worker, no cache", [piao, "convert", tables, "-o", str(work / "one.nq"),
                                                                   "--workers", "1", "--no-cache"]))
            same_one_worker = same_bytes(work / "one.nq", nq)
            (work / "one.nq").unlink()
        validate = [piao, "validate", str(nq), "-f", "json", *workers, "--cache", str(cache)]
        stages.append(stage("validate", validate) | {"cache_mb": disk_mb(cache)})
        save()
        if not args.lean:
            stages.append(stage("validate, unchanged (cache)", validate))
            same_validation = same_bytes(Path(stages[-1]["stdout"]), Path(stages[-2]["stdout"]))
            save()
        bare_load = stage("oxigraph bulk_load (reference)", [python, "-c", BARE_LOAD, str(nq), str(bare)])
        stages.append(bare_load | {"disk_mb": disk_mb(bare)})
        figures["triples"] = int(subprocess.run([python, "-c", COUNT_QUADS, str(bare)], capture_output=True,
                                                text=True, check=True).stdout)
        save()
        bare_queries(bare)

    if args.load_only:
        stages.append(stage("load (from the tables, no cache)",
                            [piao, "load", tables, "--store", str(store), *workers, "--no-cache"])
                      | {"disk_mb": disk_mb(store)})
        save()
        piao_lod_queries()
        bare_queries(store)
    elif args.lean:
        shutil.rmtree(bare)
        nq.unlink()
        stages.append(stage("load (from the tables, through the cache)",
                            [piao, "load", tables, "--store", str(store), *workers, "--cache", str(cache)])
                      | {"disk_mb": disk_mb(store)})
    else:
        stages.append(stage("load", [piao, "load", str(nq), "--store", str(store), *workers, "--no-cache"])
                      | {"disk_mb": disk_mb(store)})
    save()
    if not args.load_only:
        piao_lod_queries()
    figures["calibration_s"].append(calibration_s())

    figures |= {"cached_convert_identical": same, "one_worker_identical": same_one_worker,
                "cached_validation_identical": same_validation}
    save()
    if args.results:
        args.results.write_text(markdown(figures), encoding="utf-8")
    if not args.keep:
        for path in ([] if args.corpus else [corpus]) + [nq, store, bare, cache, logs]:
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    return 0


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores, {memory:.1f} GiB, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, load average at the end {os.getloadavg()[0]:.1f}")


def markdown(figures: dict) -> str:
    """The figures as tables; a stage or a query not run yet (an interrupted run) is shown as "–"."""
    factor = NATIONAL_PLANS / figures["plans"]
    bare = next((stage for stage in figures["stages"] if stage["stage"] == "oxigraph bulk_load (reference)"), {})

    def ratio(value, reference) -> str:
        return f"{value / reference:.1f}×" if reference and value is not None else "–"

    scale = "measured at national size" if factor == 1 else f"**extrapolated** to national (×{factor:.1f})"
    lines = [f"Calibration (CPU s of a fixed workload, at the start and the end): {figures.get('calibration_s', '–')}", "",
             "| stage | wall s | CPU s | ratio to Oxigraph bulk_load, wall | ratio, CPU | peak RSS MB (largest process) | "
             f"disk MB | exit | national wall ({scale}) | national CPU |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for stage in figures["stages"]:
        disk = " + ".join(f"{stage[key]}" for key in ("disk_mb", "cache_mb") if key in stage)
        lines.append(f"| {stage['stage']} | {stage['wall_s']:.1f} | {stage['cpu_s']:.1f} | "
                     f"{ratio(stage['wall_s'], bare.get('wall_s'))} | {ratio(stage['cpu_s'], bare.get('cpu_s'))} | "
                     f"{stage['peak_rss_mb']:.0f} | {disk} | {stage['exit']} | "
                     f"{hours(stage['wall_s'] * factor)} | {hours(stage['cpu_s'] * factor)} |")
    lines += ["", "| saved query | parameters | bare Oxigraph rows | bare Oxigraph query s | piao-lod rows | "
                  "piao-lod query (CLI, wall s, start-up included) | ratio | national bare s | over 10 s? |",
              "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for query in figures["queries"]:
        cli = query.get("cli_wall_s")
        bare_s = query.get("bare_s", float("nan"))
        national = bare_s * factor
        over = [f"piao-lod {'here' if factor != 1 else ''}".strip()] if cli is not None and cli > QUERY_LIMIT_S else []
        over += ["bare" + (", extrapolated" if factor != 1 else "")] if national > QUERY_LIMIT_S else []
        params = ", ".join(f"{key}={value}" for key, value in query["parameters"].items()) or "defaults"
        lines.append(f"| {query['query']} | {params} | {query.get('rows', '–')} | {bare_s:.3f} | {query.get('cli_rows', '–')} | "
                     f"{'–' if cli is None else f'{cli:.2f}'} | {ratio(cli, query.get('bare_s'))} | {national:.1f} | "
                     f"{'**yes** (' + '; '.join(over) + ')' if over else 'no'} |")
    return "\n".join(lines) + "\n"


def hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"


if __name__ == "__main__":
    sys.exit(main())
