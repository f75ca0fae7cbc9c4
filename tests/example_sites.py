"""The bundled example built into a site once per test run, for the modules that only read it.

A build of the example costs tens of seconds; pytest-xdist runs a module's tests on several workers,
each of which would build its own copy. The workers share one build through a locked folder beside
their temporary folders instead. A test that changes a site builds its own.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

CONTACT = "dati@example.org"      # a reserved domain (RFC 2606): a build with SOURCE must name its contact
WITH_SEARCH = ("--contact-email", CONTACT)
WITHOUT_SEARCH = ("--no-search",)


def shared_example_site(tmp_path_factory, name: str, options: tuple[str, ...]) -> Path:
    """``piao-lod build -o … OPTIONS`` of the example, once per run and ``name``."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / name
    shared.mkdir(exist_ok=True)
    out = shared / "_site"
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "built").exists():
            shutil.rmtree(out, ignore_errors=True)
            result = subprocess.run([sys.executable, "-m", "piao_lod", "build", "-o", str(out), *options],
                                    capture_output=True, text=True, timeout=600)
            # exit 1: the example has a genuine violation (a yes/no indicator with target 100), reported, not fatal
            assert result.returncode == 1 and "Traceback" not in result.stderr, \
                f"piao-lod build gave {result.returncode}:\n{result.stderr[-3000:]}"
            (shared / "built").touch()
    return out
