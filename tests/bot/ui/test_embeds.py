"""Rendering stays within Discord's limits and pings nobody, whatever the text."""

from __future__ import annotations

import re
from pathlib import Path

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ui.discord_markdown import escape_markdown
from bot.ui.embeds import (
    ELLIPSIS,
    MAX_CONTENT,
    MAX_DESCRIPTION,
    MAX_FIELD_NAME,
    MAX_FIELD_VALUE,
    MAX_FOOTER,
    MAX_TITLE,
    MAX_TOTAL,
    PAGE_SIZE,
    answer_embed,
    content,
    document_embed,
    documents_embed,
    page_count,
    passage_embed,
    trim,
)
from bot.ui.terminal import answer_text
from retrieval import (
    Chunk,
    Citation,
    Document,
    EngineOptions,
    Excerpt,
    Hit,
    SearchEngine,
    SearchResult,
    Span,
    parse_document,
)
from retrieval.cli import format_result

PINGS = re.compile(r"@(everyone|here)|<@[!&]?\d{17,20}>")
HOSTILE = ["@everyone", "@here", "<@123>", "<@123456789012345678>", "<@&123456789012345678>",
           "**", "\\", "`", "||", "> ", "# ", "*", "_", "~~", "é", "👩‍👩‍👧", "e\u0301"]  # fmt: skip
texts = st.lists(st.one_of(st.text(max_size=40), st.sampled_from(HOSTILE)), max_size=80).map(
    "".join
)
huge = st.integers(0, 9000).map(lambda n: ("word " * n)[: n * 3])


def unescaped_bold_pairs(text: str) -> int:
    i, count = 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text.startswith("**", i):
            count, i = count + 1, i + 2
        else:
            i += 1
    return count


def ends_with_lone_backslash(text: str) -> bool:
    return (len(text) - len(text.rstrip("\\"))) % 2 == 1


def make_hit(rank: int, title: str, excerpt: str) -> Hit:
    chunk = Chunk(rank, f"doc{rank}.txt", 0, len(excerpt), 10, excerpt)
    return Hit(
        rank, 1.0 / rank, chunk, Excerpt(0, len(excerpt), excerpt),
        Citation(f"doc{rank}.txt", title, rank, 0, len(excerpt), "Source @everyone", "2012"),
    )  # fmt: skip


def embed_texts(embed: discord.Embed) -> list[str]:
    parts = [embed.title or "", embed.description or "", embed.footer.text or ""]
    return parts + [f.name or "" for f in embed.fields] + [f.value or "" for f in embed.fields]


def assert_within_limits(embed: discord.Embed) -> None:
    assert len(embed.title or "") <= MAX_TITLE
    assert len(embed.description or "") <= MAX_DESCRIPTION
    assert len(embed.footer.text or "") <= MAX_FOOTER
    assert all(len(f.name or "") <= MAX_FIELD_NAME for f in embed.fields)
    assert all(len(f.value or "") <= MAX_FIELD_VALUE for f in embed.fields)
    assert len(embed) <= MAX_TOTAL


@given(text=texts, limit=st.integers(1, 300))
def test_trim_respects_limit_and_markup(text: str, limit: int) -> None:
    out = trim(text, limit)
    assert len(out) <= limit
    if len(text) <= limit:
        assert out == text
        return
    assert out.endswith(ELLIPSIS)
    kept = out[: -len(ELLIPSIS)]
    assert text.startswith(kept)
    assert unescaped_bold_pairs(kept) % 2 == 0
    assert not ends_with_lone_backslash(kept)


def test_trim_prefers_sentence_then_word_boundaries() -> None:
    text = "First sentence is here. Second sentence goes on and on and on."
    assert trim(text, 40) == "First sentence is here.…"
    assert trim("alpha beta gamma delta epsilon", 20) == "alpha beta gamma…"
    assert trim("Hello **bold words here** and more", 20) == "Hello…"
    assert trim("x" * 50, 10) == "x" * 9 + ELLIPSIS
    assert trim("ab\\ **cd ef gh**", 10) == "ab…"  # no lone backslash left before the ellipsis


def test_trim_never_splits_a_character_sequence() -> None:
    family = "👩‍👩‍👧"
    out = trim("a" * 8 + family * 3, 10)
    assert out.rstrip(ELLIPSIS).endswith(("a", family)), out
    assert trim("abcdefghie\u0301xyz", 11).endswith("ghi" + ELLIPSIS)


