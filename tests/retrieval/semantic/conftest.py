from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pytest
from tokenizers import Tokenizer

from retrieval.semantic import ModelFiles, load_encoder
from retrieval.semantic.reference import load_reference

from .tiny_model import CONFIG, Checkpoint, convert_tiny_model, write_tiny_model


class TextEncoder(Protocol):
    tokenizer: Tokenizer

    def encode(self, texts: list[str], batch_size: int = 64) -> npt.NDArray[np.float32]: ...


@pytest.fixture
def tiny_checkpoint(tmp_path: Path) -> Checkpoint:
    """The tiny model's safetensors and tokenizer in the test's tmp folder."""
    return write_tiny_model(tmp_path / "tiny")


@pytest.fixture
def tiny_files(tiny_checkpoint: Checkpoint, tmp_path: Path) -> ModelFiles:
    """The tiny model converted to int8 ONNX (skipped when onnx is not importable)."""
    return convert_tiny_model(tiny_checkpoint, tmp_path / "tiny-int8")


@pytest.fixture(params=["reference", "onnx"])
def tiny(request: pytest.FixtureRequest, tiny_checkpoint: Checkpoint) -> TextEncoder:
    """The tiny model, in the float32 numpy reference and in the int8 onnxruntime runtime."""
    if request.param == "reference":
        return load_reference(tiny_checkpoint.weights, tiny_checkpoint.tokenizer, CONFIG)
    return load_encoder(request.getfixturevalue("tiny_files"))
