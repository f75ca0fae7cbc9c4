"""Text shown to a person at a terminal: the messages, reports and tables of the CLI."""

from __future__ import annotations

import re

TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def for_terminal(text: str) -> str:
    """``text`` with the control characters it took from the data shown as ``\\x1b``: an escape sequence in a
    cell or a file name must not repaint the screen, set the window title or hide a line (tabs and line breaks
    stay)."""
    return TERMINAL_CONTROLS.sub(lambda found: f"\\x{ord(found[0]):02x}", text)
