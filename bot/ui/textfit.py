"""Cutting text to a length without breaking what it renders as: characters, escapes, bold."""

from __future__ import annotations

import unicodedata

__all__ = ["ELLIPSIS", "trim"]

ELLIPSIS = "…"
# Marks, format characters (joiners, tags) and modifiers that attach to the character before.
_JOINED = frozenset({"Mn", "Mc", "Me", "Cf", "Sk"})
_SENTENCE_ENDS = (". ", "! ", "? ", ".\n", "!\n", "?\n", "\n\n")


def trim(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in an ellipsis if it was cut.

    The cut falls at a sentence end or else a word boundary when one is near, never
    inside a character sequence, a Markdown escape or a ``**bold**`` pair.
    """
    if len(text) <= limit:
        return text
    cut = _boundary(text, max(limit - len(ELLIPSIS), 0))
    while (moved := _outside_markup(text, len(text[:cut].rstrip()))) != cut:
        cut = moved  # dropping trailing spaces can expose an escape or a bold marker
    return text[:cut] + ELLIPSIS


def _boundary(text: str, budget: int) -> int:
    window = text[: budget + 1]
    sentence = max(window.rfind(end) + 1 for end in _SENTENCE_ENDS)
    if sentence >= budget // 2:
        return sentence
    space = max(window.rfind(" "), window.rfind("\n"))
    if space >= budget // 3:
        return space
    cut = budget
    # Combining marks, joiners and variation selectors belong to the character before them.
    while cut > 0 and (unicodedata.category(text[cut]) in _JOINED or text[cut - 1] == "\u200d"):
        cut -= 1
    return cut


def _outside_markup(text: str, cut: int) -> int:
    """Move ``cut`` back so it splits no ``\\x`` escape and leaves no ``**`` open."""
    i, bold_at = 0, -1
    while i < cut:
        if text[i] == "\\":
            if i + 1 >= cut:
                return i if bold_at < 0 else bold_at
            i += 2
        elif text.startswith("**", i):
            if i + 1 >= cut:
                return i if bold_at < 0 else bold_at
            bold_at = i if bold_at < 0 else -1
            i += 2
        else:
            i += 1
    return cut if bold_at < 0 else bold_at
