"""A BERT sentence encoder of the real layout with random weights, written to a folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from safetensors.numpy import save_file
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

from retrieval.semantic import BertConfig, ModelFiles, file_sha256

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


def write_tiny_model(folder: Path, seed: int = 0) -> ModelFiles:
    """Weights and tokenizer.json under ``folder``, with their true sha256 pinned."""
    folder.mkdir(parents=True, exist_ok=True)
    weights, tokenizer = folder / "model.safetensors", folder / "tokenizer.json"
    save_file(_tensors(len(SPECIALS) + len(WORDS), seed), str(weights))
    _tokenizer().save(str(tokenizer))
    return ModelFiles(weights, tokenizer, file_sha256(weights), file_sha256(tokenizer), CONFIG)
