"""The encoder's plumbing, on a tiny random model of all-MiniLM-L6-v2's layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.semantic import Encoder, ModelFiles, load_encoder
from retrieval.semantic.tokens import token_ids

from .tiny_model import DIM, write_tiny_model

TEXTS = [
    "who runs the company",
    "the president",
    "a small group of people is in the company of the president who runs",
    "bytes",
    "",
]


def test_one_unit_vector_per_text_in_order(tiny: Encoder) -> None:
    vectors = tiny.encode(TEXTS)
    assert vectors.shape == (len(TEXTS), DIM)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    # order kept although batches are sorted by length: each row is its own text's vector
    for text, vector in zip(TEXTS, vectors, strict=True):
        np.testing.assert_allclose(tiny.encode([text])[0], vector, atol=1e-5)


def test_no_texts_give_an_empty_matrix(tiny: Encoder) -> None:
    assert tiny.encode([]).shape == (0, DIM)


def test_padding_does_not_change_a_vector(tiny: Encoder) -> None:
    alone = tiny.encode(["the president"])[0]
    # batched with a much longer text, "the president" is padded with 12 [PAD] tokens
    padded = tiny.encode(["the president", TEXTS[2]], batch_size=2)[0]
    np.testing.assert_allclose(padded, alone, atol=1e-5)


@pytest.mark.parametrize("batch_size", [1, 2, 3, 64])
def test_batch_size_does_not_change_the_vectors(tiny: Encoder, batch_size: int) -> None:
    np.testing.assert_allclose(
        tiny.encode(TEXTS, batch_size=batch_size), tiny.encode(TEXTS, batch_size=5), atol=1e-5
    )


def test_different_texts_get_different_vectors(tiny: Encoder) -> None:
    vectors = tiny.encode(["who runs the company", "bytes"])
    assert float(vectors[0] @ vectors[1]) < 0.99


def test_saved_padding_in_tokenizer_json_is_ignored(tiny: Encoder) -> None:
    # the file pads every text to 40 tokens; the encoder pads a batch to its longest text
    assert token_ids(tiny.tokenizer, ["the president"]) == [[2, 5, 13, 3]]


def test_texts_past_the_token_limit_are_truncated(tiny: Encoder) -> None:
    long = " ".join(["the company"] * 20)  # 40 words + [CLS] [SEP], limit 24 tokens
    longer = long + " who runs the president"
    np.testing.assert_allclose(tiny.encode([long]), tiny.encode([longer]), atol=1e-6)


def test_progress_reports_each_batch(tiny: Encoder) -> None:
    seen: list[tuple[int, int]] = []
    tiny.encode(TEXTS, batch_size=2, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(2, 5), (4, 5), (5, 5)]


def test_batch_size_below_one_is_refused(tiny: Encoder) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        tiny.encode(TEXTS, batch_size=0)


def test_exact_gelu_is_close_to_the_tanh_approximation(tiny: Encoder) -> None:
    fast, exact = tiny.encode(TEXTS), tiny.with_exact_gelu().encode(TEXTS)
    cosines = np.sum(fast * exact, axis=1)
    assert np.all(cosines > 0.999)
    assert not np.array_equal(fast, exact)


def test_fingerprint_names_the_files_and_changes_with_the_weights(
    tiny_files: ModelFiles, tmp_path: Path
) -> None:
    first = load_encoder(tiny_files).model_fingerprint()
    assert tiny_files.weights_sha256[:16] in first
    assert tiny_files.tokenizer_sha256[:16] in first
    other = load_encoder(write_tiny_model(tmp_path / "other", seed=1)).model_fingerprint()
    assert other != first
