"""The semantic stage in the engine and the index cache: plumbing with the tiny random model,
quality with the installed all-MiniLM-L6-v2."""

from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

import retrieval.semantic.encoder as encoder_module
from retrieval.cache import persistence as cache_module
from retrieval.cache.persistence import build_cache, cache_path, load_or_build
from retrieval.documents.corpus import parse_document
from retrieval.search.engine import SearchEngine
from retrieval.semantic import Encoder, ModelFiles, load_encoder
from retrieval.semantic import shared as shared_module
from retrieval.semantic.unitvectors import unit_texts
from retrieval.types import Document, EngineOptions

ON, OFF = EngineOptions(), EngineOptions(semantic=False)
LIBRARY = (
    "Books about chemistry are shelved on the third floor, beside the books about physics.",
    "Students may borrow up to five books at once.",
)


def docs(*texts: str) -> list[Document]:
    return [parse_document(f"d{n}.txt", text) for n, text in enumerate(texts)]


@pytest.fixture
def tiny_encoder(tiny_files: ModelFiles) -> Encoder:
    return load_encoder(tiny_files)


@pytest.fixture
def shared(monkeypatch: pytest.MonkeyPatch) -> list[Encoder | None]:
    """The process's shared encoder slot, emptied for the test and restored after it."""
    monkeypatch.setattr(shared_module, "_loaded", [])
    monkeypatch.setattr(shared_module, "_memo", OrderedDict())
    return shared_module._loaded


def test_every_unit_gets_a_unit_length_vector_in_table_order(tiny_encoder: Encoder) -> None:
    corpus = docs("The company runs a group.\n\nWho is the president?", "Small people.")
    engine = SearchEngine.build(corpus, ON, encoder=tiny_encoder)
    vectors = engine.units.vectors
    assert vectors is not None
    assert vectors.dtype == np.float16
    assert unit_texts(corpus) == [
        "The company runs a group.",
        "Who is the president?",
        "Small people.",
    ]
    expected = tiny_encoder.encode(unit_texts(corpus))
    assert np.allclose(vectors.astype(np.float32), expected, atol=2e-3)
    assert np.allclose(np.linalg.norm(vectors.astype(np.float32), axis=1), 1, atol=2e-3)


def test_options_turn_the_stage_off(tiny_encoder: Encoder) -> None:
    engine = SearchEngine.build(docs("The company runs a group."), OFF, encoder=tiny_encoder)
    assert engine.encoder is None
    assert engine.units.vectors is None
    assert engine.search("Who runs the company?").hits


