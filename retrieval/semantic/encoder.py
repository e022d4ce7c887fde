"""Sentence embeddings: verified model files in, (n, d) L2-normalised float32 vectors out.

Indexing embeds thousands of units: they are sorted by token count and batched, so a batch
pads to nearly its own length (padding is pure waste in a transformer), then put back in order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from importlib import metadata

import numpy as np
import numpy.typing as npt
from safetensors import SafetensorError
from tokenizers import Tokenizer

from retrieval.semantic.bert import BertWeights, forward, load_weights
from retrieval.semantic.errors import ModelUnavailable
from retrieval.semantic.files import ModelFiles, installed_model, verify
from retrieval.semantic.tokens import load_tokenizer, pad, token_ids

__all__ = ["Encoder", "Progress", "load_encoder"]

log = logging.getLogger(__name__)

F32 = npt.NDArray[np.float32]
Progress = Callable[[int, int], None]
"""Called after each batch with (texts embedded so far, total)."""

# Bounds a batch's attention scores (B x heads x T x T floats) to ~50 MB at 256 tokens.
MAX_BATCH_TOKENS = 4096
RUNTIME = "numpy-bert-1"


@dataclass(frozen=True, slots=True)
class Encoder:
    """A loaded sentence encoder; build it with :func:`load_encoder`."""

    files: ModelFiles
    weights: BertWeights
    tokenizer: Tokenizer

    @property
    def dim(self) -> int:
        return self.weights.dim

    def encode(
        self, texts: Sequence[str], batch_size: int = 64, progress: Progress | None = None
    ) -> F32:
        """Embeddings (len(texts), dim), float32, each of L2 norm 1, in the order given.

        Texts longer than the model's token limit (256 for all-MiniLM-L6-v2) are truncated.
        Raises ``ValueError`` for a ``batch_size`` below 1.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        ids = token_ids(self.tokenizer, texts)
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        done = 0
        for rows in _batches([len(seq) for seq in ids], batch_size):
            batch = pad([ids[row] for row in rows])
            out[rows] = forward(self.weights, self.files.config, batch.ids, batch.mask)
            done += len(rows)
            if progress is not None:
                progress(done, len(ids))
        return out

    def model_fingerprint(self) -> str:
        """Identifies these vectors for an index cache: file hashes, runtime and versions."""
        parts = (
            self.files.weights_sha256[:16],
            self.files.tokenizer_sha256[:16],
            RUNTIME,
            "exact-gelu" if self.files.config.exact_gelu else "tanh-gelu",
            f"max{self.files.config.max_tokens}",
            f"numpy{np.__version__}",
            f"tokenizers{metadata.version('tokenizers')}",
        )
        return "-".join(parts)

    def with_exact_gelu(self) -> Encoder:
        """The same model with the checkpoint's erf GELU: the fp32 reference, ~2x slower."""
        config = replace(self.files.config, exact_gelu=True)
        return replace(self, files=replace(self.files, config=config))


def _batches(lengths: Sequence[int], batch_size: int) -> Iterator[list[int]]:
    """Row indices grouped by ascending token count, at most ``batch_size`` rows and
    :data:`MAX_BATCH_TOKENS` padded tokens per group (a longer single text goes alone)."""
    batch: list[int] = []
    for row in sorted(range(len(lengths)), key=lengths.__getitem__):
        full = len(batch) == batch_size or (len(batch) + 1) * lengths[row] > MAX_BATCH_TOKENS
        if batch and full:
            yield batch
            batch = []
        batch.append(row)
    if batch:
        yield batch


def _check_shapes(files: ModelFiles, weights: BertWeights, tokenizer: Tokenizer) -> None:
    if not weights.layers or weights.dim % files.config.heads:
        raise ModelUnavailable(
            f"semantic model {files.weights} has {len(weights.layers)} layers of width "
            f"{weights.dim}, which {files.config.heads} attention heads cannot use"
        )
    if files.config.max_tokens > weights.positions.shape[0]:
        raise ModelUnavailable(
            f"semantic model {files.weights} has {weights.positions.shape[0]} positions, "
            f"fewer than the {files.config.max_tokens} tokens it is configured to read"
        )
    if tokenizer.get_vocab_size() > weights.words.shape[0]:
        raise ModelUnavailable(
            f"tokenizer {files.tokenizer} has more tokens than the model's embedding table"
        )


def load_encoder(files: ModelFiles | None = None) -> Encoder:
    """Verify and load a sentence encoder (default: the installed all-MiniLM-L6-v2).

    Takes ~0.5 s (hashing 91 MB, reading the weights). Raises :class:`ModelUnavailable` with
    a one-line reason when a file is absent, fails its sha256 or cannot be parsed.
    """
    files = installed_model() if files is None else files
    verify(files)
    try:
        tokenizer = load_tokenizer(files.tokenizer, files.config.max_tokens)
        weights = load_weights(files.weights, files.config.heads)
    except (KeyError, OSError, SafetensorError, ValueError) as exc:
        raise ModelUnavailable(f"semantic model files cannot be loaded: {exc!r}") from exc
    except Exception as exc:  # tokenizers reports a malformed file as a bare Exception
        raise ModelUnavailable(f"semantic model files cannot be loaded: {exc!r}") from exc
    _check_shapes(files, weights, tokenizer)
    log.info("semantic model loaded: %d layers, %d dimensions", len(weights.layers), weights.dim)
    return Encoder(files, weights, tokenizer)
