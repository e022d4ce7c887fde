"""Sentence embeddings for meaning-based ranking (all-MiniLM-L6-v2 int8, onnxruntime, CPU only).

Names are imported on first use, so that importing the engine does not import onnxruntime
(about 0.1 s) when the semantic stage is off.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from retrieval.errors import ModelUnavailable

if TYPE_CHECKING:
    from retrieval.semantic.bert import BertConfig
    from retrieval.semantic.encoder import Encoder, Progress, load_encoder
    from retrieval.semantic.files import (
        MINILM_L6,
        MODEL_DIR,
        ModelFiles,
        file_sha256,
        installed_model,
    )

__all__ = [
    "MINILM_L6",
    "MODEL_DIR",
    "BertConfig",
    "Encoder",
    "ModelFiles",
    "ModelUnavailable",
    "Progress",
    "file_sha256",
    "installed_model",
    "load_encoder",
]

_HOMES = {
    "BertConfig": "bert",
    "Encoder": "encoder",
    "Progress": "encoder",
    "load_encoder": "encoder",
    "MINILM_L6": "files",
    "MODEL_DIR": "files",
    "ModelFiles": "files",
    "file_sha256": "files",
    "installed_model": "files",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
