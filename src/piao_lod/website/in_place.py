"""A rebuild that updates the live site where it stands, instead of a new folder swapped in.

A rebuild after one plan changed leaves most of the site as it is (the folders of the enti whose plans did not
change, the search parts none of whose enti changed): linking those ~130,000 files into a new folder cost more
than everything else the rebuild does. So the rebuild writes what it makes into a staging folder beside the site,
as a full build does, and only then moves each file over its place in the site (``os.replace``: a reader sees the
old file or the new one, never a part of either), deletes the files the build no longer makes, and writes the
marker last. The guarantee is per file, not for the whole site: while the files move, a reader may see some pages
of the new build and some of the old one.

A **journal** file in the site says a move is under way: it is written before the first file moves and removed
after the marker. A build that finds it (the previous rebuild was killed, or a disk filled, half-way) trusts
nothing of that site and builds it again in full, into a new folder swapped in whole, as a first build does.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from piao_lod.website.file_links import write_file

JOURNAL = ".piao-lod-updating"     # in the site while a rebuild moves its files in: the site is part old, part new


def interrupted(site: Path) -> bool:
    """Whether a rebuild of ``site`` stopped while it moved its files in (the site is then part old, part new)."""
    return os.path.lexists(site / JOURNAL)


def update_in_place(staging: Path, site: Path, kept: dict[str, int], marker: str) -> int:
    """Move every file of ``staging`` over its place in ``site``, delete the files of ``site`` that ``staging`` does
    not hold but outside the ``kept`` folders (relative, with ``/``, and how many files each holds), then move the
    ``marker`` file; returns the number of files of the site. New files move before those they replace, so a page's
    links and the search index's fragments are in place before what names them."""
    write_file(site / JOURNAL, staging.name.encode("utf-8"))
    source_root, target_root = str(staging) + os.sep, str(site) + os.sep
    folders, produced = listing(staging)
    for folder in folders:
        real_folder(target_root + folder[:-1])     # without its "/", which would make the look follow a link
    moving = [(os.path.lexists(target_root + path), path) for path in produced if path != marker]
    for _, path in sorted(moving):
        move(source_root + path, target_root + path)
    remove_unproduced(target_root, "", set(produced) | {JOURNAL}, set(folders), set(kept))
    move(source_root + marker, target_root + marker)
    os.unlink(site / JOURNAL)
    return len(produced) + sum(kept.values())


def listing(root: Path) -> tuple[list[str], list[str]]:
    """The folders (parents first, with a final ``/``) and the files below ``root``, relative to it."""
    folders, files = [], []
    stack = [""]
    while stack:
        prefix = stack.pop()
        with os.scandir(os.path.join(root, prefix) if prefix else root) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(prefix + entry.name + "/")
                    stack.append(prefix + entry.name + "/")
                else:
                    files.append(prefix + entry.name)
    return sorted(folders), files


def real_folder(path: str) -> None:
    """``path`` is a folder of the site's own: what stands in its place (a file, a symbolic link, which would let a
    page be written outside the site) is removed first."""
    if os.path.isdir(path) and not os.path.islink(path):
        return
    if os.path.lexists(path):
        os.unlink(path)
    os.mkdir(path)


def move(source: str, target: str) -> None:
    """``source`` over ``target`` in one rename; a folder where the file goes (a page folder the build no longer
    makes, under a name now a file's) is removed first."""
    try:
        os.replace(source, target)
    except IsADirectoryError:
        shutil.rmtree(target)
        os.replace(source, target)


def remove_unproduced(root: str, prefix: str, produced: set[str], folders: set[str], kept: set[str]) -> None:
    """Delete every file below ``root + prefix`` that is not ``produced``, and every folder left empty that the
    build does not make; the ``kept`` folders are not entered."""
    with os.scandir(root + prefix) as listed:
        entries = list(listed)
    for entry in entries:
        path = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            if path + "/" in kept:
                continue
            remove_unproduced(root, path + "/", produced, folders, kept)
            if path + "/" not in folders:
                remove_if_empty(entry.path)
        elif path not in produced:
            os.unlink(entry.path)


def remove_if_empty(folder: str) -> None:
    try:
        os.rmdir(folder)
    except OSError:       # not empty: it holds a kept folder or a file the build made
        pass
