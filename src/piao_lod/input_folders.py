"""Folders given where files are expected: a folder stands for the plan tables and RDF files inside it.

A national corpus is tens of thousands of files, more than a command line holds (``ARG_MAX``), so every
command that takes inputs also takes folders. A folder is walked in sorted order (the output does not depend
on the file system's), without following symbolic links to folders (no loops), skipping hidden names (a cache,
``.git``) and files whose suffix is neither a plan table's nor an RDF format's (a README, a manifest). A folder
with nothing to read stays in the list, so the command reports it as an unusable input instead of dropping it.
``convert`` takes plan tables only (:func:`expand_table_folders`: the RDF it wrote into the folder before is not
read again); the commands that also take RDF, both (:func:`expand_input_folders`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from piao_lod.converters import SUFFIX_FORMATS
from piao_lod.rdf_formats import BY_SUFFIX

TABLE_SUFFIXES = frozenset(SUFFIX_FORMATS)
INPUT_SUFFIXES = TABLE_SUFFIXES | frozenset(BY_SUFFIX)


def files_in_folder(folder: Path, suffixes: frozenset[str]) -> list[Path]:
    found = []

    def unlisted(error: OSError) -> None:       # a subfolder that cannot be read is reported, not skipped
        found.append(Path(error.filename))

    for top, folders, files in os.walk(folder, onerror=unlisted):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        found += (Path(top) / name for name in sorted(files)
                  if not name.startswith(".") and Path(name).suffix.lower() in suffixes)
    return found


def expand_folders(paths: Sequence[Path] | None, suffixes: frozenset[str]) -> list[Path] | None:
    """The given paths, each folder replaced by the inputs inside it (see the module's docstring)."""
    if paths is None:
        return None
    expanded = []
    for path in paths:
        inside = files_in_folder(path, suffixes) if path.is_dir() else []
        expanded += inside or [path]
    return expanded


def expand_input_folders(paths: Sequence[Path] | None) -> list[Path] | None:
    """For the commands that take tables and RDF (a Typer callback: one parameter)."""
    return expand_folders(paths, INPUT_SUFFIXES)


def expand_table_folders(paths: Sequence[Path] | None) -> list[Path] | None:
    """For ``convert``."""
    return expand_folders(paths, TABLE_SUFFIXES)
