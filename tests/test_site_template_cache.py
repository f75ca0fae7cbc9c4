"""The site's compiled templates are kept in the work cache (``website/template_cache.py``): a build that loads
them from there writes the same site, byte for byte, as one that compiled them."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).parents[1] / "examples" / "cremona-piao-2024-2026-obiettivi.txt"


def build(out: Path, *cache: str) -> None:
    completed = subprocess.run([sys.executable, "-m", "piao_lod", "build", str(EXAMPLE), "-o", str(out), "--no-search",
                                "--contact-email", "dati@example.org", "--workers", "1", *cache],
                               capture_output=True, text=True, check=False)
    assert completed.returncode in (0, 1), completed.stderr


def tree_digest(root: Path) -> dict[str, str]:
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def test_a_build_with_templates_from_the_cache_writes_the_same_site_as_one_that_compiled_them(tmp_path):
    cache = tmp_path / "cache"
    build(tmp_path / "compiled", "--cache", str(cache))                # an empty cache: every template compiled
    stored = list((cache / "templates").rglob("*"))
    assert sum(path.is_file() for path in stored) >= 2 * 20          # every page template, in both editions
    build(tmp_path / "from-cache", "--cache", str(cache))
    assert tree_digest(tmp_path / "from-cache") == tree_digest(tmp_path / "compiled")
