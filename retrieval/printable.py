"""Document text made safe to print on a terminal.

A document may hold control characters: an escape sequence (ESC ``[31m``, or the one-byte CSI
U+009B) printed as it is would recolour, move the cursor or retitle the user's terminal, and BEL
rings it. :func:`printable` shows each such character as U+FFFD; line breaks and tabs stay.
"""

from __future__ import annotations

import re

__all__ = ["printable"]

# C0 controls but tab, line feed and carriage return (a CRLF file's line ends); DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with every control character but tab, line feed and carriage return replaced
    by U+FFFD (same length, so offsets into it still hold)."""
    return _CONTROL.sub("\ufffd", text)
