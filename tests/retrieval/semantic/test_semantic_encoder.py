"""The encoder's plumbing, on a tiny random model of all-MiniLM-L6-v2's layout."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.semantic import Encoder, ModelFiles, load_encoder
from retrieval.semantic.reference import load_reference
from retrieval.semantic.tokens import token_ids

from .conftest import TextEncoder
from .tiny_model import CONFIG, DIM, Checkpoint

TEXTS = [
    "who runs the company",
    "the president",
    "a small group of people is in the company of the president who runs",
    "bytes",
    "",
]


def _assert_same_vectors(tiny: TextEncoder, got: np.ndarray, expected: np.ndarray) -> None:
    """Equal up to rounding in the float32 reference; in the int8 runtime a batch's
    activations share one quantization scale, so a vector moves a little with its batch."""
    if isinstance(tiny, Encoder):
        assert np.sum(got * expected, axis=-1).min() > 0.995
    else:
        np.testing.assert_allclose(got, expected, atol=1e-5)


def test_one_unit_vector_per_text_in_order(tiny: TextEncoder) -> None:
    vectors = tiny.encode(TEXTS)
    assert vectors.shape == (len(TEXTS), DIM)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    # order kept although batches are sorted by length: each row is its own text's vector
    for text, vector in zip(TEXTS, vectors, strict=True):
        _assert_same_vectors(tiny, tiny.encode([text])[0], vector)


def test_no_texts_give_an_empty_matrix(tiny: TextEncoder) -> None:
    assert tiny.encode([]).shape == (0, DIM)


def test_padding_does_not_change_a_vector(tiny: TextEncoder) -> None:
    alone = tiny.encode(["the president"])[0]
    # batched with a much longer text, "the president" is padded with 12 [PAD] tokens
    padded = tiny.encode(["the president", TEXTS[2]], batch_size=2)[0]
    _assert_same_vectors(tiny, padded, alone)


@pytest.mark.parametrize("batch_size", [1, 2, 3, 64])
def test_batch_size_does_not_change_the_vectors(tiny: TextEncoder, batch_size: int) -> None:
    _assert_same_vectors(
        tiny, tiny.encode(TEXTS, batch_size=batch_size), tiny.encode(TEXTS, batch_size=5)
    )


def test_different_texts_get_different_vectors(tiny: TextEncoder) -> None:
    vectors = tiny.encode(["who runs the company", "bytes"])
    assert float(vectors[0] @ vectors[1]) < 0.99


def test_saved_padding_in_tokenizer_json_is_ignored(tiny: TextEncoder) -> None:
    # the file pads every text to 40 tokens; the encoder pads a batch to its longest text
    assert token_ids(tiny.tokenizer, ["the president"]) == [[2, 5, 13, 3]]


def test_texts_past_the_token_limit_are_truncated(tiny: TextEncoder) -> None:
    long = " ".join(["the company"] * 20)  # 40 words + [CLS] [SEP], limit 24 tokens
    longer = long + " who runs the president"
    np.testing.assert_allclose(tiny.encode([long]), tiny.encode([longer]), atol=1e-6)


def test_batch_size_below_one_is_refused(tiny: TextEncoder) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        tiny.encode(TEXTS, batch_size=0)


def test_progress_reports_each_batch(tiny_files: ModelFiles) -> None:
    seen: list[tuple[int, int]] = []
    encoder = load_encoder(tiny_files)
    encoder.encode(TEXTS, batch_size=2, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(2, 5), (4, 5), (5, 5)]


def test_the_int8_runtime_agrees_with_the_float32_reference(
    tiny_checkpoint: Checkpoint, tiny_files: ModelFiles
) -> None:
    reference = load_reference(tiny_checkpoint.weights, tiny_checkpoint.tokenizer, CONFIG)
    cosines = np.sum(load_encoder(tiny_files).encode(TEXTS) * reference.encode(TEXTS), axis=1)
    assert cosines.min() > 0.98


def test_exact_gelu_is_close_to_the_tanh_approximation(tiny_checkpoint: Checkpoint) -> None:
    files = (tiny_checkpoint.weights, tiny_checkpoint.tokenizer, CONFIG)
    exact = load_reference(*files).encode(TEXTS)
    fast = load_reference(*files, exact_gelu=False).encode(TEXTS)
    assert np.all(np.sum(fast * exact, axis=1) > 0.999)
    assert not np.array_equal(fast, exact)


def test_fingerprint_names_the_files_and_the_runtime(tiny_files: ModelFiles) -> None:
    encoder: Encoder = load_encoder(tiny_files)
    fingerprint = encoder.model_fingerprint()
    assert tiny_files.model_sha256[:16] in fingerprint
    assert tiny_files.tokenizer_sha256[:16] in fingerprint
    assert "onnxruntime" in fingerprint


def test_a_question_gets_the_vector_a_batch_of_one_gets(tiny_files: ModelFiles) -> None:
    encoder = load_encoder(tiny_files)
    assert encoder.question_session is not None  # its own one-thread session
    text = "who runs the company"
    question = encoder.encode_question(text)
    assert question.shape == (encoder.dim,)
    np.testing.assert_allclose(question, encoder.encode([text])[0], atol=1e-5)


def test_searching_alone_never_builds_the_batch_session(tiny_files: ModelFiles) -> None:
    encoder = load_encoder(tiny_files)
    encoder.encode_question("who runs the company")
    assert encoder._batch == []  # what a command-line search would pay for
    encoder.encode(["who runs the company"])
    assert len(encoder._batch) == 1
