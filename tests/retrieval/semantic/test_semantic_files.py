"""Model files are used only when present, intact and matching their pinned sha256."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from pathlib import Path

import pytest

from retrieval.errors import RetrievalError
from retrieval.semantic import (
    ModelFiles,
    ModelUnavailable,
    file_sha256,
    installed_model,
    load_encoder,
)
from retrieval.semantic.reference import load_reference

from .tiny_model import CONFIG, Checkpoint


@pytest.fixture
def files(tiny_checkpoint: Checkpoint, tmp_path: Path) -> ModelFiles:
    """A tokenizer and a stand-in model.onnx, both with their true sha256 pinned."""
    model = tmp_path / "model.onnx"
    model.write_bytes(b"\x08\x08" + bytes(range(256)) * 8)
    tokenizer = tiny_checkpoint.tokenizer
    return ModelFiles(model, tokenizer, file_sha256(model), file_sha256(tokenizer), CONFIG)


def _refusal(files: ModelFiles) -> str:
    with pytest.raises(ModelUnavailable) as caught:
        load_encoder(files)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_model_file_with_another_hash_is_refused(files: ModelFiles) -> None:
    with files.model.open("r+b") as handle:  # one byte flipped inside the data
        handle.seek(-3, 2)
        byte = handle.read(1)
        handle.seek(-3, 2)
        handle.write(bytes([byte[0] ^ 1]))
    message = _refusal(files)
    assert "sha256" in message
    assert str(files.model) in message


def test_a_tokenizer_with_another_hash_is_refused(files: ModelFiles) -> None:
    wrong = dataclasses.replace(files, tokenizer_sha256="0" * 64)
    assert "sha256" in _refusal(wrong)


@pytest.mark.parametrize("which", ["model", "tokenizer"])
def test_an_absent_file_is_named(files: ModelFiles, which: str) -> None:
    path: Path = getattr(files, which)
    path.unlink()
    message = _refusal(files)
    assert "missing" in message
    assert str(path) in message


def test_garbage_with_a_matching_hash_is_refused_in_one_line(files: ModelFiles) -> None:
    assert "cannot be loaded" in _refusal(files)  # the stand-in model is not ONNX


def test_a_malformed_tokenizer_with_a_matching_hash_is_refused(files: ModelFiles) -> None:
    files.tokenizer.write_text("{not json", encoding="utf-8")
    files = dataclasses.replace(files, tokenizer_sha256=file_sha256(files.tokenizer))
    assert "cannot be loaded" in _refusal(files)


def test_a_folder_without_the_converted_model_says_to_run_make_install(tmp_path: Path) -> None:
    message = _refusal(installed_model(tmp_path))
    assert "missing" in message
    assert "make install" in message


def test_a_damaged_copy_of_the_installed_model_is_refused(tmp_path: Path) -> None:
    installed = installed_model()
    if not installed.model.is_file():
        pytest.skip("the converted model is not installed (make install)")
    shutil.copy(installed.model, tmp_path / "model.onnx")
    shutil.copy(installed.tokenizer, tmp_path / "tokenizer.json")
    with (tmp_path / "model.onnx").open("r+b") as handle:
        handle.seek(1_000_000)
        byte = handle.read(1)
        handle.seek(1_000_000)
        handle.write(bytes([byte[0] ^ 1]))
    assert "sha256" in _refusal(installed_model(tmp_path))


def test_reference_heads_that_do_not_divide_the_width_are_refused(
    tiny_checkpoint: Checkpoint,
) -> None:
    config = dataclasses.replace(CONFIG, heads=3)  # width 16
    with pytest.raises(ModelUnavailable, match="heads"):
        load_reference(tiny_checkpoint.weights, tiny_checkpoint.tokenizer, config)


def test_a_reference_token_limit_past_the_position_table_is_refused(
    tiny_checkpoint: Checkpoint,
) -> None:
    config = dataclasses.replace(CONFIG, max_tokens=65)  # 64 positions
    with pytest.raises(ModelUnavailable, match="positions"):
        load_reference(tiny_checkpoint.weights, tiny_checkpoint.tokenizer, config)


def test_refusals_are_retrieval_errors() -> None:
    assert issubclass(ModelUnavailable, RetrievalError)


def test_file_sha256_is_the_sha256_of_the_bytes(tmp_path: Path) -> None:
    data = bytes(range(256)) * 5000  # more than one read block
    path = tmp_path / "blob"
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()
