"""HTML reader: trafilatura's main-content extraction, as Markdown.

trafilatura keeps the article and drops navigation, sidebars ("most popular" boxes), cookie
banners, newsletter boxes, comments and footers; scripts and styles never reach the text. Its
Markdown keeps headings, lists and tables; links, images and inline emphasis are left out so the
text reads clean. The title is the article's ``<h1>`` or the ``<title>`` without the site's name,
as trafilatura's metadata finds it.
"""

from __future__ import annotations

import trafilatura
from lxml.etree import _Element, strip_tags
from trafilatura.settings import Document
from trafilatura.xml import xmltotxt

from retrieval.documents.formats import ExtractedText, ExtractionError
from retrieval.documents.formats.cleanup import clean_text, one_line
from retrieval.documents.formats.failures import damaged, too_big

__all__ = ["MAX_HTML_BYTES", "MIN_WORDS", "read_html"]

MAX_HTML_BYTES = 5_000_000  # about 18 s of indexing on 2 cores; saved articles are far smaller
MIN_WORDS = 5  # fewer words than this is a lone link or label, not an article


def read_html(data: bytes) -> ExtractedText:
    """The page's main content as Markdown, titled by the article.

    Raises :class:`ExtractionError` (one line) for a page over :data:`MAX_HTML_BYTES`, one that
    cannot be parsed, and one with no main content (only navigation or boilerplate).
    """
    if len(data) > MAX_HTML_BYTES:
        raise too_big("the page is", len(data), MAX_HTML_BYTES)
    try:
        document = trafilatura.bare_extraction(
            data,
            with_metadata=True,
            favor_precision=True,  # boilerplate out, even at the cost of a marginal paragraph
            include_formatting=True,  # headings as "#"; inline emphasis is stripped below
            include_tables=True,
            include_comments=False,
            include_images=False,
            include_links=False,
            deduplicate=False,
        )
        found = document if isinstance(document, Document) else None
        text = clean_text(_markdown(found.body)) if found is not None else ""
    except Exception as exc:  # lxml and trafilatura raise many kinds on hostile markup
        raise damaged("HTML page", exc) from None
    if found is None or len(text.split()) < MIN_WORDS:
        raise ExtractionError("the page has no main content (only navigation or boilerplate)")
    return ExtractedText(text=text, title=one_line(found.title), markup="markdown")


def _markdown(body: _Element | None) -> str:
    """Markdown of trafilatura's content tree, without bold/italic/underline markers."""
    if body is None:
        return ""
    strip_tags(body, "hi")  # inline emphasis: the words stay, the asterisks go
    return xmltotxt(body, include_formatting=True)
