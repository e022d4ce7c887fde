from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.semantic import Encoder, ModelFiles, load_encoder

from .tiny_model import write_tiny_model


@pytest.fixture
def tiny_files(tmp_path: Path) -> ModelFiles:
    """The tiny model's files in the test's tmp folder (a test may damage them)."""
    return write_tiny_model(tmp_path / "tiny")


@pytest.fixture
def tiny(tiny_files: ModelFiles) -> Encoder:
    return load_encoder(tiny_files)
