"""An on-disk store directory replaced as a whole, so a load killed at any moment leaves it as it was or as
it would be after, never in between.

pyoxigraph writes a store in place, and a load is many writes: each replaced
graph cleared, then one ``bulk_load``, which is not a transaction. A load
killed in the middle left plans' graphs emptied (issue 11). So a load never
writes the directory readers open. It writes a copy beside it and, once the
copy is complete and closed, swaps the two directories in one
``renameat2(RENAME_EXCHANGE)``; the old one is then deleted.

The copy is cheap: Oxigraph keeps its data in RocksDB table files that are
never changed once written, so they are hard-linked; only the small files
RocksDB appends to (manifest, write-ahead log) are copied. ``Store.backup``
does much the same but, from a read-only store, leaves out what is only in
the write-ahead log (a store closed without ``flush``): that would be lost.

Beside the store ``DIR`` there may be, only while needed:

- ``DIR.lock``: locked (``flock``) by the one load writing ``DIR``; a second load is refused;
- ``DIR.loading``: the copy a load is writing, then the old store just after the swap;
- ``DIR.replaced``: where there is no ``RENAME_EXCHANGE``, the old store between the two renames
  that replace it (a load or a reader finding ``DIR`` missing takes ``DIR.loading``, complete by then);
- ``DIR.old-N``: an old store a reader still had open at the swap, deleted by a later load.

What a killed load leaves beside the store is removed by the next load.

Readers (:func:`pin_for_reading`) open the directory once, hold a shared
``flock`` on it and read through ``/proc/self/fd/N``: a swap during a query
does not mix two stores into one answer, and a load does not delete a
directory a reader has open. A process keeps what it pinned until it exits
(pyoxigraph stores cannot be weakly referenced, so their end is not seen), or until it
says it holds no store of that directory any more (:func:`unpin`: a server following loads).
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import re
import shutil
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from piao_lod.errors import StoreError
from piao_lod.messages import N_

ANSWERS_DIR = "piao-lod-answers"   # the saved queries' answers a load keeps in the store (piao_lod.saved_answers)
STORE_MARKER = "CURRENT"   # the file every Oxigraph (RocksDB) store directory has
PROC_FDS = Path("/proc/self/fd")
AT_FDCWD = -100
RENAME_EXCHANGE = 2
PIN_ATTEMPTS = 10
CHECK_INTERVAL_S = 1.0     # how often a long-lived reader looks whether a load swapped in a new store
IMMUTABLE_SUFFIXES = {".sst", ".blob"}   # RocksDB table and blob files, written once

Filled = TypeVar("Filled")
pinned: dict[tuple[int, int], int] = {}    # (device, inode) of a pinned store directory -> its descriptor
locked: set[Path] = set()                  # stores whose load lock this process holds


def sibling(path: Path, suffix: str) -> Path:
    return path.with_name(f"{path.name}.{suffix}")


WORKING_COPY = re.compile(r"\.(?:loading|replaced|old-[0-9]+)\Z")


def store_of_working_copy(path: Path) -> Path | None:
    """The store ``DIR`` of which ``path`` is a load's working copy (``DIR.loading``, ``DIR.replaced``,
    ``DIR.old-N``), or None: such a copy is being written, or deleted, by a load, so never opened as a store."""
    match = WORKING_COPY.search(path.name)
    if match is None or not match.start():
        return None
    store = path.with_name(path.name[:match.start()])
    return store if store.exists() or sibling(store, "lock").exists() else None


def is_store(path: Path) -> bool:
    return (path / STORE_MARKER).is_file()


def current_directory(path: Path) -> Path:
    """The directory holding the store now: ``path``, or the finished copy when a load without
    ``RENAME_EXCHANGE`` is (or died) between its two renames."""
    if not path.exists() and sibling(path, "replaced").exists() and is_store(sibling(path, "loading")):
        return sibling(path, "loading")
    return path


def store_generation(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the directory holding the store now: every load swaps in a new one; None if there is none."""
    try:
        held = os.stat(current_directory(path))
    except FileNotFoundError:
        return None
    return held.st_dev, held.st_ino


