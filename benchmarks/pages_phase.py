"""The pages phase of ``piao-lod build`` alone: wall and CPU seconds, pages per second.

    python benchmarks/pages_phase.py --out /tmp/site --workers 2 PLAN_FILE...

Run it with the interpreter of each checkout to compare (the numbers of one machine are only
comparable with each other, back to back). Wall is ``BuiltSite.seconds["pages"]`` (resource pages,
fixed pages, ontology files); CPU is that of rendering the resource pages, this process and its
workers (``getrusage`` of self and reaped children around :func:`render_pages`).
"""

from __future__ import annotations

import argparse
import json
import resource
from pathlib import Path

import piao_lod.website.build as build


def cpu_seconds() -> float:
    return sum(usage.ru_utime + usage.ru_stime
               for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*", type=Path, help="plan files (none: the bundled example)")
    parser.add_argument("--out", type=Path, required=True,
                        help="a new folder for the site (over a previous build, unchanged plans' pages would be reused)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if args.out.exists():
        parser.error(f"{args.out} exists: give a new folder")
    spent = {}
    render_pages = build.render_pages

    def measured(*arguments, **keywords):
        start = cpu_seconds()
        try:
            return render_pages(*arguments, **keywords)
        finally:
            spent["cpu"] = cpu_seconds() - start

    build.render_pages = measured
    built = build.build_site(args.sources, args.out, contact_email="benchmark@example.org" if args.sources else None,
                             search=False, workers=args.workers)
    wall = built.seconds["pages"]
    print(json.dumps({"pages": built.pages, "files": built.files, "workers": args.workers,
                      "pages_wall_s": round(wall, 2), "pages_cpu_s": round(spent["cpu"], 2),
                      "pages_per_s_wall": round(built.pages / wall), "pages_per_cpu_s": round(built.pages / spent["cpu"])}))


if __name__ == "__main__":
    main()
