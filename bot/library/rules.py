"""The rules an uploaded document must pass: its name, type, size, encoding and contents.

Text files (.txt, .md, .markdown, .rst) must be UTF-8; PDF, DOCX and HTML files must pass their
reader in :mod:`retrieval.documents.formats` (not encrypted, not damaged, a text layer, no zip bomb,
a main content). Every refusal is an :class:`UploadRefusedError` whose message is one line for the
moderator.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from retrieval import Document, read_document
from retrieval.documents.formats import READERS, ExtractionError

__all__ = [
    "MAX_NAME",
    "MAX_TITLE",
    "SUFFIXES",
    "DocumentLimitError",
    "LibraryError",
    "UnknownDocumentError",
    "UploadRefusedError",
    "check_size",
    "clean_name",
    "clean_title",
    "decode_upload",
    "read_upload",
]


TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".rst")
SUFFIXES = (*TEXT_SUFFIXES, *sorted(READERS))
KINDS = ", ".join(SUFFIXES[:-1]) + f" or {SUFFIXES[-1]}"
MAX_NAME = 100
MAX_TITLE = 200
RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{port}{n}" for port in ("com", "lpt") for n in range(10)}
)
_UNSAFE = re.compile(r"[^\w.()-]+")  # \w is Unicode-aware: letters and digits of any script
# Controls, format characters (a right-to-left override, zero-width spaces), private use,
# unassigned, line and paragraph separators: nothing a file name needs, all good for spoofing.
_INVISIBLE = frozenset({"Cc", "Cf", "Co", "Cn", "Zl", "Zp"})
_CJK = frozenset({"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO"})


class LibraryError(Exception):
    """A document operation refused; the message is one line for the moderator."""


class UploadRefusedError(LibraryError):
    """The upload breaks a rule: name, type, size, encoding or duplicate content."""


class DocumentLimitError(UploadRefusedError):
    """The guild already holds as many documents as allowed."""


class UnknownDocumentError(LibraryError):
    """No uploaded document by that name in this guild."""


def clean_name(raw: str, seed_names: Iterable[str] = ()) -> str:
    """A safe file name for ``raw``, or :class:`UploadRefusedError` saying why there is none."""
    # NFKC folds compatibility forms ("／", full-width letters, ligatures) into what they look
    # like, so a full-width slash is a slash and "ｎｏｔｅｓ.ｔｘｔ" is simply notes.txt.
    name = unicodedata.normalize("NFKC", raw).strip()
    if "/" in name or "\\" in name or name in ("", ".", ".."):
        raise UploadRefusedError(f"{raw!r} is a path; upload a plain file name")
    if name.startswith("."):
        raise UploadRefusedError(f"{raw!r} is a hidden file name; rename it without the dot")
    if any(unicodedata.category(char) in _INVISIBLE for char in name):
        raise UploadRefusedError(f"{raw!r} has invisible or control characters; rename the file")
    name = _UNSAFE.sub("_", name).strip("._ ") or "_"
    stem, dot, suffix = name.rpartition(".")
    if not dot or f".{suffix.lower()}" not in SUFFIXES:
        raise UploadRefusedError(f"{raw!r} is not a {KINDS} file")
    if len(scripts := _scripts(stem)) > 1:
        raise UploadRefusedError(
            f"{raw!r} mixes alphabets ({' and '.join(scripts)}), so it could pass for another "
            "name; rename it in one alphabet"
        )
    if stem.split(".")[0].casefold() in RESERVED:
        raise UploadRefusedError(f"{raw!r} is a reserved device name; rename the file")
    if len(name) > MAX_NAME:
        raise UploadRefusedError(f"the file name is longer than {MAX_NAME} characters")
    if name.casefold() in {seed.casefold() for seed in seed_names}:
        raise UploadRefusedError(f"{name!r} is the name of a built-in document; rename the file")
    return name


def _scripts(text: str) -> list[str]:
    """The alphabets of ``text``'s letters (Unicode name prefixes: LATIN, CYRILLIC, ...),
    leaving out the Chinese, Japanese and Korean ones, which are written mixed with Latin."""
    found = {unicodedata.name(char, "?").split()[0] for char in text if char.isalpha()}
    return sorted(script.title() for script in found - _CJK)


def check_size(size: int, max_bytes: int) -> None:
    """Refuse a file over the cap (also before downloading it, from its declared size)."""
    if size > max_bytes:
        raise UploadRefusedError(f"the file is {_size(size)}; the limit is {_size(max_bytes)}")


def decode_upload(data: bytes, max_bytes: int) -> str:
    """The upload as text, or :class:`UploadRefusedError` if it is too big, binary or empty."""
    check_size(len(data), max_bytes)
    if b"\x00" in data:
        raise UploadRefusedError("the file is binary (it contains NUL bytes); upload UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UploadRefusedError(f"the file is not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise UploadRefusedError("the file is empty")
    return text


def read_upload(name: str, data: bytes, max_bytes: int) -> Document:
    """The document an upload named ``name`` (already cleaned) is indexed as, built as the corpus
    loader builds a file (:func:`retrieval.read_document`: pages, title, markup), or
    :class:`UploadRefusedError` with the reason: too big, not UTF-8 text, or refused by the
    format's reader (encrypted, damaged, scanned, a zip bomb, no main content)."""
    check_size(len(data), max_bytes)
    if _suffix(name) in TEXT_SUFFIXES:
        decode_upload(data, max_bytes)  # binary and empty text are refused before parsing
    try:
        return read_document(name, data)
    except ExtractionError as error:
        raise UploadRefusedError(str(error)) from None


def _suffix(name: str) -> str:
    return "." + name.rpartition(".")[2].lower()


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n / 1000:.1f} kB"


def clean_title(title: str | None) -> str | None:
    """``title`` as one line of at most :data:`MAX_TITLE` characters (a byte-order mark left
    out), or None when nothing is left."""
    text = " ".join((title or "").lstrip("\ufeff").split())[:MAX_TITLE]
    return text or None
