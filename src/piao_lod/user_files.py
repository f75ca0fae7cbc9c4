"""Small files a user names beside the tables (a layout profile, a ``.rq`` query, a publisher's template): read
whole, so each must be a regular file of a bounded size. A device or a pipe given as one (``--profile /dev/zero``)
would otherwise be read for ever, or block the command waiting for a writer."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from piao_lod.messages import N_
from piao_lod.problems import Amount, Phrase

MAX_USER_FILE_BYTES = 4 * 1024 * 1024        # a profile or a query is a few KB; a template a few tens


class UnreadableUserFile(OSError):
    """Why a user's file is refused, as a catalogue phrase (its ``strerror``: the Italian text)."""

    def __init__(self, reason: Phrase):
        super().__init__(None, reason.render("it"))
        self.reason = reason


def read_user_file(path: Path, limit: int = MAX_USER_FILE_BYTES) -> bytes:
    """The bytes of ``path``; :class:`UnreadableUserFile` (an ``OSError``) for a device, a pipe, a folder or a
    file larger than ``limit``. Opened without blocking, so a pipe nobody writes is refused, not waited for."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        found = os.fstat(descriptor)
        if not stat.S_ISREG(found.st_mode):
            raise UnreadableUserFile(Phrase(N_("not a regular file (a folder, a pipe or a device)")))
        if found.st_size > limit:
            raise too_large(found.st_size, limit)
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(descriptor)
    if len(data) > limit:         # it grew since fstat
        raise too_large(len(data), limit)
    return data


def too_large(size: int, limit: int) -> UnreadableUserFile:
    return UnreadableUserFile(Phrase(N_("{size} bytes; at most {limit} are read"),
                                     (("size", Amount(size)), ("limit", Amount(limit)))))


def read_user_text(path: Path, limit: int = MAX_USER_FILE_BYTES) -> str:
    """:func:`read_user_file` decoded as UTF-8 (``UnicodeDecodeError`` if it is not)."""
    return read_user_file(path, limit).decode("utf-8")


def reason_of(error: OSError | UnicodeDecodeError) -> Phrase | str:
    """What a message says of a failed read: the phrase of a refusal, else the system's reason."""
    if isinstance(error, UnreadableUserFile):
        return error.reason
    return getattr(error, "strerror", None) or str(error)
