"""What a killed run leaves beside its output: a site's staging folder (``.site.building-HOST-PID``) or a
file being written (``.plan.nq.partial-HOST-PID``). Each is named after the machine and the process writing it, so
the next run removes those of processes that are gone, and leaves alone those still running or of another machine
(a folder shared between machines)."""

from __future__ import annotations

import glob
import os
import re
import shutil
import socket
import sys
from pathlib import Path


def owner_tag() -> str:
    """This machine and process, as the end of a leftover's name."""
    host = re.sub(r"[^A-Za-z0-9-]+", "-", socket.gethostname()) or "host"
    return f"{host}-{os.getpid()}"


def remove_abandoned(folder: Path, prefix: str) -> None:
    """Remove the entries of ``folder`` named ``prefix`` + an owner tag whose process, on this machine, is gone."""
    if sys.platform == "win32":        # os.kill(pid, 0) would end the process there
        return
    host = owner_tag().rsplit("-", 1)[0]
    for entry in folder.glob(f"{glob.escape(prefix)}*"):
        owner_host, _, pid = entry.name[len(prefix):].rpartition("-")
        if owner_host == host and pid.isdigit() and int(pid) != os.getpid() and not process_alive(int(pid)):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
