"""The installed all-MiniLM-L6-v2: verified, computing what the published model computes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.semantic import Encoder, installed_model, load_encoder
from retrieval.semantic.tokens import token_ids
from retrieval.sentences import sentence_spans

SEEDS = Path(__file__).resolve().parents[3] / "seeds"


@pytest.fixture(scope="module")
def minilm() -> Encoder:
    return load_encoder()


@pytest.fixture(scope="module")
def seed_sentences() -> list[str]:
    sentences = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        sentences += [text[s.start : s.end] for s in sentence_spans(text)][:25]
    return sentences


def test_the_installed_files_pass_their_pinned_hashes(minilm: Encoder) -> None:
    files = installed_model()
    assert files.weights.stat().st_size == 90_868_376
    assert minilm.dim == 384
    assert len(minilm.weights.layers) == 6


def test_the_reference_pass_reproduces_sentence_transformers(minilm: Encoder) -> None:
    # The first five components sentence-transformers (PyTorch, fp32) gives this sentence.
    published = [0.0676569, 0.0634959, 0.0487131, 0.0793050, 0.0374480]
    vector = minilm.with_exact_gelu().encode(["This is an example sentence"])[0]
    np.testing.assert_allclose(vector[:5], published, atol=2e-6)


def test_the_runtime_agrees_with_the_fp32_reference(
    minilm: Encoder, seed_sentences: list[str]
) -> None:
    fast = minilm.encode(seed_sentences)
    exact = minilm.with_exact_gelu().encode(seed_sentences)
    cosines = np.sum(fast * exact, axis=1)
    assert len(seed_sentences) > 100
    assert cosines.min() >= 0.999


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
