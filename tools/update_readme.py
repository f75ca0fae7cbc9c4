"""Regenerate the parts of README.md made from the code: the table of problem codes (src/piao_lod/problems.py).

Run after adding or changing a problem code:
    python tools/update_readme.py
The test suite fails when README.md is not what this writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START, END = "<!-- problems:start (tools/update_readme.py) -->", "<!-- problems:end -->"


def problems_table() -> str:
    from piao_lod.problems import PROBLEMS

    rows = ["| code | severity | what happened, and what was done |", "|---|---|---|"]
    rows += [f"| `{code.code}` | {code.severity.value} | {code.summary} |" for code in PROBLEMS.values()]
    return "\n".join(rows)


def updated(text: str) -> str:
    head, found, rest = text.partition(START)
    if not found:
        raise SystemExit(f"README.md has no {START} marker")
    _, found, tail = rest.partition(END)
    if not found:
        raise SystemExit(f"README.md has no {END} marker")
    return f"{head}{START}\n{problems_table()}\n{END}{tail}"


def main() -> int:
    README.write_text(updated(README.read_text(encoding="utf-8")), encoding="utf-8")
    print("README.md: problem codes table written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
