"""PDF, DOCX and web pages end to end: folders of real files beside plain notes, indexed through
the public engine (``load_or_build``) or the command line, answered, and cited as the bot shows
the citation (answer, console text and the "Full passage" view)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import format_samples as samples
import pytest
from conftest import REPO, write_corpus

from bot.ui.embeds import answer_embed, citation_label, passage_embed
from bot.ui.terminal import answer_text
from retrieval import Hit, SearchEngine, load_or_build

# Plain notes on other subjects, so the formats compete with ordinary documents.
NOTES: dict[str, str | bytes] = {
    "photosynthesis.txt": "Photosynthesis\n\nPlants turn light into sugar in their leaves.\n",
    "rivers.md": "# Rivers\n\nThe Nile floods every summer and farmers plant after the flood.\n",
    "volcanoes.txt": "Volcanoes\n\nMagma rises through the crust and erupts as lava.\n",
}
ABSORBS = "What does the lab use to measure how much light a sample absorbs?"
FUNDY = "How many metres is the tidal range in the Bay of Fundy?"


def index(tmp_path: Path, files: dict[str, str | bytes]) -> SearchEngine:
    folder = write_corpus(tmp_path / "corpus", NOTES | files)
    return load_or_build(folder, cache_dir=tmp_path / "cache")


def top(engine: SearchEngine, question: str) -> Hit:
    result = engine.search(question, 3)
    assert result.answered, question
    return result.hits[0]


def test_a_pdf_lecture_is_answered_from_page_2_and_cited_so(tmp_path: Path) -> None:
    engine = index(tmp_path, {"lecture.pdf": samples.lecture_pdf()})
    hit = top(engine, ABSORBS)
    assert (hit.chunk.doc_id, hit.citation.page) == ("lecture.pdf", 2)
    assert "the lab uses a spectrophotometer, which compares" in hit.excerpt.text
    assert hit.citation.title == samples.LECTURE_TITLE
    label = citation_label(hit)
    assert label.startswith(f"[1] {samples.LECTURE_TITLE} — p. 2, ¶")
    assert passage_embed(hit).title == label  # the "Full passage" view
    result = engine.search(ABSORBS, 3)
    assert answer_embed(result).fields[0].name == label  # the answer in Discord
    assert f"{samples.LECTURE_TITLE} — p. 2, ¶" in answer_text(result)  # the console


def test_the_word_hyphenated_across_a_line_end_finds_page_2(tmp_path: Path) -> None:
    engine = index(tmp_path, {"lecture.pdf": samples.lecture_pdf()})
    hit = top(engine, "spectrophotometer")
    assert (hit.chunk.doc_id, hit.citation.page) == ("lecture.pdf", 2)
    assert "spectro-" not in engine.document("lecture.pdf").text


def test_the_command_line_reports_the_page_in_json(tmp_path: Path) -> None:
    folder = write_corpus(tmp_path / "corpus", NOTES | {"lecture.pdf": samples.lecture_pdf()})
    done = subprocess.run(
        [sys.executable, "-m", "retrieval", "--corpus", str(folder), "--cache",
         str(tmp_path / "cache"), "search", "--json", ABSORBS],
        capture_output=True, text=True, cwd=REPO, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    hits = json.loads(done.stdout)["hits"]
    assert (hits[0]["doc"], hits[0]["page"]) == ("lecture.pdf", 2)
    assert "spectrophotometer" in hits[0]["excerpt"]
    assert all(hit["page"] is None for hit in hits if hit["doc"] != "lecture.pdf")


def test_a_web_page_is_answered_from_its_article_and_never_from_its_boilerplate(
    tmp_path: Path,
) -> None:
    engine = index(tmp_path, {"tides.html": samples.article_html()})
    hit = top(engine, FUNDY)
    assert hit.chunk.doc_id == "tides.html"
    assert "sixteen metres" in hit.excerpt.text
    assert hit.citation.title == "How tides work"  # the <h1>, not "... | The Daily Planet"
    assert hit.citation.page is None
    assert "p. " not in citation_label(hit)
    text = engine.document("tides.html").text
    assert [phrase for phrase in samples.BOILERPLATE if phrase in text] == []
    for question in ("How do I sign up to the newsletter?", "What are the most popular stories?"):
        result = engine.search(question, 5)
        assert not result.answered, question
        passages = " ".join(h.chunk.text for h in result.hits if h.chunk.doc_id == "tides.html")
        assert [phrase for phrase in samples.BOILERPLATE if phrase in passages] == []


def test_a_docx_is_answered_and_titled_from_its_heading(tmp_path: Path) -> None:
    engine = index(tmp_path, {"week4.docx": samples.lecture_docx()})
    hit = top(engine, "Which bay has the highest tidal range in the world?")
    assert hit.chunk.doc_id == "week4.docx"
    assert hit.excerpt.text == "The Bay of Fundy has the highest tidal range in the world."
    assert hit.citation.title == "Tides and the Moon"
    assert hit.citation.page is None
    # Parsed as Markdown: headings are headings, their "#" no part of them.
    assert samples.headings(engine.document("week4.docx")) == [
        "Tides and the Moon",
        "Kinds of tide",
    ]


def test_hostile_files_are_one_line_each_and_the_rest_is_indexed(tmp_path: Path) -> None:
    hostile = {
        "corrupt.pdf": samples.corrupt_pdf(),
        "encrypted.pdf": samples.encrypted_pdf(),
        "bomb.docx": samples.docx_bomb(),
    }
    good = {
        "lecture.pdf": samples.lecture_pdf(),
        "tides.html": samples.article_html(),
        "week4.docx": samples.lecture_docx(),
    }
    folder = write_corpus(tmp_path / "corpus", NOTES | good | hostile)
    done = subprocess.run(
        [sys.executable, "-m", "retrieval", "--corpus", str(folder), "--cache",
         str(tmp_path / "cache"), "docs"],
        capture_output=True, text=True, cwd=REPO, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    listed = sorted(line.split("\t")[0] for line in done.stdout.splitlines())
    assert listed == sorted(NOTES | good)
    warnings = done.stderr.splitlines()
    assert sorted(warnings) == [
        f"WARNING: skipping {folder / 'bomb.docx'}: the DOCX unpacks to 60.8 MB; the limit is "
        "50.0 MB",
        f"WARNING: skipping {folder / 'corrupt.pdf'}: the PDF is damaged or not a PDF (Stream has "
        "ended unexpectedly)",
        f"WARNING: skipping {folder / 'encrypted.pdf'}: the PDF is encrypted; use a copy saved "
        "without protection",
    ]


def test_a_fresh_index_cache_keeps_the_extracted_text_and_reads_no_file_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = samples.count_reads(monkeypatch)
    files = {"lecture.pdf": samples.lecture_pdf(), "week4.docx": samples.lecture_docx()}
    first = index(tmp_path, files)
    assert calls == Counter({".pdf": 1, ".docx": 1})
    again = index(tmp_path, files)
    assert calls == Counter({".pdf": 1, ".docx": 1})  # no reader ran: the cache was fresh
    assert again.document("lecture.pdf").text == first.document("lecture.pdf").text
    assert again.document("lecture.pdf").page_starts == first.document("lecture.pdf").page_starts
    assert top(again, ABSORBS).citation.page == 2
