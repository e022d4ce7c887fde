"""Document structure: units from Markdown, reStructuredText and plain text, titles, sentences."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval import parse_document
from retrieval.documents.sentences import sentence_spans


def units_of(doc_id: str, text: str) -> list[tuple[str, str]]:
    doc = parse_document(doc_id, text)
    u = doc.units
    return [(u.kind_of(i), text[int(u.start[i]) : int(u.end[i])]) for i in range(len(u))]


def test_markdown_code_block_is_one_unit_and_list_items_stay_whole() -> None:
    text = (
        "# Install\n\nRun this:\n\n```sh\npip install a\npip install b\n```\n\n"
        "- first item, with e.g. an example\n- second item\n"
    )
    assert units_of("r.md", text) == [
        ("heading", "Install"),
        ("sentence", "Run this:"),
        ("code", "pip install a\npip install b"),
        ("item", "first item, with e.g. an example"),
        ("item", "second item"),
    ]


def test_table_rows_know_their_header_row() -> None:
    text = "| Course | Room |\n|---|---|\n| PSYC 270 | Room 62 |\n| BIOL 101 | Hall A |\n"
    doc = parse_document("t.md", text)
    u = doc.units
    kinds = [u.kind_of(i) for i in range(len(u))]
    assert kinds == ["row", "row", "row"]
    assert [int(h) for h in u.header] == [-1, 0, 0]


def test_badges_html_and_directives_are_not_units_nor_titles() -> None:
    md = (
        '<p align="center">\n<img src="logo.png">\n</p>\n\n'
        "[![ci](b.svg)](https://ci)\n\nTool does X.\n"
    )
    rst = ".. image:: logo.png\n\n|Logo|\n\n.. |Logo| image:: x.png\n\nTool does Y.\n"
    assert units_of("a.md", md) == [("sentence", "Tool does X.")]
    assert units_of("b.rst", rst) == [("sentence", "Tool does Y.")]
    assert parse_document("a.md", md).title == "Tool does X."
    assert parse_document("b.rst", rst).title == "Tool does Y."


def test_rst_sections_paragraphs_and_literal_blocks() -> None:
    text = "Title\n=====\n\nIt wraps\nover lines. Two.\n\n::\n\n    code here\n\n* an item\n"
    assert units_of("d.rst", text) == [
        ("heading", "Title"),
        ("sentence", "It wraps\nover lines."),
        ("sentence", "Two."),
        ("code", "code here"),
        ("item", "an item"),
    ]
    assert parse_document("d.rst", text).title == "Title"


def test_a_txt_file_written_in_rst_is_read_as_rst() -> None:
    text = "Package\n=======\n\n.. code-block:: python\n\n    import package\n"
    assert units_of("README.txt", text) == [("heading", "Package"), ("code", "import package")]


def test_abbreviations_and_hard_wrapped_lines_do_not_end_sentences() -> None:
    text = (
        "Bring a scientific calculator, e.g. Casio fx-991 or TI-30, to the exam. "
        "See p. 12 of the\nhandbook. Marks are\nposted online."
    )
    assert [text[s.start : s.end] for s in sentence_spans(text)] == [
        "Bring a scientific calculator, e.g. Casio fx-991 or TI-30, to the exam.",
        "See p. 12 of the\nhandbook.",
        "Marks are\nposted online.",
    ]


def test_crlf_and_lf_copies_have_the_same_paragraphs_and_units() -> None:
    lf = "Exam rules\n\nBring a pen.\nNo phones.\n\nThe exam starts at nine.\n"
    crlf = lf.replace("\n", "\r\n")
    a, b = parse_document("a.txt", lf), parse_document("b.txt", crlf)
    assert len(a.paragraphs) == len(b.paragraphs) == 3
    offset = crlf.index("The exam")
    assert b.paragraph_of(offset) == a.paragraph_of(lf.index("The exam")) == 3
    assert len(a.units) == len(b.units)


MARKUP = st.sampled_from(
    ["# ", "## ", "\n", "\r\n", "\n\n", "- ", "* ", "1. ", "```", "    ", "| a | b |", "|---|",
     "===", "---", ".. image:: x", ".. code-block::", "::", "> ", "<p>", "|x|", "`", "**", "é",
     "量子", "\u00ad", "cli-\nmate", "Word. ", "e.g. ", "https://x.example/a_b "]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(st.one_of(MARKUP, st.text(max_size=12)), max_size=40),
    suffix=st.sampled_from([".md", ".rst", ".txt", ".markdown"]),
)
def test_units_are_ordered_disjoint_trimmed_slices(parts: list[str], suffix: str) -> None:
    text = "".join(parts)
    doc = parse_document(f"d{suffix}", text)
    u = doc.units
    spans = [(int(u.start[i]), int(u.end[i])) for i in range(len(u))]
    ends, starts = [b for _, b in spans], [a for a, _ in spans]
    assert all(end <= start for end, start in zip(ends, starts[1:], strict=False))
    for a, b in spans:
        assert 0 <= a < b <= len(text)
        assert not text[a].isspace()
        assert not text[b - 1].isspace()
    assert doc.title.strip()
