"""DOCX reader: python-docx, after the archive has been checked against a zip bomb.

The body comes out as Markdown in document order: Word headings as ``#`` headings, list
paragraphs as ``-`` or ``1.`` items, tables as pipe tables, paragraphs separated by blank lines.
Page headers, footers and comments are left out (they are boilerplate to a reader).
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile

import docx
from docx.document import Document as WordDocument
from docx.table import Table
from docx.text.paragraph import Paragraph

from retrieval.documents.formats import ExtractedText, ExtractionError
from retrieval.documents.formats.cleanup import clean_text, one_line
from retrieval.documents.formats.failures import damaged, too_big

__all__ = ["MAX_BLOCKS", "MAX_MEMBERS", "MAX_UNPACKED", "check_archive", "read_docx"]

MAX_UNPACKED = 50_000_000  # bytes, all parts together, declared or actually inflated
MAX_MEMBERS = 2000
MAX_BLOCKS = 100_000  # paragraphs and table cells; a 300-page thesis has about 10,000
_CHUNK = 1 << 16
_LIST = re.compile(r"(- |1\. )")


def read_docx(data: bytes) -> ExtractedText:
    """The document's body as Markdown, titled by its core title or first Heading 1 / Title.

    Raises :class:`ExtractionError` (one line) for a file that is not a zip archive, whose parts
    unpack beyond :data:`MAX_UNPACKED`, that is damaged, or that has no text.
    """
    check_archive(data)
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = _blocks(document)
        title = one_line(document.core_properties.title) or _heading_title(blocks)
    except ExtractionError:
        raise
    except Exception as exc:  # python-docx and lxml raise many kinds on damaged parts
        raise damaged("DOCX", exc) from None
    text = clean_text(_join([block for block in blocks if block.strip()]))
    if not text:
        raise ExtractionError("the DOCX has no text")
    return ExtractedText(text=text, title=title, markup="markdown")


def check_archive(data: bytes) -> None:
    """Refuse a zip whose parts would unpack beyond the bound, by declared and by actual size.

    The declared sizes in the central directory can lie, so every part is also inflated, in
    chunks, counting bytes and stopping as soon as a part outgrows its declared size or the
    total outgrows :data:`MAX_UNPACKED`.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise ExtractionError(f"the DOCX has {len(members):,} parts; the limit is 2,000")
            declared = sum(member.file_size for member in members)
            if declared > MAX_UNPACKED:
                raise too_big("the DOCX unpacks to", declared, MAX_UNPACKED)
            total = 0
            for member in members:
                total += _inflate(archive, member, MAX_UNPACKED - total)
    except ExtractionError:
        raise
    # ValueError: an unsupported compression method; RuntimeError: an encrypted part.
    except (zipfile.BadZipFile, ValueError, RuntimeError, OSError, EOFError) as exc:
        raise damaged("DOCX", exc) from None


def _inflate(archive: zipfile.ZipFile, member: zipfile.ZipInfo, room: int) -> int:
    """Bytes ``member`` really inflates to; :class:`ExtractionError` past its size or ``room``."""
    size = 0
    with archive.open(member) as part:
        while chunk := part.read(_CHUNK):
            size += len(chunk)
            if size > member.file_size or size > room:
                raise ExtractionError(
                    f"the DOCX part {member.filename[:60]!r} unpacks beyond its declared size "
                    "or the limit (a zip bomb?)"
                )
    return size


def _join(blocks: list[str]) -> str:
    """Blocks separated by blank lines, but consecutive list items by one line break."""
    parts = blocks[:1]
    for before, block in itertools.pairwise(blocks):
        parts.append("\n" if _LIST.match(before) and _LIST.match(block) else "\n\n")
        parts.append(block)
    return "".join(parts)


def _blocks(document: WordDocument) -> list[str]:
    """The body's paragraphs and tables as Markdown blocks; refuses past :data:`MAX_BLOCKS`
    paragraphs and table cells (python-docx costs about 80 µs a paragraph, measured)."""
    styles = _style_names(document)
    blocks: list[str] = []
    count = 0
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            count += 1
            blocks.append(_paragraph(item, styles))
        else:
            count += sum(len(row._tr.tc_lst) for row in item.rows)
            blocks.append(_table(item) if count <= MAX_BLOCKS else "")
        if count > MAX_BLOCKS:
            raise ExtractionError(
                f"the DOCX has more than {MAX_BLOCKS:,} paragraphs and table cells"
            )
    return blocks


def _paragraph(paragraph: Paragraph, styles: dict[str, str]) -> str:
    text = paragraph.text.strip()
    style = _style(paragraph, styles)
    if not text:
        return ""
    if style == "Title":
        return f"# {text}"
    if style.startswith("Heading ") and style[8:].isdigit():
        return f"{'#' * min(int(style[8:]), 6)} {text}"
    if style.startswith("List Number"):
        return f"1. {text}"
    if style.startswith(("List Bullet", "List Paragraph")):
        return f"- {text}"
    return text


def _style_names(document: WordDocument) -> dict[str, str]:
    """Style id -> name, read once: ``Paragraph.style`` looks the default style up again for
    every paragraph (2.4 ms each, measured), which made a long document take minutes."""
    return {style.style_id: style.name or "" for style in document.styles}


def _style(paragraph: Paragraph, styles: dict[str, str]) -> str:
    style_id = paragraph._p.style  # the paragraph's w:pStyle, None for the default style
    return styles.get(style_id, "") if style_id else ""


def _table(table: Table) -> str:
    rows = [[_cell(cell.text) for cell in row.cells] for row in table.rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        return ""
    lines = [_row(rows[0]), _row(["---"] * len(rows[0])), *map(_row, rows[1:])]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _heading_title(blocks: list[str]) -> str | None:
    """The first Title or Heading 1 paragraph (both come out as ``# ...``)."""
    return next((one_line(block[2:]) for block in blocks if block.startswith("# ")), None)
