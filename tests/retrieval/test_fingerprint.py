"""The index cache's code fingerprint reads every engine file, wherever in retrieval/ it sits."""

from __future__ import annotations

from pathlib import Path

from retrieval.cache.fingerprint import engine_files

PACKAGE = Path(__file__).resolve().parents[2] / "retrieval"


def test_the_code_fingerprint_reads_every_engine_module_and_data_file() -> None:
    expected = {
        p
        for p in PACKAGE.rglob("*")
        if p.is_file()
        and "eval" not in p.relative_to(PACKAGE).parts[:1]
        and (p.suffix == ".py" or p.relative_to(PACKAGE).parts[0] == "data")
    }
    found = set(engine_files())
    assert found == expected
    # Modules of every folder, so a fingerprint rooted in the wrong folder fails here.
    names = {p.relative_to(PACKAGE).as_posix() for p in found}
    assert {
        "search/engine.py",
        "documents/corpus.py",
        "documents/formats/pdf.py",
        "index/bm25.py",
        "cache/cachefile.py",
        "semantic/encoder.py",
        "analysis.py",
        "data/stopwords_en.txt",
    } <= names


def test_the_evaluation_tools_are_not_part_of_the_fingerprint() -> None:
    assert not [p for p in engine_files() if p.relative_to(PACKAGE).parts[0] == "eval"]
