"""The blocks a markup parser finds, as character spans of the original text, and line helpers.

Parsers read line numbers (markdown-it-py) or source text (docutils) and map them back to exact
offsets here; any line ending (LF, CRLF, CR) counts as one line break.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from retrieval.types import Span

__all__ = ["Block", "BlockKind", "Lines", "trimmed"]

BlockKind = Literal["heading", "paragraph", "item", "code", "row", "quote"]
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class Block:
    """A heading, paragraph, list item, code block, table row or quotation paragraph.

    ``table`` numbers the table a row belongs to (-1 otherwise) and ``is_header`` marks its
    header row; paragraphs, items and quotes are split into sentences later.
    """

    kind: BlockKind
    start: int
    end: int
    table: int = -1
    is_header: bool = False


def trimmed(text: str, start: int, end: int) -> Span | None:
    """``[start, end)`` without surrounding whitespace, or None when nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if start < end else None


class Lines:
    """Line starts and ends of a text, for turning line numbers into character offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        self.ends: list[int] = []
        for match in _LINE_BREAK.finditer(text):
            self.ends.append(match.start())
            self.starts.append(match.end())
        self.ends.append(len(text))

    def __len__(self) -> int:
        return len(self.starts)

    def span(self, first: int, last: int) -> Span | None:
        """Lines ``first`` to ``last - 1`` (0-based), trimmed."""
        last = min(last, len(self))
        if first >= last:
            return None
        return trimmed(self.text, self.starts[first], self.ends[last - 1])

    def find(self, needle: str, first: int, last: int) -> Span | None:
        """``needle`` (one line of source, stripped) inside lines ``first`` to ``last - 1``."""
        last = min(last, len(self))
        if first >= last or not needle:
            return None
        at = self.text.find(needle, self.starts[first], self.ends[last - 1])
        return None if at < 0 else Span(at, at + len(needle))
