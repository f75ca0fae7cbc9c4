"""The cache that lets a run skip the plans whose source did not change.

A plan read from a table (and the triples it becomes) and the validation results of an
ente's graphs are stored under a key that is a digest of everything they depend on: the
source's bytes and path, the reading options (with the layout profile's bytes), the IRI base,
and the *toolkit digest* (piao-lod's code, ontology, shapes and vocabularies). Change any of
them and the key changes, so a stale entry is never found; it is simply never read again.

Entries are pickles, written atomically (a killed run leaves no half entry) into a folder only
the user can read: a cache folder must never be shared with someone you would not let run code
as you. The default folder is ``$XDG_CACHE_HOME/piao-lod`` (else ``~/.cache/piao-lod``).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import lru_cache
from pathlib import Path

from piao_lod import __version__
from piao_lod.resources import packaged

PACKAGE_ROOT = Path(__file__).resolve().parent
DATA_FOLDERS = ("site", "ontology", "shapes", "queries", "vocabularies", "locales")


@lru_cache(maxsize=4)
def toolkit_digest(templates: Path | None = None) -> str:
    """A digest of everything besides the data that shapes an output: piao-lod's code, templates, vocabularies and
    message catalogues, and the publisher's own templates (``templates``) when a site is built with them."""
    digest = hashlib.sha256(__version__.encode())
    roots = [PACKAGE_ROOT] + [Path(str(packaged(folder))) for folder in DATA_FOLDERS] + ([templates] if templates else [])
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def default_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "piao-lod"


def digest_of(*parts: str | bytes) -> str:
    """One key from several parts, each length-prefixed so that no two lists of parts give the same key."""
    digest = hashlib.sha256(toolkit_digest().encode())
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part   # a path may be no UTF-8
        digest.update(f"{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


class WorkCache:
    """Values by key in ``folder/<kind>/<key[:2]>/<key>``; a damaged or unreadable entry counts as missing."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def get(self, kind: str, key: str):
        try:
            with (self.folder / kind / key[:2] / key).open("rb") as handle:
                return pickle.load(handle)
        except FileNotFoundError:
            return None
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return None

    def put(self, kind: str, key: str, value) -> None:
        """Store ``value``; a cache that cannot be written (full disk, read-only folder) only costs the reuse."""
        target = self.folder / kind / key[:2] / key
        partial = target.with_name(f".{key}.partial-{os.getpid()}")
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with partial.open("wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            partial.replace(target)
        except OSError:
            partial.unlink(missing_ok=True)
