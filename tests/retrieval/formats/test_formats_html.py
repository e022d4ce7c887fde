"""HTML reader: the article only (no navigation, sidebars, newsletter, footer, scripts, styles)."""

from __future__ import annotations

import pytest
from format_samples import ARTICLE, BOILERPLATE, article_html, navigation_only_html, refusal

from retrieval.documents.formats import READERS, ExtractionError, html

read_html = READERS[".html"]


def test_the_article_is_kept_and_no_boilerplate_is() -> None:
    extracted = read_html(article_html())
    assert all(sentence in extracted.text for sentence in ARTICLE)
    assert [junk for junk in BOILERPLATE if junk.casefold() in extracted.text.casefold()] == []
    assert "newsletter" not in extracted.text.casefold()
    assert "Most popular" not in extracted.text


def test_headings_and_lists_come_out_as_markdown() -> None:
    extracted = read_html(article_html())
    assert extracted.markup == "markdown"
    assert extracted.text.startswith("# How tides work\n\n")
    assert "\n## Spring and neap tides\n" in extracted.text
    assert "- Spring tides follow new and full moons.\n- Neap tides" in extracted.text


@pytest.mark.parametrize("h1", ["How tides work", None], ids=["h1", "title element"])
def test_the_title_is_the_articles_without_the_site_name(h1: str | None) -> None:
    assert read_html(article_html(h1)).title == "How tides work"


def test_htm_is_read_the_same_way() -> None:
    assert READERS[".htm"](article_html()) == read_html(article_html())


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (navigation_only_html(), "the page has no main content"),
        (b"", "the page has no main content"),
        (b"<script>" + b"alert('x');" * 1000 + b"</script>", "the page has no main content"),
        (b"\xff\xfe\x00\x00" * 500, "the page has no main content"),
    ],
    ids=["navigation only", "empty", "only a script", "binary"],
)
def test_a_page_without_an_article_is_refused_in_one_line(data: bytes, reason: str) -> None:
    assert refusal(read_html, data).startswith(reason)


def test_nesting_past_the_parsers_depth_bound_is_refused_not_a_hang() -> None:
    deep = b"<div>" * 100_000 + b"<p>" + ARTICLE[0].encode() + b"</p>" + b"</div>" * 100_000
    with pytest.raises(ExtractionError, match="the page has no main content"):
        read_html(deep)  # the parser stops descending at its depth limit


def test_a_page_over_the_size_bound_is_refused_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html, "MAX_HTML_BYTES", 1000)
    size = len(article_html()) / 1_000_000
    with pytest.raises(ExtractionError, match=rf"the page is {size:.1f} MB; the limit is 0\.0 MB"):
        read_html(article_html())
