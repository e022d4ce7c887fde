"""Excerpts become Discord Markdown in bot/: literal text, bold marks, links left intact."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.ui.discord_markdown import escape_markdown, excerpt_markdown
from retrieval import Excerpt, Span

URL = "https://example.edu/ir_course/week_3/slides_bm25.pdf"


def test_a_link_stays_intact_and_words_outside_it_are_bold() -> None:
    text = f"See {URL} for the *bm25* slides."
    start = 100  # the excerpt's offset in its document
    bm25 = text.index("bm25", len("See ") + len(URL))
    excerpt = Excerpt(start, start + len(text), text, (Span(start + bm25, start + bm25 + 4),))
    assert excerpt_markdown(excerpt) == f"See {URL} for the \\***bm25**\\* slides."


def test_a_table_row_is_rendered_under_its_header_row() -> None:
    row, header = "| PSYC 270 | Room 62 |", "| Course | Room |"
    excerpt = Excerpt(40, 40 + len(row), row, (), Span(0, len(header)), header)
    assert excerpt_markdown(excerpt) == "\\| Course \\| Room \\|\n\\| PSYC 270 \\| Room 62 \\|"


@given(st.text(max_size=200))
def test_escaped_markdown_has_no_live_markup(text: str) -> None:
    escaped = escape_markdown(text)
    for char in "*_~`|":
        i = escaped.find(char)
        while i != -1:
            assert escaped[i - 1] == "\\"
            i = escaped.find(char, i + 1)


def test_a_link_ends_where_discord_ends_it() -> None:
    # Discord's link takes a trailing "_" but not a trailing ".": escaping either inside the link
    # would show a backslash in it; leaving the "." outside raw is harmless.
    text = "Join https://discord.com/invite/xyz_ or https://x.example/a_b."
    excerpt = Excerpt(0, len(text), text)
    assert excerpt_markdown(excerpt) == text


def test_a_bare_www_address_is_not_a_link_so_it_is_escaped() -> None:
    text = "See www.a_b.example/x_y for more."
    assert excerpt_markdown(Excerpt(0, len(text), text)) == "See www.a\\_b.example/x\\_y for more."


def test_a_word_the_engine_marked_inside_a_link_is_not_bolded() -> None:
    # The engine's own address pattern stops at "(", Discord's link does not: no "**" inside it.
    text = "Read https://en.example.org/wiki/Tide_(physics) today."
    at = text.index("physics")
    excerpt = Excerpt(0, len(text), text, (Span(at, at + len("physics")),))
    assert excerpt_markdown(excerpt) == text
