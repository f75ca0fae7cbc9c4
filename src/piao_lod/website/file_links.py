"""Taking files from the previous build: hard links, so an unchanged page costs no copy and no disk."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def link_file(source: Path | str, target: Path | str) -> None:
    """A hard link of ``source`` at ``target``, or a copy where the file system has none (another device)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def link_tree(source: Path, target: Path) -> None:
    """Every file below ``source``, linked at the same place below ``target``. A symbolic link is not taken: a
    build never writes one, and linked it would publish what it points to, outside the site."""
    target.mkdir(parents=True, exist_ok=True)
    with os.scandir(source) as entries:
        for entry in list(entries):
            if entry.is_dir(follow_symlinks=False):
                link_tree(Path(entry.path), target / entry.name)
            elif entry.is_file(follow_symlinks=False):
                link_file(entry.path, target / entry.name)
