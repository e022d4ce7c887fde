"""Every bundled seed file and the manifest are valid (Red-DiscordBot's data-file pattern)."""

from __future__ import annotations

import itertools
import json
import tomllib

import pytest
from conftest import REPO, SEEDS

from retrieval import Span, load_corpus
from retrieval.documents.corpus import MANIFEST_NAME

SEED_FILES = sorted(p for p in SEEDS.iterdir() if p.suffix in {".txt", ".md"})
MANIFEST = tomllib.loads((SEEDS / MANIFEST_NAME).read_text(encoding="utf-8"))["documents"]
DOCUMENTS = {d.doc_id: d for d in load_corpus(SEEDS)}


def test_five_seeds_are_present() -> None:
    assert len(SEED_FILES) == 5


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_seed_file_is_utf8_text_with_a_manifest_entry(path) -> None:
    text = path.read_bytes().decode("utf-8")
    assert text.strip(), "empty seed"
    assert "\x00" not in text
    entry = MANIFEST[path.name]
    assert entry["title"].strip()
    assert set(entry) <= {"title", "source", "date", "author"}


def test_manifest_names_only_existing_files() -> None:
    assert set(MANIFEST) == {p.name for p in SEED_FILES}


@pytest.mark.parametrize("doc_id", sorted(DOCUMENTS))
def test_boilerplate_spans_are_valid_and_leave_the_article(doc_id: str) -> None:
    doc = DOCUMENTS[doc_id]
    spans = doc.boilerplate
    assert all(0 <= s.start < s.end <= len(doc.text) for s in spans)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
    assert sum(len(s) for s in spans) < len(doc.text) / 2


def _dev_evidence():
    lines = (REPO / "eval" / "questions_dev.jsonl").read_text(encoding="utf-8").splitlines()
    for question in map(json.loads, lines):
        yield from question["relevant"]


@pytest.mark.parametrize("rel", list(_dev_evidence()), ids=lambda r: r["evidence"][:30])
def test_evidence_offsets_match_the_seed_bytes_and_are_not_boilerplate(rel) -> None:
    doc = DOCUMENTS[rel["doc"]]
    assert doc.text[rel["start"] : rel["end"]] == rel["evidence"]
    assert not any(s.overlap(Span(rel["start"], rel["end"])) for s in doc.boilerplate)


@pytest.mark.parametrize(
    ("doc_id", "phrase"),
    [
        ("000_36680a99088c2fd4.txt", "Join the Good Gear Guide newsletter!"),
        ("000_36680a99088c2fd4.txt", "STYLISTIC Q702"),
        ("000_36680a99088c2fd4.txt", "Most Popular Reviews"),
        ("001_5ddac0f6dba44465.txt", "Leave a Reply"),
        ("002_98d01b565de9a77e.txt", "Downloaded from"),
        ("002_98d01b565de9a77e.txt", "“Koryolink Hits a Million Subscribers,”"),
        ("003_810764727a5c567d.txt", "[Feature image courtesy of the Global Post]"),
        ("004_5cecccfb3d421b5d.txt", "Follow us"),
    ],
)
def test_known_web_furniture_is_boilerplate(doc_id: str, phrase: str) -> None:
    doc = DOCUMENTS[doc_id]
    at = doc.text.index(phrase)
    assert any(s.start <= at and at + len(phrase) <= s.end for s in doc.boilerplate)