class StoreGeneration:
    """Which store directory ``path`` holds now, looked up at most once every ``interval`` seconds."""

    def __init__(self, path: Path, interval: float = CHECK_INTERVAL_S):
        self.path, self.interval = path, interval
        self.checked = float("-inf")
        self.value: tuple[int, int] | None = None

    def now(self) -> tuple[int, int] | None:
        return self.value if time.monotonic() - self.checked < self.interval else self.look()

    def look(self) -> tuple[int, int] | None:
        """The store directory now, whenever it was last looked up (a reader about to open the store)."""
        self.value, self.checked = store_generation(self.path), time.monotonic()
        return self.value

    def replaced(self, held: tuple[int, int] | None) -> bool:
        """Whether a load has swapped in another store than ``held`` (a moment without a store is not a change)."""
        now = self.now()
        return now is not None and held is not None and now != held


def unpin(generation: tuple[int, int]) -> None:
    """Let a load delete a store directory this process pinned and no longer reads (every store opened on it gone)."""
    descriptor = pinned.pop(generation, None)
    if descriptor is not None:
        os.close(descriptor)


def pin_for_reading(path: Path) -> str:
    """A path through which the store at ``path`` reads as it is now, whatever loads do afterwards:
    ``/proc/self/fd/N`` of the directory, held open with a shared lock for the life of the process
    (the directory's own path where there is no ``/proc``)."""
    if not PROC_FDS.is_dir():
        return str(current_directory(path))
    for _ in range(PIN_ATTEMPTS):
        directory = current_directory(path)
        try:
            descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            continue                   # swapped away between the look and the open
        fcntl.flock(descriptor, fcntl.LOCK_SH)      # waits while a load deletes this directory
        held = os.fstat(descriptor)
        try:
            now = os.stat(current_directory(path))
        except FileNotFoundError:
            now = None
        if now is not None and (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
            key = (held.st_dev, held.st_ino)
            if key in pinned:
                os.close(descriptor)
            else:
                pinned[key] = descriptor
            return str(PROC_FDS / str(pinned[key]))
        os.close(descriptor)           # a load replaced it meanwhile: take the new one
    raise StoreError(N_("the store kept changing while it was being opened; try again"), subject=str(path))


def replace_store(path: Path, fill: Callable[[ox.Store, ox.Store | None], Filled],
                  start_from_copy: Callable[[ox.Store], bool],
                  closed: Callable[[Path], None] = lambda staging: None) -> Filled:
    """Inside :func:`load_lock`: write a new store for ``path`` beside it with ``fill``, then make it the
    store in one step. If ``fill`` raises or the process dies, the store stays as it was.

    The new store starts as a copy of the previous one when ``start_from_copy(previous)`` says so (cheap,
    for a load that changes a small part of the store), otherwise empty, and ``fill(store, previous)`` gets
    the previous store to take what it keeps (``None`` when starting from a copy or when there was none).
    Neither store may outlive ``fill``: the new one is closed before the swap (a store still open would go
    on writing into the directory swapped out). ``closed(staging)`` runs once the new store is closed, before the
    swap: what it writes in the directory is swapped in with the store."""
    if path not in locked:
        raise RuntimeError(f"{path}: replace_store needs the load lock: call it inside load_lock(path)")
    staging = sibling(path, "loading")
    try:
        result = fill_and_close(path, staging, fill, start_from_copy)
        closed(staging)
    except BaseException as error:
        traceback.clear_frames(error.__traceback__)     # its frames' locals hold the stores open
        if not still_open(staging):
            shutil.rmtree(staging, ignore_errors=True)   # else the next load removes it
        raise
    old = swap_in(staging, path)
    if old is not None:
        remove_unless_read(old, path)
    return result


def fill_and_close(path: Path, staging: Path, fill: Callable[[ox.Store, ox.Store | None], Filled],
                   start_from_copy: Callable[[ox.Store], bool]) -> Filled:
    try:
        previous = ox.Store.read_only(str(path)) if is_store(path) else None   # nobody writes it: the lock is ours
    except RuntimeError as error:                                              # RocksDB: "Corruption: …"
        raise StoreError(N_("cannot open the store ({error})"), subject=str(path), error=str(error)) from None
    if previous is not None and start_from_copy(previous):
        previous = None
        copy_store_files(path, staging)
    store = ox.Store(str(staging))
    result = fill(store, previous)
    store.flush()
    del store, previous
    if still_open(staging):
        raise RuntimeError(f"{staging}: the store is still referenced after the load; it cannot be swapped in")
    return result


@contextmanager
def load_lock(path: Path) -> Iterator[None]:
    """Hold ``DIR.lock`` for the whole load, reading the inputs included; refuse at once if another load
    holds it. Then clean up after loads that were killed."""
    lock_path = sibling(path, "lock")
    try:
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise StoreError(N_("cannot create the lock file {name} ({error})"), subject=str(path), name=lock_path.name,
                         error=error.strerror) from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
            if holder:
                raise StoreError(N_("another piao-lod load is writing this store (process {process}); run this load "
                                    "again when it has finished"), subject=str(path), process=holder) from None
            raise StoreError(N_("another piao-lod load is writing this store; run this load again when it has "
                                "finished"), subject=str(path)) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, str(os.getpid()).encode("ascii"), 0)
        locked.add(path)
        try:
            finish_interrupted_swap(path)
            remove_leftovers(path)
            yield
        finally:
            locked.discard(path)
    finally:
        os.close(descriptor)