@settings(max_examples=60, deadline=None)
@given(question=texts, title=texts, body=st.one_of(texts, huge), n=st.integers(0, 10))
def test_answer_embed_limits_and_no_pings(question: str, title: str, body: str, n: int) -> None:
    hits = tuple(make_hit(i, title, body) for i in range(1, n + 1))
    result = SearchResult(question or "?", hits, answered=n % 2 == 0)
    for page in range(1, page_count(n) + 1):
        embed = answer_embed(result, page)
        assert_within_limits(embed)
        assert len(embed.fields) == len(hits[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
        assert not any(PINGS.search(text) for text in embed_texts(embed))
        for hit in hits[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
            assert passage_embed(hit).description is not None
            assert_within_limits(passage_embed(hit))


@given(text=st.one_of(texts, huge))
def test_content_is_bounded_and_inert(text: str) -> None:
    out = content(text)
    assert len(out) <= MAX_CONTENT
    assert not PINGS.search(out)


def test_answer_embed_numbers_citations_and_names_documents(engine: SearchEngine) -> None:
    result = engine.search("How many North Koreans have mobile phones?", 5)
    embed = answer_embed(result)
    first = result.hits[0]
    assert embed.fields[0].name == f"[1] {escape_markdown(first.citation.title)}" \
        f" — ¶{first.citation.paragraph}"  # fmt: skip
    assert "**" in (embed.fields[0].value or "")  # query terms highlighted
    assert first.citation.title in (embed.footer.text or "")
    assert "page 1 of 2" in (embed.footer.text or "")
    assert embed.title == "How many North Koreans have mobile phones?"


def test_abstention_says_so_and_shows_closest_passages() -> None:
    hits = (make_hit(1, "A title", "Some text."),)
    abstained = answer_embed(SearchResult("Who won in 1850?", hits, answered=False))
    assert "don't answer" in (abstained.description or "")
    assert "closest passages" in (abstained.description or "")
    assert len(abstained.fields) == 1
    nothing = answer_embed(SearchResult("zzzz", (), answered=False))
    assert "don't answer" in (nothing.description or "")
    assert "Nothing in them matches" in (nothing.description or "")
    assert not nothing.fields
    text = answer_text(SearchResult("Who won in 1850?", hits, answered=False))
    assert text.startswith("The documents don't answer this question. These are the closest")
    assert "[1] A title — ¶1" in text


def test_console_text_cites_every_hit(engine: SearchEngine) -> None:
    result = engine.search("Who founded Nosotek?", 3)
    text = answer_text(result)
    for hit in result.hits:
        assert f"[{hit.rank}] {hit.citation.title} — ¶{hit.citation.paragraph}" in text
    assert "**" not in text
    assert text.splitlines()[-1].startswith("Documents: ")


def test_document_embeds(engine: SearchEngine) -> None:
    counts = engine.chunk_counts()
    listing = documents_embed(engine.documents, counts)
    assert_within_limits(listing)
    assert f"({len(engine.documents)})" in (listing.title or "")
    doc = engine.documents[0]
    detail = document_embed(doc, counts[doc.doc_id])
    assert {f.name for f in detail.fields} >= {"File", "Passages", "Characters"}
    many = [Document(f"{i}.txt", "T" * 200, "text", (Span(0, 4),), source=None) for i in range(100)]
    crowded = documents_embed(many, {})
    assert_within_limits(crowded)
    assert (crowded.description or "").endswith("more")


WARDENS = """# Building safety

Each room has a fire warden who checks the exits every month.

| Room | Fire warden |
| --- | --- |
| A101 | Mr. Jonas Keller |
| B214 | Dr. Amelia Hartwell |

The wardens meet every spring to review the evacuation plan.
"""


def test_console_text_shows_table_rows_on_their_own_lines_as_the_terminal_does(
    tmp_path: Path,
) -> None:
    (tmp_path / "wardens.md").write_text(WARDENS)
    result = SearchEngine.from_directory(tmp_path).search("Who is the fire warden of B214?", 1)
    assert len(result.hits) == 1
    text = answer_text(result)
    assert "    | Room | Fire warden |\n    | --- | --- |\n" in text
    assert "\n    | B214 | Dr. Amelia Hartwell |\n" in text
    terminal = format_result(result).splitlines()[1:]  # the excerpt's lines, after the citation
    assert text.splitlines()[1:-1] == terminal


def test_terminals_never_receive_a_documents_control_characters() -> None:
    text = "Alert \x1b[31mred\x1b[0m and a bell\x07, then \x9b2J."
    doc = parse_document("a.md", f"# Esc\x1bape\n\n{text}\n")
    engine = SearchEngine.build([doc], EngineOptions(semantic=False))
    result = engine.search("Which alert rings a bell?", 1)
    assert result.hits
    for shown in (answer_text(result), format_result(result), format_result(result, bold=True)):
        plain = shown.replace("\x1b[1m", "").replace("\x1b[0m", "")  # the terminal's own bold
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", plain)
        assert "Alert \ufffd[31mred\ufffd[0m and a bell\ufffd, then \ufffd2J." in plain
        assert "Esc\ufffdape" in plain
