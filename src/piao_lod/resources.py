"""Where the packaged data lives: ontology, shapes, vocabularies, queries, site, examples.

The top-level design folders are mapped into the ``piao_lod`` package by
``pyproject.toml``, so the same lookup works from a wheel and an editable install.
"""

from importlib.resources import files
from importlib.resources.abc import Traversable


def packaged(folder: str) -> Traversable:
    return files(f"piao_lod.{folder}")


def ontology_file(name: str) -> Traversable:
    return packaged("ontology") / name


def vocabulary_file(name: str) -> Traversable:
    return packaged("vocabularies") / name


def example_plan() -> Traversable:
    """The bundled Comune di Cremona PIAO 2024–2026 objectives table."""
    return packaged("examples") / "cremona-piao-2024-2026-obiettivi.txt"
