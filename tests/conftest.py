"""Shared fixtures: the bundled example, a CLI runner, and RDF helpers."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from piao_lod.cli import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "cremona-piao-2024-2026-obiettivi.txt"
DATA = Path(__file__).resolve().parent / "data"


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
