"""A real, non-editable install into a fresh venv works from any directory.

Editable installs read the source tree and hide packaging mistakes, so this
builds the wheel, installs it in a new venv and runs the console script from an
unrelated directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    (built,) = dist.glob("piao_lod-*.whl")
    return built


def test_wheel_carries_the_design_folders(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("piao_lod/ontology/piao.ttl", "piao_lod/ontology/pnrr.ttl", "piao_lod/converters/text_table.py",
                     "piao_lod/vocabularies/columns.csv", "piao_lod/vocabularies/comuni.csv",
                     "piao_lod/queries/source-table.rq", "piao_lod/examples/cremona-piao-2024-2026-obiettivi.txt"):
        assert required in names, required
    assert not any(name.startswith(("tests/", "benchmarks/")) for name in names)


def test_fresh_venv_install_runs_from_any_directory(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    example = ROOT / "examples" / "cremona-piao-2024-2026-obiettivi.txt"
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run([str(env_dir / "bin" / "piao-lod"), "convert", str(example), "-o", "plan.ttl"],
                            cwd=elsewhere, capture_output=True, text=True, env=env)
    assert result.returncode == 1, result.stderr
    assert "37 obiettivi, 67 righe di indicatori" in result.stderr
    assert (elsewhere / "plan.ttl").stat().st_size > 100_000
    probe = subprocess.run(
        [str(python), "-c",
         "from piao_lod.resources import ontology_file, packaged, example_plan;"
         "import piao_lod;"
         "print(piao_lod.__file__);"
         "print(ontology_file('piao.ttl').read_text()[:20]);"
         "print(sum(1 for _ in packaged('queries').iterdir()));"
         "print(example_plan().read_text(encoding='utf-8').count('DIRIGENTE:'))"],
        cwd=elsewhere, capture_output=True, text=True, env=env)
    assert probe.returncode == 0, probe.stderr
    module_file, ontology_head, _, dirigenti = probe.stdout.splitlines()
    assert str(env_dir) in module_file and str(ROOT) not in module_file
    assert ontology_head.strip()
    assert dirigenti == "14"