def test_a_missing_model_means_words_alone_with_one_warning(
    tmp_path: Path, shared: list[Encoder | None], monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    gone = encoder_module.installed_model(tmp_path / "nowhere")
    monkeypatch.setattr(encoder_module, "installed_model", lambda: gone)
    with caplog.at_level(logging.WARNING):
        first = SearchEngine.build(docs(*LIBRARY), ON)
        second = SearchEngine.build(docs(*LIBRARY), ON)
    assert first.encoder is None
    assert second.units.vectors is None
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "is missing (run make install)" in warning
    assert "ranking by words alone" in warning
    assert first.search("How many books may students borrow?").hits


def test_the_cache_keeps_the_vectors_and_names_the_model(
    tmp_path: Path, tiny_files: ModelFiles, shared: list[Encoder | None]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The company runs a group.\n\nWho is the president?\n")
    shared.append(load_encoder(tiny_files))
    built = load_or_build(corpus, ON, tmp_path / "cache")
    loaded = load_or_build(corpus, ON, tmp_path / "cache")
    assert built.units.vectors is not None
    assert loaded.units.vectors is not None
    assert np.array_equal(built.units.vectors, loaded.units.vectors)
    assert loaded.encoder is shared[0]
    assert [h.excerpt.text for h in loaded.search("Who runs it?").hits] == [
        h.excerpt.text for h in built.search("Who runs it?").hits
    ]


def test_another_model_makes_the_cache_stale(
    tmp_path: Path, tiny_files: ModelFiles, shared: list[Encoder | None],
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The company runs a group.\n")
    shared.append(load_encoder(tiny_files))
    build_cache(corpus, ON, tmp_path / "cache")
    # The same files under another fingerprint: as after a model or runtime upgrade.
    monkeypatch.setattr(Encoder, "model_fingerprint", lambda _self: "another-model")
    with caplog.at_level(logging.INFO):
        engine = load_or_build(corpus, ON, tmp_path / "cache")
    assert any("sentence-embedding model changed" in r.getMessage() for r in caplog.records)
    assert engine.units.vectors is not None
    assert cache_module._model(ON) == "another-model"


def test_a_cache_built_without_the_model_is_rebuilt_once_it_is_installed(
    tmp_path: Path, tiny_files: ModelFiles, shared: list[Encoder | None]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The company runs a group.\n")
    shared.append(None)
    build_cache(corpus, ON, tmp_path / "cache")
    assert cache_module._model(ON) is None
    shared[0] = load_encoder(tiny_files)
    assert load_or_build(corpus, ON, tmp_path / "cache").units.vectors is not None
    assert cache_path(corpus, ON, tmp_path / "cache").is_file()


def test_meaning_picks_the_sentence_that_answers() -> None:
    """Both sentences hold "books"; only one says how many may be borrowed."""
    engine = SearchEngine.build(docs(*LIBRARY), ON)
    assert engine.encoder is not None, "the installed model is needed (make install)"
    top = engine.search("How many books can I check out at the same time?").hits[0]
    assert top.excerpt.text == LIBRARY[1]


def test_a_unit_is_embedded_after_its_section_heading() -> None:
    doc = parse_document("a.md", "# Install\n\nRun pip\ninstall x.\n\n## Use\n\n- one\n- two\n")
    assert unit_texts([doc]) == [
        "Install",
        "Install: Run pip install x.",
        "Use",
        "Use: one",
        "Use: two",
    ]


@pytest.fixture
def embedded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the encoder embeds from now on."""
    texts: list[str] = []
    encode = Encoder.encode

    def counting(self: Encoder, batch: list[str], *args: object, **kwargs: object) -> object:
        texts.extend(batch)
        return encode(self, batch, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Encoder, "encode", counting)
    return texts


def test_a_rebuild_embeds_only_the_documents_that_changed(
    tiny_encoder: Encoder, shared: list[Encoder | None], embedded: list[str]
) -> None:
    SearchEngine.build(docs("The company runs a group.", "Small people."), encoder=tiny_encoder)
    embedded.clear()
    changed = docs("The company runs a group.", "Who is the president?")
    engine = SearchEngine.build(changed, encoder=tiny_encoder)
    assert embedded == ["Who is the president?"]
    assert engine.units.vectors is not None
    assert len(engine.units.vectors) == 2


def test_a_rebuild_after_an_edit_embeds_only_the_edited_file(
    tmp_path: Path,
    tiny_files: ModelFiles,
    shared: list[Encoder | None],
    embedded: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The company runs a group.\n")
    (corpus / "b.txt").write_text("Small people.\n")
    shared.append(load_encoder(tiny_files))
    load_or_build(corpus, ON, tmp_path / "cache")
    shared_module._memo.clear()  # as in a new process
    embedded.clear()
    (corpus / "b.txt").write_text("Who is the president?\n")
    with caplog.at_level(logging.INFO, logger="retrieval.index.build"):
        engine = load_or_build(corpus, ON, tmp_path / "cache")
    assert embedded == ["Who is the president?"]
    assert "unit vectors: 1 embedded, 1 kept from before" in caplog.text
    assert engine.units.vectors is not None
    assert len(engine.units.vectors) == 2


def test_without_the_model_the_semantic_cache_file_is_kept(
    tmp_path: Path, tiny_files: ModelFiles, shared: list[Encoder | None]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The company runs a group.\n")
    shared.append(load_encoder(tiny_files))
    load_or_build(corpus, ON, tmp_path / "cache")
    semantic_file = cache_path(corpus, ON, tmp_path / "cache")
    before = semantic_file.read_bytes()
    shared[0] = None
    words = load_or_build(corpus, ON, tmp_path / "cache")
    assert words.options.semantic is False
    assert semantic_file.read_bytes() == before
    assert cache_path(corpus, OFF, tmp_path / "cache").is_file()


def test_an_index_by_words_alone_never_loads_the_model(
    tmp_path: Path, shared: list[Encoder | None]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The company runs a group.\n")
    build_cache(corpus, OFF, tmp_path / "cache")
    load_or_build(corpus, OFF, tmp_path / "cache")
    assert shared == []  # the process's encoder slot was never filled
