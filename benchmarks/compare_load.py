#!/usr/bin/env python3
"""Compare what ``piao-lod load`` costs in two installs of piao-lod, side by side, on the same inputs.

    python3 benchmarks/compare_load.py --baseline /tmp/old/.venv --candidate .venv \\
        --one benchmarks/corpus/medium-one.nq --runs 3 benchmarks/corpus/medium.nq

For each install and run (the installs alternate, so the machine's noise falls on both): a load into a
new store (``fresh``), the same load again into that store (``reload``: every graph replaced) and a load
of one plan into it (``update-one``). Each is a child process: wall time, CPU time (user + system, the
steadier figure on a shared machine), peak RSS, and the disk of the store and everything beside it
(``STORE.*``), after the load and at its peak (sampled every 0.2 s; hard links counted once). Prints a
Markdown table of medians with the candidate/baseline ratios, and the raw runs as JSON with ``--json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

CASES = ("fresh", "reload", "update-one")
FIGURES = ("seconds", "cpu_seconds", "rss_mb", "disk_after_mb", "disk_peak_mb")
SAMPLE_S = 0.2


def store_disk(store: Path) -> int:
    """Bytes on disk of ``store`` and its siblings ``store.*``, each inode once."""
    seen, total = set(), 0
    for entry in store.parent.iterdir():
        if entry.name != store.name and not entry.name.startswith(f"{store.name}."):
            continue
        files = [entry] if entry.is_file() else [Path(root) / name for root, _, names in os.walk(entry) for name in names]
        for path in files:
            try:
                status = path.stat()
            except OSError:
                continue                      # removed while we looked
            if status.st_ino not in seen:
                seen.add(status.st_ino)
                total += status.st_blocks * 512
    return total


def measure(command: list[str], store: Path) -> dict[str, float]:
    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], store_disk(store))
            time.sleep(SAMPLE_S)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    errors = process.stderr.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise RuntimeError(f"{' '.join(command[:3])}... exited {os.waitstatus_to_exitcode(status)}:\n{errors[-2000:]}")
    after = store_disk(store)
    return {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
            "disk_after_mb": after / 2**20, "disk_peak_mb": max(peak[0], after) / 2**20}


def run_install(venv: Path, inputs: list[Path], one: Path, store: Path) -> dict[str, dict[str, float]]:
    for entry in store.parent.glob(f"{store.name}*"):
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    command = [str(venv / "bin" / "piao-lod"), "load", "--store", str(store)]
    return {"fresh": measure([*command, *map(str, inputs)], store),
            "reload": measure([*command, *map(str, inputs)], store),
            "update-one": measure([*command, str(one)], store)}


def table(runs: dict[str, list[dict]]) -> str:
    medians = {install: {case: {figure: statistics.median(run[case][figure] for run in install_runs)
                                for figure in FIGURES} for case in CASES}
               for install, install_runs in runs.items()}
    lines = ["| case | figure | baseline | candidate | ratio |", "|---|---|---:|---:|---:|"]
    for case in CASES:
        for figure in FIGURES:
            old, new = medians["baseline"][case][figure], medians["candidate"][case][figure]
            lines.append(f"| {case} | {figure} | {old:.2f} | {new:.2f} | {new / old:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", type=Path, help="what every load loads (tables or RDF)")
    parser.add_argument("--baseline", type=Path, required=True, help="virtualenv of the install to compare with")
    parser.add_argument("--candidate", type=Path, required=True, help="virtualenv of the install measured")
    parser.add_argument("--one", type=Path, required=True, help="one plan (table or RDF) for update-one")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, help="where the stores go [default: a temporary folder]")
    parser.add_argument("--json", type=Path, help="also write every run here")
    arguments = parser.parse_args()
    work = arguments.work or Path(tempfile.mkdtemp(prefix="compare-load-"))
    work.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[dict]] = {"baseline": [], "candidate": []}
    for _ in range(arguments.runs):
        for install in runs:
            venv = getattr(arguments, install)
            runs[install].append(run_install(venv, arguments.inputs, arguments.one, work / f"store-{install}"))
    if arguments.json:
        arguments.json.write_text(json.dumps(runs, indent=1))
    print(table(runs))


if __name__ == "__main__":
    main()
