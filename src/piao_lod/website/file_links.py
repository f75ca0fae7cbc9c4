"""Writing the site's files, and taking files from the previous build: hard links, so an unchanged page costs no
copy and no disk."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def write_file(path: Path | str, data: bytes) -> None:
    """``path.write_bytes(data)`` in three system calls: a build writes a hundred thousand small files, and the
    buffered file object costs a quarter of the time of each (a look at its size, whether it is a terminal)."""
    descriptor = os.open(path, NEW_FILE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
    finally:
        os.close(descriptor)


def make_folder(path: str) -> None:
    """``Path(path).mkdir(parents=True, exist_ok=True)`` in one system call when the parent is there (a page's
    folder is made after its parent's, in the order of the pages)."""
    try:
        os.mkdir(path)
    except FileNotFoundError:
        os.makedirs(path, exist_ok=True)
    except FileExistsError:
        if not os.path.isdir(path):
            raise


def link_file(source: Path | str, target: Path | str) -> None:
    """A hard link of ``source`` at ``target``, or a copy where the file system has none (another device)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)

