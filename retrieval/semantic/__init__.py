"""Sentence embeddings for meaning-based ranking (all-MiniLM-L6-v2 int8, onnxruntime, CPU only)."""

from __future__ import annotations

from retrieval.semantic.bert import BertConfig
from retrieval.semantic.encoder import Encoder, Progress, load_encoder
from retrieval.semantic.errors import ModelUnavailable
from retrieval.semantic.files import MINILM_L6, MODEL_DIR, ModelFiles, file_sha256, installed_model

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
