"""Model files are used only when present, intact and matching their pinned sha256."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from retrieval.errors import RetrievalError
from retrieval.semantic import ModelFiles, ModelUnavailable, file_sha256, load_encoder
from retrieval.semantic import files as model_files

from .tiny_model import write_tiny_model


def _refusal(files: ModelFiles) -> str:
    with pytest.raises(ModelUnavailable) as caught:
        load_encoder(files)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_weights_file_with_another_hash_is_refused(tiny_files: ModelFiles) -> None:
    with tiny_files.weights.open("r+b") as handle:  # one byte flipped inside the data
        handle.seek(-3, 2)
        byte = handle.read(1)
        handle.seek(-3, 2)
        handle.write(bytes([byte[0] ^ 1]))
    message = _refusal(tiny_files)
    assert "sha256" in message
    assert str(tiny_files.weights) in message


def test_a_tokenizer_with_another_hash_is_refused(tiny_files: ModelFiles) -> None:
    wrong = dataclasses.replace(tiny_files, tokenizer_sha256="0" * 64)
    assert "sha256" in _refusal(wrong)


@pytest.mark.parametrize("which", ["weights", "tokenizer"])
def test_an_absent_file_is_named(tiny_files: ModelFiles, which: str) -> None:
    path: Path = getattr(tiny_files, which)
    path.unlink()
    message = _refusal(tiny_files)
    assert "missing" in message
    assert str(path) in message


def test_garbage_with_a_matching_hash_is_refused_in_one_line(tiny_files: ModelFiles) -> None:
    tiny_files.weights.write_bytes(b"not a safetensors file")
    files = dataclasses.replace(tiny_files, weights_sha256=file_sha256(tiny_files.weights))
    assert "cannot be loaded" in _refusal(files)


def test_a_malformed_tokenizer_with_a_matching_hash_is_refused(tiny_files: ModelFiles) -> None:
    tiny_files.tokenizer.write_text("{not json", encoding="utf-8")
    files = dataclasses.replace(tiny_files, tokenizer_sha256=file_sha256(tiny_files.tokenizer))
    assert "cannot be loaded" in _refusal(files)


def test_heads_that_do_not_divide_the_width_are_refused(tiny_files: ModelFiles) -> None:
    config = dataclasses.replace(tiny_files.config, heads=3)  # width 16
    assert "heads" in _refusal(dataclasses.replace(tiny_files, config=config))


def test_a_token_limit_past_the_position_table_is_refused(tiny_files: ModelFiles) -> None:
    config = dataclasses.replace(tiny_files.config, max_tokens=65)  # 64 positions
    assert "positions" in _refusal(dataclasses.replace(tiny_files, config=config))


def test_an_uninstalled_distribution_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_files, "DISTRIBUTION", "docqa-no-such-model-distribution")
    with pytest.raises(ModelUnavailable, match="not installed"):
        model_files.installed_model()


def test_refusals_are_retrieval_errors() -> None:
    assert issubclass(ModelUnavailable, RetrievalError)


def test_file_sha256_is_the_sha256_of_the_bytes(tmp_path: Path) -> None:
    data = bytes(range(256)) * 5000  # more than one read block
    path = tmp_path / "blob"
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()


def test_the_tiny_model_loads_after_verification(tmp_path: Path) -> None:
    encoder = load_encoder(write_tiny_model(tmp_path))
    assert encoder.dim == 16
    assert len(encoder.weights.layers) == 2