def finish_interrupted_swap(path: Path) -> None:
    """Complete the second rename of a swap without ``RENAME_EXCHANGE`` that a killed load did not do."""
    if current_directory(path) != path:
        os.rename(sibling(path, "loading"), path)


def remove_leftovers(path: Path) -> None:
    """What killed loads left: their copy, and old stores no reader holds any more."""
    remove_unless_read(sibling(path, "loading"), path)     # after a swap, the old store a reader may hold
    for old in path.parent.glob(f"{glob_escape(path.name)}.old-*"):
        remove_unless_read(old, None)
    if sibling(path, "replaced").exists():
        remove_unless_read(sibling(path, "replaced"), path)


def glob_escape(name: str) -> str:
    return "".join(f"[{char}]" if char in "*?[" else char for char in name)


def copy_store_files(source: Path, target: Path) -> None:
    """A copy of a closed store: immutable table files hard-linked, the others copied (RocksDB appends to
    its manifest and reuses its log files in place); its lock, its diagnostic logs and its kept answers (written
    again by the load, from the parts it can reuse) left out."""
    target.mkdir()
    for entry in source.iterdir():
        if entry.name in ("LOCK", ANSWERS_DIR) or entry.name.startswith("LOG"):
            continue
        if entry.is_dir():
            shutil.copytree(entry, target / entry.name)
        elif entry.suffix in IMMUTABLE_SUFFIXES:
            os.link(entry, target / entry.name)
        else:
            shutil.copyfile(entry, target / entry.name)


def still_open(directory: Path) -> bool:
    """Whether this process has a file inside ``directory`` open (where ``/proc`` can tell)."""
    if not PROC_FDS.is_dir():
        return False
    prefix = f"{directory}{os.sep}"
    for entry in PROC_FDS.iterdir():
        try:
            if os.readlink(entry).startswith(prefix):
                return True
        except OSError:
            continue
    return False


def swap_in(staging: Path, path: Path) -> Path | None:
    """Make ``staging`` the store at ``path`` in one step; return where the old store went."""
    if not path.exists() or (path.is_dir() and not any(path.iterdir())):
        os.replace(staging, path)        # nothing to keep: a plain rename is atomic
        old = None
    elif exchange(staging, path):
        old = staging
    else:
        os.rename(path, sibling(path, "replaced"))
        os.rename(staging, path)
        old = sibling(path, "replaced")
    sync_directory(path.parent)
    return old


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where the system or file system cannot."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_unless_read(old: Path, store: Path | None) -> None:
    """Delete an old store, or leave it as ``DIR.old-N`` while a reader still has it pinned."""
    try:
        descriptor = os.open(old, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if store is not None:
                os.rename(old, sibling(store, f"old-{time.time_ns()}"))
            return
        shutil.rmtree(old, ignore_errors=True)
    finally:
        os.close(descriptor)
